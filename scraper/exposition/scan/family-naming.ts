/**
 * Which samples belong to a family, and what a family is called and typed in the output format. The
 * output name is the merge key: two inputs' families meet when they would be written under one name.
 *
 * Text → OpenMetrics: a counter `x_total` becomes OM counter `x`; a counter whose samples lack
 * `_total` cannot be an OM counter without renaming samples, so it becomes `unknown`; untyped is
 * `unknown`. OpenMetrics → text: counter `x` is written as `x_total` (its sample name), info `x` as
 * gauge `x_info`, stateset as gauge; gaugehistogram has no text type whose sample names fit
 * (`_gcount`/`_gsum`), so it is untyped — Prometheus stores the same samples either way.
 */
import { rangeEquals } from '../parse/bytes.ts';
import { type ExpositionFormat, MetricType, Suffix } from '../parse/entry.ts';

/** Suffix of buf[start, end) (the part of a sample name after its family name). */
export function suffixCode(buf: Buffer, start: number, end: number): Suffix {
  switch (end - start) {
    case 4:
      if (rangeEquals(buf, start, end, '_sum')) return Suffix.Sum;
      return Suffix.Other;
    case 5:
      if (rangeEquals(buf, start, end, '_info')) return Suffix.Info;
      if (rangeEquals(buf, start, end, '_gsum')) return Suffix.GSum;
      return Suffix.Other;
    case 6:
      if (rangeEquals(buf, start, end, '_total')) return Suffix.Total;
      if (rangeEquals(buf, start, end, '_count')) return Suffix.Count;
      return Suffix.Other;
    case 7:
      if (rangeEquals(buf, start, end, '_bucket')) return Suffix.Bucket;
      if (rangeEquals(buf, start, end, '_gcount')) return Suffix.GCount;
      return Suffix.Other;
    case 8:
      return rangeEquals(buf, start, end, '_created') ? Suffix.Created : Suffix.Other;
    default:
      return Suffix.Other;
  }
}

/** Whether a sample with this suffix belongs to a family of this type in this input format. */
export function isMemberSuffix(type: MetricType, suffix: Suffix, format: ExpositionFormat): boolean {
  if (format === 'text') {
    switch (type) {
      case MetricType.Histogram:
        return suffix === Suffix.Bucket || suffix === Suffix.Sum || suffix === Suffix.Count;
      case MetricType.Summary:
        return suffix === Suffix.None || suffix === Suffix.Sum || suffix === Suffix.Count;
      default:
        return suffix === Suffix.None;
    }
  }
  switch (type) {
    case MetricType.Counter:
      return suffix === Suffix.Total || suffix === Suffix.Created;
    case MetricType.Histogram:
      return (
        suffix === Suffix.Bucket ||
        suffix === Suffix.Sum ||
        suffix === Suffix.Count ||
        suffix === Suffix.Created
      );
    case MetricType.Summary:
      return (
        suffix === Suffix.None ||
        suffix === Suffix.Sum ||
        suffix === Suffix.Count ||
        suffix === Suffix.Created
      );
    case MetricType.GaugeHistogram:
      return suffix === Suffix.Bucket || suffix === Suffix.GCount || suffix === Suffix.GSum;
    case MetricType.Info:
      return suffix === Suffix.Info;
    default:
      return suffix === Suffix.None;
  }
}

/** OpenMetrics `_created` samples of the families that have them; written as their own gauge family in text. */
export function isCreatedSample(type: MetricType, suffix: Suffix): boolean {
  return (
    suffix === Suffix.Created &&
    (type === MetricType.Counter || type === MetricType.Histogram || type === MetricType.Summary)
  );
}

export interface OutputFamily {
  readonly name: string;
  readonly type: MetricType;
}

export function outputFamily(
  name: string,
  type: MetricType,
  from: ExpositionFormat,
  to: ExpositionFormat,
): OutputFamily {
  if (from === to) return { name, type };
  if (to === 'text') {
    switch (type) {
      case MetricType.Counter:
        return { name: `${name}_total`, type };
      case MetricType.Info:
        return { name: `${name}_info`, type: MetricType.Gauge };
      case MetricType.Stateset:
        return { name, type: MetricType.Gauge };
      case MetricType.GaugeHistogram:
        return { name, type: MetricType.Unknown };
      default:
        return { name, type };
    }
  }
  if (type === MetricType.Counter) {
    return name.endsWith('_total') && name.length > 6
      ? { name: name.slice(0, -6), type }
      : { name, type: MetricType.Unknown };
  }
  return { name, type };
}
