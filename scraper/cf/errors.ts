/**
 * Stable codes of every failure that leaves scraper/cf. Raw undici/network errors never escape: they are
 * the `cause` of one of these.
 */
export type CfErrorCode =
  /** Connection refused/reset, DNS, TLS: the CC or UAA could not be reached. */
  | 'CF_UNREACHABLE'
  /** No complete answer within the request timeout. */
  | 'CF_TIMEOUT'
  /** 429 still after the bounded retries, or a Retry-After longer than we are willing to wait. */
  | 'CF_RATE_LIMITED'
  /** Any other non-2xx answer from the CC (after retries for 5xx). */
  | 'CF_HTTP_STATUS'
  /** The answer was not the JSON we need. */
  | 'CF_BAD_RESPONSE'
  /** UAA refused or failed the token request. */
  | 'CF_TOKEN_FAILED'
  /** Neither client credentials nor username/password configured, or no CF API URL. */
  | 'CF_NOT_CONFIGURED'
  /** The client was closed. */
  | 'CF_CLOSED';

export class CfError extends Error {
  override readonly name = 'CfError';
  readonly code: CfErrorCode;
  /** HTTP status when the failure is an answer. */
  readonly status: number | undefined;
  constructor(code: CfErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

export function isCfError(error: unknown): error is CfError {
  return error instanceof CfError;
}
