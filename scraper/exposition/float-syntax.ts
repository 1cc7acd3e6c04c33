/**
 * Number spellings as Prometheus accepts them (Go strconv.ParseFloat minus hex and `_`, which
 * textparse rejects), and the millisecond arithmetic Prometheus applies to OpenMetrics timestamps.
 */
import { latin1 } from './bytes.ts';
import { ValueKind } from './entry.ts';

/** Returned by classifyFloat for bytes Prometheus would not parse as a float. */
export const INVALID_FLOAT = -1;

function lower(c: number | undefined): number {
  return c === undefined ? -1 : c | 0x20;
}

function matchesWord(buf: Buffer, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(buf[start + i]) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Classifies buf[start, end) as a ValueKind, or INVALID_FLOAT. Case-insensitive inf/infinity/nan like Go. */
export function classifyFloat(buf: Buffer, start: number, end: number): ValueKind | typeof INVALID_FLOAT {
  let i = start;
  let negative = false;
  const first = buf[i];
  if (first === 43 || first === 45) {
    negative = first === 45;
    i++;
  }
  if (i >= end) return INVALID_FLOAT;
  const c = buf[i] as number;
  if ((c | 0x20) === 105 /* i */) {
    return matchesWord(buf, i, end, 'inf') || matchesWord(buf, i, end, 'infinity')
      ? negative
        ? ValueKind.NegInf
        : ValueKind.PosInf
      : INVALID_FLOAT;
  }
  if ((c | 0x20) === 110 /* n */) {
    // Go accepts a sign before NaN too.
    return matchesWord(buf, i, end, 'nan') ? ValueKind.NaN : INVALID_FLOAT;
  }
  let digits = 0;
  while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
    i++;
    digits++;
  }
  if (i < end && buf[i] === 46) {
    i++;
    while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return INVALID_FLOAT;
  if (i < end && ((buf[i] as number) | 0x20) === 101 /* e */) {
    i++;
    if (i < end && (buf[i] === 43 || buf[i] === 45)) i++;
    let expDigits = 0;
    while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return INVALID_FLOAT;
  }
  return i === end ? ValueKind.Number : INVALID_FLOAT;
}

/** The float value of bytes already accepted by classifyFloat. */
export function parseFloatBytes(buf: Buffer, start: number, end: number, kind: ValueKind): number {
  if (kind === ValueKind.PosInf) return Number.POSITIVE_INFINITY;
  if (kind === ValueKind.NegInf) return Number.NEGATIVE_INFINITY;
  if (kind === ValueKind.NaN) return Number.NaN;
  return Number(latin1(buf, start, end));
}

/** Canonical OpenMetrics spelling of the special values. */
export function canonicalSpecial(kind: ValueKind): string {
  return kind === ValueKind.PosInf ? '+Inf' : kind === ValueKind.NegInf ? '-Inf' : 'NaN';
}

/**
 * Milliseconds Prometheus stores for an OpenMetrics timestamp given in seconds: Go's
 * `int64(seconds * 1000)`, i.e. truncation toward zero of the float product.
 */
export function omSecondsToMs(seconds: number): number {
  return Math.trunc(seconds * 1000);
}

/**
 * A seconds string that Prometheus turns back into exactly `msText` milliseconds. The plain decimal
 * (`…sss.mmm`) usually survives `trunc(x * 1000)`; when float rounding lands just below, a trailing 5
 * (half a millisecond) keeps the truncation on the right integer without changing which one it is.
 */
export function msTextToOmSeconds(msText: string): string {
  let sign = '';
  let digits = msText;
  if (digits.startsWith('-') || digits.startsWith('+')) {
    sign = digits[0] === '-' ? '-' : '';
    digits = digits.slice(1);
  }
  digits = digits.replace(/^0+(?=\d)/, '');
  const padded = digits.padStart(4, '0');
  const whole = padded.slice(0, -3);
  const frac = padded.slice(-3);
  const plain = frac === '000' ? `${sign}${whole}` : `${sign}${whole}.${frac}`;
  const target = Number(`${sign}${digits}`);
  if (omSecondsToMs(Number(plain)) === target) return plain;
  return `${sign}${whole}.${frac}5`;
}
