/**
 * Pull parser for OpenMetrics 1.0 text. Strict where the format is (single spaces, no blank lines, no
 * free comments, `# EOF` last); exemplars are validated and exposed as one raw range.
 */
import { CHAR_CLASS, rangeEquals } from './bytes.ts';
import { Entry, MetricType, ValueKind } from './entry.ts';
import { classifyFloat, INVALID_FLOAT } from './float-syntax.ts';
import { ParserBase } from './parser-base.ts';

// Byte values as local literals so the JIT folds them (see CHAR_CLASS in bytes.ts).
const LF = 10;
const SPACE = 32;
const HASH = 35;
const BRACE_OPEN = 123;
const METRIC_START = 1;
const METRIC_CHAR = 2;

export class OpenMetricsParser extends ParserBase {
  readonly format = 'openmetrics' as const;

  next(): Entry {
    if (this.finished !== -1) return this.finished;
    const b = this.buf;
    const i = this.pos;
    if (i >= b.length) return this.fail('data does not end with "# EOF"', i);
    this.lineNumber++;
    this.lineStart = i;
    const c = b[i] as number;
    if (c === HASH) return this.meta(i);
    if (c === LF) return this.fail('empty line', i);
    return this.sample(i);
  }

  private meta(hash: number): Entry {
    const b = this.buf;
    const cls = CHAR_CLASS;
    const lineEnd = this.endOfLine(hash);
    this.lineEnd = lineEnd;
    this.pos = lineEnd + 1;
    if (b[hash + 1] !== SPACE) return this.fail('expected "# " at comment', hash);
    const k = hash + 2;
    if (rangeEquals(b, k, lineEnd, 'EOF')) {
      if (lineEnd + 1 < b.length) return this.fail('unexpected data after "# EOF"', lineEnd + 1);
      this.finished = Entry.Eof;
      return Entry.Eof;
    }
    let kind: Entry;
    if (rangeEquals(b, k, k + 4, 'HELP')) kind = Entry.Help;
    else if (rangeEquals(b, k, k + 4, 'TYPE')) kind = Entry.Type;
    else if (rangeEquals(b, k, k + 4, 'UNIT')) kind = Entry.Unit;
    else return this.fail('expected HELP, TYPE, UNIT or EOF', hash);
    let i = k + 4;
    if (b[i] !== SPACE) return this.fail('expected space after keyword', i);
    i++;
    if (i >= lineEnd || ((cls[b[i] as number] as number) & METRIC_START) === 0)
      return this.fail('expected metric name', i);
    this.nameStart = i;
    i++;
    while (i < lineEnd && (cls[b[i] as number] as number) & METRIC_CHAR) i++;
    this.nameEnd = i;
    if (i < lineEnd) {
      if (b[i] !== SPACE) return this.fail('invalid metric name', this.nameStart);
      i++;
    } else if (kind === Entry.Type) {
      return this.fail('expected metric type', i);
    }
    if (lineEnd >= b.length) return this.fail('data does not end with "# EOF"', lineEnd);
    this.textStart = i;
    this.textEnd = lineEnd;
    if (kind === Entry.Type) {
      const type = omType(b, i, lineEnd);
      if (type < 0) return this.fail('invalid metric type', i);
      this.metricType = type as MetricType;
    }
    return kind;
  }

  private sample(start: number): Entry {
    const b = this.buf;
    const cls = CHAR_CLASS;
    const n = b.length;
    this.resetSample();
    let i = start;
    if (((cls[b[i] as number] as number) & METRIC_START) === 0) return this.fail('expected metric name', i);
    this.nameStart = i;
    i++;
    while (i < n && (cls[b[i] as number] as number) & METRIC_CHAR) i++;
    this.nameEnd = i;
    if (b[i] === BRACE_OPEN) {
      this.labelsStart = i + 1;
      i = this.scanLabels(i + 1, false, true);
      if (i < 0) return Entry.Invalid;
      this.labelsEnd = i - 1;
    }
    if (b[i] !== SPACE) return this.fail('expected space before value', i);
    i++;
    this.valueStart = i;
    while (i < n && b[i] !== SPACE && b[i] !== LF) i++;
    this.valueEnd = i;
    const kind = classifyFloat(b, this.valueStart, i);
    if (kind === INVALID_FLOAT) return this.fail('invalid value', this.valueStart);
    this.valueKind = kind;
    if (b[i] === SPACE && b[i + 1] !== HASH) {
      i++;
      this.timestampStart = i;
      while (i < n && b[i] !== SPACE && b[i] !== LF) i++;
      this.timestampEnd = i;
      if (!isFiniteFloat(b, this.timestampStart, i))
        return this.fail('invalid timestamp', this.timestampStart);
    }
    if (b[i] === SPACE) {
      i = this.scanExemplar(i + 1);
      if (i < 0) return Entry.Invalid;
    }
    if (i >= n) return this.fail('data does not end with "# EOF"', i);
    if (b[i] !== LF) return this.fail('unexpected data after sample', i);
    this.lineEnd = i;
    this.pos = i + 1;
    return Entry.Sample;
  }

  /** Validates ` # {labels} value [timestamp]` starting at `#`; returns the offset of the line end. */
  private scanExemplar(hash: number): number {
    const b = this.buf;
    const n = b.length;
    if (b[hash] !== HASH || b[hash + 1] !== SPACE || b[hash + 2] !== BRACE_OPEN) {
      this.fail('expected exemplar "# {"', hash);
      return -1;
    }
    let i = this.scanLabels(hash + 3, false, false);
    if (i < 0) return -1;
    if (b[i] !== SPACE) {
      this.fail('expected exemplar value', i);
      return -1;
    }
    i++;
    const vs = i;
    while (i < n && b[i] !== SPACE && b[i] !== LF) i++;
    if (classifyFloat(b, vs, i) === INVALID_FLOAT) {
      this.fail('invalid exemplar value', vs);
      return -1;
    }
    if (b[i] === SPACE) {
      i++;
      const ts = i;
      while (i < n && b[i] !== SPACE && b[i] !== LF) i++;
      if (!isFiniteFloat(b, ts, i)) {
        this.fail('invalid exemplar timestamp', ts);
        return -1;
      }
    }
    this.exemplarStart = hash;
    this.exemplarEnd = i;
    return i;
  }
}

function isFiniteFloat(b: Buffer, s: number, e: number): boolean {
  return classifyFloat(b, s, e) === ValueKind.Number;
}

const OM_TYPES: readonly (readonly [string, MetricType])[] = [
  ['counter', MetricType.Counter],
  ['gauge', MetricType.Gauge],
  ['histogram', MetricType.Histogram],
  ['summary', MetricType.Summary],
  ['gaugehistogram', MetricType.GaugeHistogram],
  ['info', MetricType.Info],
  ['stateset', MetricType.Stateset],
  ['unknown', MetricType.Unknown],
];

function omType(b: Buffer, s: number, e: number): number {
  for (const [name, type] of OM_TYPES) {
    if (rangeEquals(b, s, e, name)) return type;
  }
  return -1;
}
