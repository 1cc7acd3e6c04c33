/**
 * State and accessors shared by the text and OpenMetrics pull parsers. After `next()` the public
 * offset fields describe the current entry; they (and views made from them) are valid until the next
 * call. Strings are only made by the accessor methods, when a caller asks.
 */
import { isUtf8 } from 'node:buffer';
import { CHAR_CLASS, latin1, quoteBytes, rangeEquals, rangeIsUtf8 } from './bytes.ts';
import { Entry, type ExpositionFormat, type LabelPair, MetricType, ValueKind } from './entry.ts';
import { decodeHelp, decodeLabelValue } from './escape.ts';
import { omSecondsToMs, parseFloatBytes } from './float-syntax.ts';

// Byte values as local literals so the JIT folds them (see CHAR_CLASS in bytes.ts).
const NUL = 0;
const LF = 10;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;
const BRACE_CLOSE = 125;
const LABEL_START = 4;
const LABEL_CHAR = 8;
const VALUE_STOP = 16;

const INITIAL_LABEL_SLOTS = 16;

export abstract class ParserBase {
  readonly buf: Buffer;
  abstract readonly format: ExpositionFormat;
  protected pos = 0;
  protected finished: Entry | -1 = -1;

  /** 1-based line of the current entry. */
  lineNumber = 0;
  lineStart = 0;
  /** Offset of the line's terminating LF (or buf.length). */
  lineEnd = 0;
  /** Metric name of a sample, or family name of a HELP/TYPE/UNIT line. */
  nameStart = 0;
  nameEnd = 0;
  /** The name is byte for byte the previous entry's name (text format; always false otherwise). */
  nameRepeat = false;
  /** Raw HELP text, UNIT text or comment text (escapes not undone). */
  textStart = 0;
  textEnd = 0;
  metricType: MetricType = MetricType.Unknown;
  /** Inside the braces, exclusive of them; -1 when the sample has no braces. */
  labelsStart = -1;
  labelsEnd = -1;
  labelCount = 0;
  /** Label count of the sample before the current one; its offsets predict the current label names. */
  private prevLabelCount = 0;
  private prevLabelsStart = -1;
  private prevLabelsEnd = -1;
  /** The previous label section was canonical and needed no escaping (its flags carry over). */
  private prevLabelsPlain = false;
  /** Per label: name start, name end, value start, value end (value without quotes, still escaped). */
  labelOffsets = new Int32Array(INITIAL_LABEL_SLOTS * 4);
  /** No whitespace and no trailing comma in the label section: valid OpenMetrics as it stands. */
  labelsCanonical = true;
  /**
   * The label section must be rewritten to be valid in either output: a value holds an escape
   * Prometheus leaves literal, or a raw LF (re-escaped), or two labels have no comma between them
   * (which Prometheus accepts in text, but the text format's reference parser, expfmt, does not).
   */
  labelsNeedEscaping = false;
  valueStart = 0;
  valueEnd = 0;
  valueKind: ValueKind = ValueKind.Number;
  /** -1 when the sample has no timestamp. */
  timestampStart = -1;
  timestampEnd = -1;
  /** OpenMetrics exemplar: from `#` to the end of the line; -1 when absent. */
  exemplarStart = -1;
  exemplarEnd = -1;
  /** Error message of an Invalid entry: line number, reason, offending bytes. */
  error = '';

  /** The same bytes as `buf`, for word-wise comparisons. */
  readonly view: DataView;
  /** Whole body valid UTF-8: 1 yes, 0 no, -1 not checked yet (see `validUtf8`). */
  private bodyUtf8 = -1;
  /** Whole body holds a NUL byte: 1 yes, 0 no, -1 not checked yet (see `anyNul`). */
  private bodyNul = -1;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  }

  abstract next(): Entry;

  metricName(): string {
    return this.buf.toString('utf8', this.nameStart, this.nameEnd);
  }

  /** Label pairs of the current sample, values unescaped, in exposition order. */
  labels(): LabelPair[] {
    const out: LabelPair[] = [];
    const o = this.labelOffsets;
    for (let i = 0; i < this.labelCount; i++) {
      const k = i * 4;
      const name = latin1(this.buf, o[k] as number, o[k + 1] as number);
      const vs = o[k + 2] as number;
      const ve = o[k + 3] as number;
      out.push([name, this.labelValue(vs, ve)]);
    }
    return out;
  }

  private labelValue(start: number, end: number): string {
    for (let i = start; i < end; i++) {
      if (this.buf[i] === BACKSLASH) return decodeLabelValue(this.buf, start, end).toString('utf8');
    }
    return this.buf.toString('utf8', start, end);
  }

  /** HELP text with escapes undone (the format's own rules). */
  help(): string {
    for (let i = this.textStart; i < this.textEnd; i++) {
      if (this.buf[i] === BACKSLASH) {
        return decodeHelp(this.buf, this.textStart, this.textEnd, this.format).toString('utf8');
      }
    }
    return this.buf.toString('utf8', this.textStart, this.textEnd);
  }

  text(): string {
    return this.buf.toString('utf8', this.textStart, this.textEnd);
  }

  value(): number {
    return parseFloatBytes(this.buf, this.valueStart, this.valueEnd, this.valueKind);
  }

  /** Timestamp in milliseconds as Prometheus stores it, or undefined. */
  timestampMs(): number | undefined {
    if (this.timestampStart < 0) return undefined;
    const n = Number(latin1(this.buf, this.timestampStart, this.timestampEnd));
    return this.format === 'openmetrics' ? omSecondsToMs(n) : n;
  }

  exemplar(): string | undefined {
    if (this.exemplarStart < 0) return undefined;
    return this.buf.toString('utf8', this.exemplarStart, this.exemplarEnd);
  }

  protected resetSample(): void {
    this.prevLabelCount = this.labelCount;
    this.prevLabelsStart = this.labelsStart;
    this.prevLabelsEnd = this.labelsEnd;
    this.prevLabelsPlain = this.labelsCanonical && !this.labelsNeedEscaping;
    this.labelsStart = -1;
    this.labelsEnd = -1;
    this.labelCount = 0;
    this.labelsCanonical = true;
    this.labelsNeedEscaping = false;
    this.timestampStart = -1;
    this.timestampEnd = -1;
    this.exemplarStart = -1;
    this.exemplarEnd = -1;
  }

  /**
   * Whether buf[start, end) is valid UTF-8, for a range bounded by ASCII bytes (a label value, a HELP
   * text): any such range of a valid body is valid, and one native check of the whole body (ASCII at
   * memory speed) settles most bodies at once.
   */
  protected validUtf8(start: number, end: number): boolean {
    if (this.bodyUtf8 < 0) this.bodyUtf8 = isUtf8(this.buf) ? 1 : 0;
    return this.bodyUtf8 === 1 || rangeIsUtf8(this.buf, start, end);
  }

  /**
   * Whether the body holds a NUL byte anywhere: one native scan on first need. NUL rules (the
   * lexers skip NULs in some places) concern odd bodies only; the others skip those checks.
   */
  protected anyNul(): boolean {
    if (this.bodyNul < 0) this.bodyNul = this.buf.indexOf(NUL) >= 0 ? 1 : 0;
    return this.bodyNul === 1;
  }

  /** Records an error quoting the bytes at `at`; the parser stays Invalid from here on. */
  protected fail(reason: string, at: number): Entry {
    this.error = this.describe(reason, at);
    this.finished = Entry.Invalid;
    return Entry.Invalid;
  }

  /** `line N: reason at "<bytes from at>" in "<the line>"`, both quoted short and JSON-escaped. */
  describe(reason: string, at: number): string {
    const line = at === this.lineStart ? '' : ` in ${quoteBytes(this.buf, this.lineStart)}`;
    return `line ${this.lineNumber}: ${reason} at ${quoteBytes(this.buf, at)}${line}`;
  }

  /**
   * End of the metric name starting at `i` (first byte not yet checked). Most names repeat or extend
   * the previous entry's name, which is already validated: the common prefix is compared by words
   * instead of classified byte by byte. Sets `nameRepeat`; returns -1 when `i` cannot start a name.
   */
  protected scanName(i: number, end: number, metricStart: number, metricChar: number): number {
    const b = this.buf;
    const cls = CHAR_CLASS;
    const ps = this.nameStart;
    const pl = this.nameEnd - ps;
    let repeat = false;
    // Bytes in common with the previous name are valid name bytes (a prefix of a valid name).
    const common = pl > 0 ? commonPrefix(this.view, i, ps, Math.min(pl, end - i)) : 0;
    if (pl > 0 && common === pl) {
      i += pl;
      repeat = i >= end || ((cls[b[i] as number] as number) & metricChar) === 0;
    } else if (common > 0) {
      i += common;
    } else {
      if (i >= end || ((cls[b[i] as number] as number) & metricStart) === 0) return -1;
      i++;
    }
    while (i < end && (cls[b[i] as number] as number) & metricChar) i++;
    this.nameRepeat = repeat;
    return i;
  }

  protected endOfLine(from: number): number {
    const i = this.buf.indexOf(LF, from);
    return i < 0 ? this.buf.length : i;
  }

  /**
   * Scans a label set starting just after `{`. `lenient` admits spaces and tabs between tokens (text
   * format); label values may hold raw LFs only when lenient. Returns the offset after `}` or -1.
   */
  protected scanLabels(start: number, lenient: boolean, record: boolean): number {
    const b = this.buf;
    const cls = CHAR_CLASS;
    const n = b.length;
    // Samples of a family mostly repeat the previous sample's label names in the same order: a name
    // equal by words to the previous one at its index is valid, and while every name so far was such a
    // repeat they are distinct too (the previous sample was accepted), so the duplicate check is skipped.
    const prevCount = record ? this.prevLabelCount : 0;
    let repeats = true;
    let i = start;
    let count = 0;
    let canonical = true;
    let needsEscaping = false;
    let afterComma = false;
    let closed = false;
    if (prevCount > 0 && this.prevLabelsPlain) {
      // Often whole labels repeat the previous sample's byte for byte (a histogram's buckets differ
      // in `le` only): those whose closing quote lies in the common prefix of the two label sections
      // are taken over by offset. Only from a section that needed no rewriting, so its flags hold.
      const ps = this.prevLabelsStart;
      const common = commonPrefix(this.view, start, ps, Math.min(this.prevLabelsEnd - ps, n - start));
      const o = this.labelOffsets;
      const delta = start - ps;
      let k = 0;
      for (let q = 0; k < prevCount && (o[q + 3] as number) - ps < common; k++, q += 4) {
        o[q] = (o[q] as number) + delta;
        o[q + 1] = (o[q + 1] as number) + delta;
        o[q + 2] = (o[q + 2] as number) + delta;
        o[q + 3] = (o[q + 3] as number) + delta;
      }
      if (k > 0) {
        count = k;
        i = (o[k * 4 - 1] as number) + 1;
        if (lenient) {
          while (i < n && (b[i] === SPACE || b[i] === TAB)) {
            i++;
            canonical = false;
          }
        }
        const c = b[i] as number;
        if (c === COMMA) {
          i++;
          afterComma = true;
        } else if (c === BRACE_CLOSE) {
          closed = true;
        } else if (lenient) {
          // No comma: the loop below takes the next label or reports what is there.
          canonical = false;
          needsEscaping = true;
        } else {
          return this.failOffset('expected "," after label value', i);
        }
      }
    }
    for (; !closed; ) {
      if (lenient) {
        while (i < n && (b[i] === SPACE || b[i] === TAB)) {
          i++;
          canonical = false;
        }
      }
      if (i >= n) return this.failOffset('unterminated label set', start - 1);
      let c = b[i] as number;
      if (c === BRACE_CLOSE) {
        if (afterComma) {
          // A trailing comma: free in text (promparse), refused by Prometheus' OpenMetrics parser.
          if (!lenient) return this.failOffset('expected label name after ","', i);
          canonical = false;
        }
        break;
      }
      const nameStart = i;
      let nameEnd = -1;
      if (count < prevCount) {
        const k = count * 4;
        const ps = this.labelOffsets[k] as number;
        const len = (this.labelOffsets[k + 1] as number) - ps;
        if (i + len < n && b[i + len] === EQUALS && wordsEqual(this.view, i, ps, len)) nameEnd = i + len;
      }
      if (nameEnd < 0) {
        repeats = false;
        if (((cls[c] as number) & LABEL_START) === 0) return this.failOffset('expected label name', i);
        i++;
        while (i < n && (cls[b[i] as number] as number) & LABEL_CHAR) i++;
        nameEnd = i;
        // Prometheus adds the metric name as `__name__` and refuses a series with that name twice.
        if (record && nameEnd - nameStart === 8 && rangeEquals(b, nameStart, nameEnd, '__name__')) {
          return this.failOffset('label name "__name__" is not unique', nameStart);
        }
        if (lenient) {
          while (i < n && (b[i] === SPACE || b[i] === TAB)) {
            i++;
            canonical = false;
          }
        }
        if (b[i] !== EQUALS) return this.failOffset('expected "=" after label name', i);
      } else {
        i = nameEnd;
      }
      i++;
      if (lenient) {
        while (i < n && (b[i] === SPACE || b[i] === TAB)) {
          i++;
          canonical = false;
        }
      }
      if (b[i] !== QUOTE) return this.failOffset('expected quoted label value', i);
      i++;
      const valueStart = i;
      let highBytes = false;
      for (;;) {
        while (i < n && ((cls[b[i] as number] as number) & VALUE_STOP) === 0) i++;
        if (i >= n) return this.failOffset('unterminated label value', valueStart - 1);
        c = b[i] as number;
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          // The lexers skip NUL bytes inside a label value, also right after a backslash.
          let j = i + 1;
          while (j < n && b[j] === NUL) j++;
          const d = b[j];
          if (d === LF || j >= n) return this.failOffset('line break after "\\" in label value', i);
          if (j !== i + 1 || (d !== BACKSLASH && d !== QUOTE && d !== 110)) needsEscaping = true;
          // An escaped byte is still part of the value Prometheus checks for UTF-8.
          if ((d as number) >= 0x80) highBytes = true;
          i = j + 1;
          continue;
        }
        if (c === LF) {
          if (!lenient) return this.failOffset('line break in label value', valueStart - 1);
          needsEscaping = true;
        } else {
          highBytes = true;
        }
        i++;
      }
      const valueEnd = i;
      i++;
      if (highBytes && !this.validUtf8(valueStart, valueEnd)) {
        return this.failOffset('label value is not valid UTF-8', valueStart - 1);
      }
      if (record) {
        // Not the parsers but the TSDB refuses a series with a label twice, failing the scrape
        // (`label name … is not unique`); only for a sample too old for the head would it be
        // dropped quietly instead, which is not worth telling apart here.
        if (!repeats && this.repeatsName(count, nameStart, nameEnd)) {
          return this.failOffset(`duplicate label name "${latin1(b, nameStart, nameEnd)}"`, nameStart);
        }
        this.pushLabel(count, nameStart, nameEnd, valueStart, valueEnd);
        count++;
      }
      if (lenient) {
        while (i < n && (b[i] === SPACE || b[i] === TAB)) {
          i++;
          canonical = false;
        }
      }
      c = b[i] as number;
      if (c === COMMA) {
        i++;
        afterComma = true;
        continue;
      }
      if (c === BRACE_CLOSE) break;
      if (!lenient) return this.failOffset('expected "," or "}" after label value', i);
      // promparse needs no comma between labels (`{a="1" b="2"}`); the loop takes the next name or
      // reports what is there.
      afterComma = false;
      canonical = false;
      needsEscaping = true;
    }
    if (record) {
      this.labelCount = count;
      this.labelsCanonical = canonical;
      this.labelsNeedEscaping = needsEscaping;
    }
    return i + 1;
  }

  /** Whether the name repeats one of the first `index` labels (Prometheus rejects such a sample). */
  private repeatsName(index: number, ns: number, ne: number): boolean {
    const o = this.labelOffsets;
    const b = this.buf;
    const len = ne - ns;
    for (let k = 0; k < index * 4; k += 4) {
      const s = o[k] as number;
      if ((o[k + 1] as number) - s !== len || b[s] !== b[ns]) continue;
      let same = true;
      for (let j = 1; j < len; j++) {
        if (b[s + j] !== b[ns + j]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    return false;
  }

  private pushLabel(index: number, ns: number, ne: number, vs: number, ve: number): void {
    let o = this.labelOffsets;
    if ((index + 1) * 4 > o.length) {
      const grown = new Int32Array(o.length * 2);
      grown.set(o);
      this.labelOffsets = grown;
      o = grown;
    }
    const k = index * 4;
    o[k] = ns;
    o[k + 1] = ne;
    o[k + 2] = vs;
    o[k + 3] = ve;
  }

  private failOffset(reason: string, at: number): number {
    this.fail(reason, at);
    return -1;
  }
}

function wordsEqual(v: DataView, a: number, b: number, len: number): boolean {
  let k = 0;
  for (; k + 4 <= len; k += 4) if (v.getUint32(a + k, true) !== v.getUint32(b + k, true)) return false;
  for (; k < len; k++) if (v.getUint8(a + k) !== v.getUint8(b + k)) return false;
  return true;
}

/** Length of the common prefix of v[a, a + max) and v[b, b + max). */
function commonPrefix(v: DataView, a: number, b: number, max: number): number {
  let k = 0;
  while (k + 4 <= max && v.getUint32(a + k, true) === v.getUint32(b + k, true)) k += 4;
  while (k < max && v.getUint8(a + k) === v.getUint8(b + k)) k++;
  return k;
}
