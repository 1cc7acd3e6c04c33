/**
 * Pull parser for the Prometheus text format 0.0.4, accepting exactly what Prometheus 2.42's promparse
 * (its lexer promlex.l and parser) accepts: blank lines, spaces and tabs between tokens, free
 * comments, label sets with a trailing comma or none between labels, a value right after the name, a
 * missing final LF, and a NUL byte at the start of a line as the end of the body. Refused, as there:
 * anything else, values Go's ParseFloat refuses (incl. out of range), timestamps outside int64.
 */
import { hasByte, keywordEnd, rangeEquals, rangeIsUtf8 } from './bytes.ts';
import { Entry, MetricType } from './entry.ts';
import { classifyFloat, digitsFitInt64, INVALID_FLOAT } from './float-syntax.ts';
import { ParserBase } from './parser-base.ts';

// Byte values as local literals so the JIT folds them (see CHAR_CLASS in bytes.ts).
const LF = 10;
const NUL = 0;
const TAB = 9;
const SPACE = 32;
const HASH = 35;
const BRACE_OPEN = 123;
const METRIC_START = 1;
const METRIC_CHAR = 2;
const VALUE_NUMBER = 0; // ValueKind.Number

export class TextParser extends ParserBase {
  readonly format = 'text' as const;

  next(): Entry {
    if (this.finished !== -1) return this.finished;
    const b = this.buf;
    const n = b.length;
    let i = this.pos;
    for (;;) {
      if (i >= n) {
        this.finished = Entry.Eof;
        return Entry.Eof;
      }
      this.lineNumber++;
      this.lineStart = i;
      while (i < n && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i >= n) {
        this.finished = Entry.Eof;
        return Entry.Eof;
      }
      const c = b[i] as number;
      if (c === LF) {
        i++;
        continue;
      }
      if (c === HASH) return this.comment(i);
      // promlex reads NUL in this position as the end of input: the rest of the body is not parsed.
      if (c === NUL) {
        this.finished = Entry.Eof;
        return Entry.Eof;
      }
      // Prometheus 2.42 skips blanks before a comment or at the end of a line, but before a sample it
      // takes them as part of the metric name ("invalid metric name") and refuses the scrape.
      if (i > this.lineStart) return this.fail('invalid metric name (blanks before it)', this.lineStart);
      return this.sample(i);
    }
  }

  private comment(hash: number): Entry {
    const b = this.buf;
    const n = b.length;
    const lineEnd = this.endOfLine(hash);
    this.lineEnd = lineEnd;
    this.pos = lineEnd + 1;
    let i = hash + 1;
    const wsStart = i;
    while (i < lineEnd && (b[i] === SPACE || b[i] === TAB)) i++;
    // Bytes compared directly: this runs for every comment line, about half of a typical body.
    const kw = i > wsStart && i + 4 <= n;
    let isHelp = kw && b[i] === 72 && b[i + 1] === 69 && b[i + 2] === 76 && b[i + 3] === 80;
    let isType = kw && !isHelp && b[i] === 84 && b[i + 1] === 89 && b[i + 2] === 80 && b[i + 3] === 69;
    let after = i + 4;
    if (
      kw &&
      !isHelp &&
      !isType &&
      (b[i] === 72 || b[i] === 84) &&
      this.anyNul() &&
      hasByte(b, NUL, i, lineEnd)
    ) {
      // promlex skips NUL bytes after the keyword's first letter and in the blanks after it.
      after = keywordEnd(b, i, lineEnd, b[i] === 72 ? 'HELP' : 'TYPE');
      isHelp = after >= 0 && b[i] === 72;
      isType = after >= 0 && b[i] === 84;
      while (after >= 0 && b[after] === NUL) after++;
    }
    if ((!isHelp && !isType) || !(b[after] === SPACE || b[after] === TAB)) {
      this.textStart = hash + 1;
      this.textEnd = lineEnd;
      return Entry.Comment;
    }
    i = after;
    while (i < lineEnd && (b[i] === SPACE || b[i] === TAB || b[i] === NUL)) i++;
    const nameStart = i;
    i = this.scanName(i, lineEnd, METRIC_START, METRIC_CHAR);
    if (i < 0) return this.fail(`expected metric name after ${isHelp ? 'HELP' : 'TYPE'}`, nameStart);
    this.nameStart = nameStart;
    this.nameEnd = i;
    // promlex takes the rest of the line after the name as one token and drops its first byte,
    // whatever it is (`# TYPE a.counter` types `a`); a rest of only blanks is an empty text.
    let textStart = lineEnd;
    if (i < lineEnd) {
      if (b[i] === NUL) return this.fail('linebreak expected after metadata', i);
      let k = i;
      while (k < lineEnd && (b[k] === SPACE || b[k] === TAB)) k++;
      if (k < lineEnd) textStart = i + 1;
    }
    this.textStart = textStart;
    this.textEnd = lineEnd;
    if (isHelp) {
      // The dropped byte may have been a lead byte: then the text starts inside a character.
      const bounded = textStart === lineEnd || (b[textStart - 1] as number) < 0x80;
      const valid = bounded ? this.validUtf8(textStart, lineEnd) : rangeIsUtf8(b, textStart, lineEnd);
      if (!valid) return this.fail('help text is not valid UTF-8', textStart);
      return Entry.Help;
    }
    // The type word must be the whole text: a trailing blank makes it invalid, as in Prometheus.
    const type = textType(b, this.view, textStart, lineEnd);
    if (type < 0) return this.fail('invalid metric type', textStart);
    this.metricType = type as MetricType;
    return Entry.Type;
  }

  private sample(start: number): Entry {
    const b = this.buf;
    const n = b.length;
    this.resetSample();
    let i = this.scanName(start, n, METRIC_START, METRIC_CHAR);
    if (i < 0) return this.fail('expected metric name', start);
    this.nameStart = start;
    this.nameEnd = i;
    // No blank is needed before the value: promlex ends the name at the first byte that cannot be in
    // one, so `a-1` is `a` with value -1.
    while (i < n && (b[i] === SPACE || b[i] === TAB)) i++;
    if (b[i] === BRACE_OPEN) {
      this.labelsStart = i + 1;
      i = this.scanLabels(i + 1, true, true);
      if (i < 0) return Entry.Invalid;
      this.labelsEnd = i - 1;
      while (i < n && (b[i] === SPACE || b[i] === TAB)) i++;
    }
    if (i >= n || b[i] === LF) return this.fail('expected value after metric', i);
    const valueStart = i;
    this.valueStart = i;
    // Most values are plain decimals (`123`, `0.25`): scanned and classified in one go; anything else
    // (sign, exponent, Inf/NaN, junk) falls back to the full classification.
    while (i < n && (b[i] as number) - 48 < 10 && (b[i] as number) >= 48) i++;
    if (i > valueStart && b[i] === 46) {
      i++;
      while (i < n && (b[i] as number) - 48 < 10 && (b[i] as number) >= 48) i++;
    }
    // A run of 300 digits or more could overflow a double: left to the full classification.
    if (i > valueStart && i - valueStart < 300 && (i >= n || b[i] === SPACE || b[i] === LF || b[i] === TAB)) {
      this.valueEnd = i;
      this.valueKind = VALUE_NUMBER;
    } else {
      while (i < n && b[i] !== SPACE && b[i] !== TAB && b[i] !== LF) i++;
      this.valueEnd = i;
      const kind = classifyFloat(b, valueStart, i);
      if (kind === INVALID_FLOAT) return this.fail('invalid value', valueStart);
      this.valueKind = kind;
    }
    while (i < n && (b[i] === SPACE || b[i] === TAB)) i++;
    if (i < n && b[i] !== LF) {
      this.timestampStart = i;
      while (i < n && (b[i] as number) >= 48 && (b[i] as number) <= 57) i++;
      this.timestampEnd = i;
      if (i === this.timestampStart || (i < n && b[i] !== LF && b[i] !== SPACE && b[i] !== TAB)) {
        return this.fail('invalid timestamp', this.timestampStart);
      }
      if (i - this.timestampStart > 18 && !digitsFitInt64(b, this.timestampStart, i)) {
        return this.fail('timestamp out of int64 range', this.timestampStart);
      }
      while (i < n && (b[i] === SPACE || b[i] === TAB)) i++;
      if (i < n && b[i] !== LF) return this.fail('unexpected data after timestamp', i);
    }
    this.lineEnd = i;
    this.pos = i + 1;
    return Entry.Sample;
  }
}

const word = (ascii: string): number => Buffer.from(ascii, 'latin1').readUInt32BE(0);
const GAUG = word('gaug');
const COUN = word('coun');
const UNTY = word('unty');
const SUMM = word('summ');
const HIST = word('hist');
const OGRA = word('ogra');

/** The type word of a TYPE line, by 32-bit words (this runs for a quarter of a typical body's lines). */
function textType(b: Buffer, v: DataView, s: number, e: number): number {
  switch (e - s) {
    case 5:
      return v.getUint32(s) === GAUG && b[s + 4] === 101 ? MetricType.Gauge : -1;
    case 7: {
      const w = v.getUint32(s);
      if (w === COUN) return rangeEquals(b, s + 4, e, 'ter') ? MetricType.Counter : -1;
      if (w === UNTY) return rangeEquals(b, s + 4, e, 'ped') ? MetricType.Unknown : -1;
      if (w === SUMM) return rangeEquals(b, s + 4, e, 'ary') ? MetricType.Summary : -1;
      return -1;
    }
    case 9:
      return v.getUint32(s) === HIST && v.getUint32(s + 4) === OGRA && b[s + 8] === 109
        ? MetricType.Histogram
        : -1;
    default:
      return -1;
  }
}
