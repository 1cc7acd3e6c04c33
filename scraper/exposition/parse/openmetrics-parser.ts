/**
 * Pull parser for OpenMetrics 1.0 text, accepting exactly what Prometheus 2.42's openmetricsparse
 * accepts: single spaces, no blank lines, no free comments, `# EOF` last, strict label sets, HELP/TYPE/
 * UNIT followed by a space and text. Where the OpenMetrics 1.0 spec asks more (family membership of
 * sample names, counters only `_total`/`_created`, exemplars by type, one TYPE per family) Prometheus
 * does not check, and neither does this parser: it refuses only what would make Prometheus refuse.
 */
import { CHAR_CLASS, keywordEnd, rangeEquals } from './bytes.ts';
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
    const lineEnd = this.endOfLine(hash);
    this.lineEnd = lineEnd;
    this.pos = lineEnd + 1;
    if (b[hash + 1] !== SPACE) return this.fail('expected "# " at comment', hash);
    const k = hash + 2;
    if (rangeEquals(b, k, lineEnd, 'EOF')) {
      let e = lineEnd + 1;
      while (e < b.length && b[e] === 0) e++;
      if (e < b.length) return this.fail('unexpected data after "# EOF"', e);
      this.finished = Entry.Eof;
      return Entry.Eof;
    }
    let kind: Entry;
    let i = k + 4;
    while (i < lineEnd && b[i] === 0) i++;
    if (rangeEquals(b, k, k + 4, 'HELP')) kind = Entry.Help;
    else if (rangeEquals(b, k, k + 4, 'TYPE')) kind = Entry.Type;
    else if (rangeEquals(b, k, k + 4, 'UNIT')) kind = Entry.Unit;
    else return this.nulKeyword(hash, k, lineEnd);
    if (b[i] !== SPACE) return this.fail('expected space after keyword', i);
    i++;
    while (i < lineEnd && b[i] === 0) i++;
    return this.metaName(kind, i, lineEnd);
  }

  /** The rest of a HELP/TYPE/UNIT line from the name at `i`. */
  private metaName(kind: Entry, start: number, lineEnd: number): Entry {
    const b = this.buf;
    const cls = CHAR_CLASS;
    let i = start;
    if (i >= lineEnd || ((cls[b[i] as number] as number) & METRIC_START) === 0)
      return this.fail('expected metric name', i);
    this.nameStart = i;
    i++;
    while (i < lineEnd && (cls[b[i] as number] as number) & METRIC_CHAR) i++;
    this.nameEnd = i;
    // The lexer wants a space and a text (possibly empty) after the name, for all three: `# HELP a`
    // and `# UNIT a` are refused, `# HELP a ` is an empty help.
    if (i >= lineEnd || b[i] !== SPACE) return this.fail(`expected text in ${KEYWORDS[kind]}`, i);
    i++;
    if (lineEnd >= b.length) return this.fail('data does not end with "# EOF"', lineEnd);
    this.textStart = i;
    this.textEnd = lineEnd;
    if (kind === Entry.Type) {
      const type = omType(b, i, lineEnd);
      if (type < 0) return this.fail('invalid metric type', i);
      this.metricType = type as MetricType;
    } else if (kind === Entry.Help) {
      if (!this.validUtf8(i, lineEnd)) return this.fail('help text is not valid UTF-8', i);
    } else if (i < lineEnd && !isUnitOf(b, this.nameStart, this.nameEnd, i, lineEnd)) {
      // Prometheus checks only that a non-empty unit is the name's `_<unit>` suffix.
      return this.fail('unit not a suffix of metric name', i);
    }
    return kind;
  }

  /**
   * A keyword spelled with NUL bytes after its first letter (the lexer skips them there, and right
   * after the keyword's space); anything else is refused.
   */
  private nulKeyword(hash: number, k: number, lineEnd: number): Entry {
    const b = this.buf;
    const refuse = () => this.fail('expected HELP, TYPE, UNIT or EOF', hash);
    if (b.indexOf(0, k) >= lineEnd) return refuse();
    let e = keywordEnd(b, k, lineEnd, 'EOF');
    if (e >= 0) {
      while (e < b.length && b[e] === 0) e++;
      if (e < b.length && b[e] === LF) e++;
      while (e < b.length && b[e] === 0) e++;
      if (e < b.length) return this.fail('unexpected data after "# EOF"', e);
      this.finished = Entry.Eof;
      return Entry.Eof;
    }
    let kind: Entry = Entry.Help;
    e = keywordEnd(b, k, lineEnd, 'HELP');
    if (e < 0) [kind, e] = [Entry.Type, keywordEnd(b, k, lineEnd, 'TYPE')];
    if (e < 0) [kind, e] = [Entry.Unit, keywordEnd(b, k, lineEnd, 'UNIT')];
    if (e < 0) return refuse();
    while (e < lineEnd && b[e] === 0) e++;
    if (b[e] !== SPACE) return this.fail('expected space after keyword', e);
    e++;
    while (e < lineEnd && b[e] === 0) e++;
    return this.metaName(kind, e, lineEnd);
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
      // Prometheus allows exemplars by the sample's name, not by its family's type as the spec does:
      // any `…_total` or `…_bucket` sample may carry one, no other.
      if (!hasExemplarSuffix(b, this.nameStart, this.nameEnd)) {
        return this.fail('metric name does not support exemplars', this.nameStart);
      }
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
    // Unlike in a sample's label values, the lexer does not skip NUL bytes in an exemplar's.
    if (this.anyNul()) {
      for (let k = hash + 3; k < i; k++) {
        if (b[k] === 0) {
          this.fail('NUL byte in exemplar labels', k);
          return -1;
        }
      }
    }
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

const KEYWORDS: Record<number, string> = { [Entry.Help]: 'HELP', [Entry.Type]: 'TYPE', [Entry.Unit]: 'UNIT' };

/** buf[us, ue) is a suffix of the name buf[ns, ne) with `_` before it. */
function isUnitOf(b: Buffer, ns: number, ne: number, us: number, ue: number): boolean {
  const len = ue - us;
  if (ne - ns < len + 1 || b[ne - len - 1] !== 95) return false;
  for (let k = 0; k < len; k++) if (b[ne - len + k] !== b[us + k]) return false;
  return true;
}

function hasExemplarSuffix(b: Buffer, ns: number, ne: number): boolean {
  return (
    (ne - ns >= 6 && rangeEquals(b, ne - 6, ne, '_total')) ||
    (ne - ns >= 7 && rangeEquals(b, ne - 7, ne, '_bucket'))
  );
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
