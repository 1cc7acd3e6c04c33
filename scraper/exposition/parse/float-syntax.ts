/**
 * Number spellings as Prometheus 2.42 accepts them (Go strconv.ParseFloat minus hex and `_`, which
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
    // Go takes a sign before Inf but not before NaN: `-NaN` fails the scrape.
    return i === start && matchesWord(buf, i, end, 'nan') ? ValueKind.NaN : INVALID_FLOAT;
  }
  let digits = 0;
  while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
    i++;
    digits++;
  }
  const intDigits = digits;
  if (i < end && buf[i] === 46) {
    i++;
    while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return INVALID_FLOAT;
  // Decimal magnitude bound: past ~10^300 the exact check below decides.
  let magnitude = intDigits;
  if (i < end && ((buf[i] as number) | 0x20) === 101 /* e */) {
    i++;
    let expSign = 1;
    if (i < end && (buf[i] === 43 || buf[i] === 45)) {
      if (buf[i] === 45) expSign = -1;
      i++;
    }
    let expDigits = 0;
    let exp = 0;
    while (i < end && (buf[i] as number) >= 48 && (buf[i] as number) <= 57) {
      if (exp < 1e6) exp = exp * 10 + (buf[i] as number) - 48;
      i++;
      expDigits++;
    }
    if (expDigits === 0) return INVALID_FLOAT;
    magnitude += expSign * exp;
  }
  if (i !== end) return INVALID_FLOAT;
  // Beyond the largest double Go's ParseFloat answers ErrRange and Prometheus refuses the body; below
  // the smallest it rounds to 0 without error. JS rounds the same way, so Infinity marks the overflow.
  if (magnitude > 300 && !Number.isFinite(Number(latin1(buf, start, end)))) return INVALID_FLOAT;
  return ValueKind.Number;
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

const INT64_LIMIT = 2 ** 63;
/** What Go's float64 → int64 conversion gives for a value out of range, on amd64. */
export const INT64_MIN = -INT64_LIMIT;

/**
 * Milliseconds Prometheus stores for an OpenMetrics timestamp given in seconds: Go's
 * `int64(seconds * 1000)`, i.e. truncation toward zero of the float product; out of int64's range
 * amd64 gives the minimum int64 (such a sample is out of bounds for the TSDB and not stored).
 */
export function omSecondsToMs(seconds: number): number {
  const ms = Math.trunc(seconds * 1000);
  return ms >= INT64_LIMIT || ms < -INT64_LIMIT ? INT64_MIN : ms === 0 ? 0 : ms;
}

/** The largest int64: text timestamps above it make Go's ParseInt, hence the scrape, fail. */
const INT64_MAX_DIGITS = '9223372036854775807';

/** Whether the digit run buf[start, end) is at most int64's maximum (leading zeros allowed). */
export function digitsFitInt64(buf: Buffer, start: number, end: number): boolean {
  let s = start;
  while (s < end - 1 && buf[s] === 48) s++;
  const len = end - s;
  if (len !== 19) return len < 19;
  for (let k = 0; k < 19; k++) {
    const d = buf[s + k] as number;
    const m = INT64_MAX_DIGITS.charCodeAt(k);
    if (d !== m) return d < m;
  }
  return true;
}

/**
 * A seconds string that Prometheus turns back into exactly `msText` milliseconds, or undefined when
 * there is none (past 2^53 ms not every integer is a double's product). The plain decimal
 * (`…sss.mmm`) usually survives `trunc(x * 1000)`; when float rounding lands just below, a trailing 5
 * (half a millisecond) keeps the truncation on the right integer without changing which one it is.
 */
export function msTextToOmSeconds(msText: string): string | undefined {
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
  const target = BigInt(`${sign}${digits}`);
  for (const candidate of [plain, `${sign}${whole}.${frac}5`]) {
    const ms = omSecondsToMs(Number(candidate));
    if (ms !== INT64_MIN && BigInt(ms) === target) return candidate;
  }
  return undefined;
}
