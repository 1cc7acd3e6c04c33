/** Maps a transport error to a failure reason; `timedOut` says our deadline fired (any error then is a timeout). */
export function classifyError(err: unknown, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  switch (code) {
    case 'OUTBOUND_REFUSED':
      // The route's host resolved to an address no app can have (see APP_ROUTE_ADDRESS_KINDS).
      return 'address_refused';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'connection_reset';
  }
  if (code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) return 'tls';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  return 'network';
}

/**
 * gorouter answers its own errors with `X-Cf-Routererror`; the value may carry a detail in
 * parentheses (`endpoint_failure (…)`), only its first word is a stable reason.
 */
export function routerReason(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const word = value
    .trim()
    .split(/[\s(]/, 1)[0]
    ?.toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  return word ? `router_${word}` : undefined;
}
