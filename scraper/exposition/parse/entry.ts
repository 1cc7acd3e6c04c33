/** The vocabulary shared by both pull parsers and the merger. Numeric so hot loops compare small ints. */

export type ExpositionFormat = 'text' | 'openmetrics';
export type LabelPair = readonly [name: string, value: string];

/** What `next()` found. `Eof` and `Invalid` are sticky: every later call returns the same. */
export const Entry = {
  Eof: 0,
  Help: 1,
  Type: 2,
  Unit: 3,
  Comment: 4,
  Sample: 5,
  Invalid: 6,
} as const;
export type Entry = (typeof Entry)[keyof typeof Entry];

/** Text `untyped` and OpenMetrics `unknown` are the same thing to Prometheus, hence one value. */
export const MetricType = {
  Unknown: 0,
  Counter: 1,
  Gauge: 2,
  Histogram: 3,
  Summary: 4,
  GaugeHistogram: 5,
  Info: 6,
  Stateset: 7,
} as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** How a sample value is spelled; lets writers copy decimals raw and canonicalise the specials. */
export const ValueKind = { Number: 0, PosInf: 1, NegInf: 2, NaN: 3 } as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/**
 * Sample-name suffix relative to its family name. OpenMetrics derives sample names from the family
 * name by these suffixes; the merger uses them for membership and for dropping `_created` in text.
 */
export const Suffix = {
  None: 0,
  Total: 1,
  Created: 2,
  Bucket: 3,
  Count: 4,
  Sum: 5,
  GCount: 6,
  GSum: 7,
  Info: 8,
  Other: 9,
} as const;
export type Suffix = (typeof Suffix)[keyof typeof Suffix];

const TEXT_TYPE_NAMES: readonly string[] = ['untyped', 'counter', 'gauge', 'histogram', 'summary'];
const OM_TYPE_NAMES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'summary',
  'gaugehistogram',
  'info',
  'stateset',
] as const;

export function metricTypeName(type: MetricType, format: ExpositionFormat): string {
  return format === 'text' ? (TEXT_TYPE_NAMES[type] ?? 'untyped') : OM_TYPE_NAMES[type];
}
