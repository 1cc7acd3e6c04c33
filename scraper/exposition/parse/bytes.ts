/** Byte-level helpers shared by the lexers and writers. Everything works on offsets into a Buffer. */
import { isUtf8 } from 'node:buffer';

export const LF = 10;
export const TAB = 9;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;
export const COMMA = 44;
export const EQUALS = 61;
export const BACKSLASH = 92;
export const BRACE_OPEN = 123;
export const BRACE_CLOSE = 125;
export const COLON = 58;
export const UNDERSCORE = 95;

/** [a-zA-Z_] — first byte of a label name. */
export function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE;
}

/** [a-zA-Z0-9_] */
export function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === UNDERSCORE;
}

/** [a-zA-Z_:] — first byte of a metric name. */
export function isMetricStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE || c === COLON;
}

/** [a-zA-Z0-9_:] */
export function isMetricChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === UNDERSCORE || c === COLON
  );
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function rangeIsUtf8(buf: Buffer, start: number, end: number): boolean {
  return isUtf8(buf.subarray(start, end));
}

/** True when buf[aStart, aEnd) equals buf2[bStart, bStart + (aEnd - aStart)). Caller checks lengths. */
export function bytesEqual(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number): boolean {
  for (let i = aStart, j = bStart; i < aEnd; i++, j++) {
    if (a[i] !== b[j]) return false;
  }
  return true;
}

/** True when buf[start, end) spells `ascii` exactly. */
export function rangeEquals(buf: Buffer, start: number, end: number, ascii: string): boolean {
  if (end - start !== ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) {
    if (buf[start + i] !== ascii.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether `byte` occurs in buf[start, end): bounded, unlike indexOf, which runs on to the body's end. */
export function hasByte(buf: Buffer, byte: number, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === byte) return true;
  return false;
}

/**
 * End of the keyword `word` at buf[start] when the bytes spell it with NUL bytes anywhere after its
 * first letter, or -1. The Prometheus lexers skip NULs inside comment keywords (`# H\0ELP` is HELP).
 */
export function keywordEnd(buf: Buffer, start: number, end: number, word: string): number {
  if (buf[start] !== word.charCodeAt(0)) return -1;
  let i = start + 1;
  for (let w = 1; w < word.length; w++) {
    while (i < end && buf[i] === 0) i++;
    if (i >= end || buf[i] !== word.charCodeAt(w)) return -1;
    i++;
  }
  return i;
}

const QUOTE_LIMIT = 40;

/**
 * The offending bytes for an error message: at most QUOTE_LIMIT bytes from `start`, stopping at the
 * end of the line, JSON-quoted so control characters and odd bytes stay visible and harmless in logs.
 */
export function quoteBytes(buf: Buffer, start: number): string {
  const from = Math.min(Math.max(start, 0), buf.length);
  let end = from;
  const max = Math.min(buf.length, from + QUOTE_LIMIT);
  while (end < max && buf[end] !== LF) end++;
  const cut = end === max && end < buf.length && buf[end] !== LF;
  return JSON.stringify(buf.toString('utf8', from, end)) + (cut ? '…' : '');
}

/** Bytes as a one-char-per-byte string: names and numbers are ASCII, and raw bytes survive a round trip. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}

/**
 * Character classes by byte, one load and one AND per byte in the lexers' inner loops. Hot files
 * copy the flag values into module-local literals: imported bindings are live and not constant-folded.
 */
export const CLASS_METRIC_START = 1;
export const CLASS_METRIC_CHAR = 2;
export const CLASS_LABEL_START = 4;
export const CLASS_LABEL_CHAR = 8;
/** Bytes that end the plain run of a label value: `"`, `\\`, LF, and any non-ASCII byte. */
export const CLASS_VALUE_STOP = 16;

function buildCharClass(): number[] {
  const table: number[] = [];
  for (let c = 0; c < 256; c++) {
    let flags = 0;
    if (isMetricStart(c)) flags |= CLASS_METRIC_START;
    if (isMetricChar(c)) flags |= CLASS_METRIC_CHAR;
    if (isLabelStart(c)) flags |= CLASS_LABEL_START;
    if (isLabelChar(c)) flags |= CLASS_LABEL_CHAR;
    if (c === QUOTE || c === BACKSLASH || c === LF || c >= 0x80) flags |= CLASS_VALUE_STOP;
    table.push(flags);
  }
  return table;
}

/**
 * Read-only after module load. A plain array of small integers, not a Uint8Array: once anything in the
 * process has detached an ArrayBuffer (undici's wasm parser does when its memory grows; tsx's loader
 * too), every typed array access carries a detach check, and the lexers look up one class per byte.
 */
export const CHAR_CLASS: readonly number[] = buildCharClass();
