/**
 * Escaping of label values and HELP texts. Decoding follows Prometheus (textparse replacers): only the
 * known sequences are undone, any other backslash stays a literal backslash. Encoding is canonical, so
 * a value Prometheus reads back is byte for byte the one it would have read from the target.
 */
import { BACKSLASH, LF, QUOTE } from './bytes.ts';
import type { ExpositionFormat } from './entry.ts';

const N = 110; // 'n'

/** Label values (both formats) and OpenMetrics HELP: `\\`, `\"`, `\n`. Text HELP: `\\`, `\n` only. */
function decode(buf: Buffer, start: number, end: number, quoteEscapes: boolean): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c === BACKSLASH && i + 1 < end) {
      const d = buf[i + 1];
      if (d === BACKSLASH || (d === QUOTE && quoteEscapes)) {
        out[o++] = d;
        i++;
        continue;
      }
      if (d === N) {
        out[o++] = LF;
        i++;
        continue;
      }
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

function encode(raw: Buffer, escapeQuote: boolean): Buffer {
  let extra = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === BACKSLASH || c === LF || (c === QUOTE && escapeQuote)) extra++;
  }
  if (extra === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + extra);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number;
    if (c === BACKSLASH) {
      out[o++] = BACKSLASH;
      out[o++] = BACKSLASH;
    } else if (c === LF) {
      out[o++] = BACKSLASH;
      out[o++] = N;
    } else if (c === QUOTE && escapeQuote) {
      out[o++] = BACKSLASH;
      out[o++] = QUOTE;
    } else {
      out[o++] = c;
    }
  }
  return out;
}

/** The value Prometheus stores for the escaped label value buf[start, end) (quotes excluded). */
export function decodeLabelValue(buf: Buffer, start: number, end: number): Buffer {
  return decode(buf, start, end, true);
}

export function encodeLabelValue(raw: Buffer): Buffer {
  return encode(raw, true);
}

/** Escapes a caller-supplied label value (CF names may hold quotes, backslashes, newlines). */
export function escapeLabelValue(value: string): Buffer {
  return encode(Buffer.from(value, 'utf8'), true);
}

export function decodeHelp(buf: Buffer, start: number, end: number, format: ExpositionFormat): Buffer {
  return decode(buf, start, end, format === 'openmetrics');
}

export function encodeHelp(raw: Buffer, format: ExpositionFormat): Buffer {
  return encode(raw, format === 'openmetrics');
}

/**
 * HELP text of one format re-spelled for another. Returns a view of the input when the bytes are
 * valid as they stand (the common case), so nothing is copied.
 */
export function convertHelp(
  buf: Buffer,
  start: number,
  end: number,
  from: ExpositionFormat,
  to: ExpositionFormat,
): Buffer {
  let rewrite = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === BACKSLASH || (c === QUOTE && to === 'openmetrics')) {
      rewrite = true;
      break;
    }
  }
  if (!rewrite) return buf.subarray(start, end);
  return encodeHelp(decodeHelp(buf, start, end, from), to);
}
