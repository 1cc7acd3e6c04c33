/**
 * The exposition hot path, a pipeline whose stages are the folders, each depending only on earlier ones:
 * - parse/: pull parsers for Prometheus text 0.0.4 and OpenMetrics 1.0 (and the byte-level syntax);
 * - scan/:  pass 1 over one input: samples to families, target labels (Prometheus' rules), records;
 * - merge/: adoption of scanned inputs into the merged families;
 * - write/: pass 2, the output bytes of either format.
 * merger.ts drives them input by input; merge.ts is the one-shot form; contract.ts their types.
 */

export type { InputOutcome, MergeInput, MergeOutput, MergeResult } from './contract.ts';
export { mergeExpositions } from './merge.ts';
export type { Merger, MergerOptions } from './merger.ts';
export { createMerger } from './merger.ts';
export type { Negotiated } from './negotiate.ts';
export { negotiateFormat, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './negotiate.ts';
export type { ExpositionParser } from './parse/create-parser.ts';
export { createParser, formatOfContentType } from './parse/create-parser.ts';
export type { ExpositionFormat, LabelPair } from './parse/entry.ts';
export { Entry, MetricType, metricTypeName, ValueKind } from './parse/entry.ts';
export { escapeLabelValue } from './parse/escape.ts';
export { validateLabelName, validateMetricName } from './parse/label-name.ts';
export { OpenMetricsParser } from './parse/openmetrics-parser.ts';
export { TextParser } from './parse/text-parser.ts';
export { dropSpareRecords } from './scan/sample-records.ts';
export { ChunkPool } from './write/chunk-pool.ts';
