/**
 * The exposition hot path: pull parsers for Prometheus text 0.0.4 and OpenMetrics 1.0, relabeling with
 * Prometheus' target-label rules, merging of families across inputs, and the writers of either format.
 */

export { ChunkPool } from './chunk-pool.ts';
export type { ExpositionParser } from './create-parser.ts';
export { createParser, formatOfContentType } from './create-parser.ts';
export type { ExpositionFormat, LabelPair } from './entry.ts';
export { Entry, MetricType, metricTypeName, ValueKind } from './entry.ts';
export { escapeLabelValue } from './escape.ts';
export { validateLabelName, validateMetricName } from './label-name.ts';
export type { InputOutcome, MergeInput, MergeResult } from './merge.ts';
export { mergeExpositions } from './merge.ts';
export type { Merger, MergerOptions } from './merger.ts';
export { createMerger } from './merger.ts';
export type { Negotiated } from './negotiate.ts';
export { negotiateFormat, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './negotiate.ts';
export { OpenMetricsParser } from './openmetrics-parser.ts';
export { TextParser } from './text-parser.ts';
