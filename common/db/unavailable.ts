/**
 * True when an error means "the database cannot be reached" rather than "the query is wrong": such
 * failures become 503 for callers, everything else stays a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (
      NETWORK_CODES.has(code) ||
      code.startsWith('08') ||
      code === '57P01' ||
      code === '57P02' ||
      code === '57P03'
    ) {
      return true;
    }
    if (
      e.name === 'KnexTimeoutError' ||
      /Connection terminated|Timeout acquiring a connection|connect ECONNREFUSED|Connection ended/i.test(
        message,
      )
    ) {
      return true;
    }
    current = e.cause;
  }
  return false;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
