import type { ServerResponse } from 'node:http';
import type { AuthFailureCode, AuthResult } from '../auth/index.ts';
import type { StreamedAnswer } from './stream-answer.ts';

/** A response body, shareable between callers of one fan-out: finished chunks, or written as it is sent. */
export interface Rendered {
  status: number;
  contentType: string;
  encoding: 'gzip' | undefined;
  bytes: number;
  body: { chunks: readonly Buffer[] } | { stream: StreamedAnswer };
}

function bodyHeaders(
  contentType: string,
  bytes: number,
  encoding: 'gzip' | undefined,
  extra: Record<string, string> = {},
): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': bytes,
    vary: 'Accept, Accept-Encoding',
    'cache-control': 'no-store',
    ...extra,
  };
  if (encoding) headers['content-encoding'] = encoding;
  return headers;
}

export function sendRendered(res: ServerResponse, r: Rendered, extra: Record<string, string> = {}): void {
  const headers = bodyHeaders(r.contentType, r.bytes, r.encoding, extra);
  res.writeHead(r.status, headers);
  const head = res.req.method === 'HEAD';
  if ('stream' in r.body) {
    r.body.stream.attach(res, head);
    if (head) res.end();
    return;
  }
  if (head) return void res.end();
  // Corked, headers and every chunk leave in gathered writes instead of one syscall per chunk.
  res.cork();
  for (const chunk of r.body.chunks) res.write(chunk);
  res.end();
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const AUTH_MESSAGES: Record<AuthFailureCode, string> = {
  missing_credentials: 'authentication required',
  // One message for both: which usernames exist is not revealed.
  unknown_user: 'invalid credentials',
  wrong_password: 'invalid credentials',
  rate_limited: 'too many failed attempts for this user, try again later',
  invalid_token: 'invalid token',
  insufficient_scope: 'token lacks the read scope',
  token_keys_unavailable: 'token keys unavailable, try again later',
};

/** One mapping of authentication failures to responses; the message never names a key or a token. */
export function sendAuthFailure(res: ServerResponse, failure: Extract<AuthResult, { ok: false }>): void {
  const headers: Record<string, string> =
    failure.status === 401
      ? { 'www-authenticate': 'Basic realm="promregator"' }
      : failure.status === 503
        ? { 'retry-after': '5' }
        : failure.status === 429
          ? { 'retry-after': String(failure.retryAfterSeconds) }
          : {};
  sendText(res, failure.status, AUTH_MESSAGES[failure.code], headers);
}

/** The same answer for "no such space" and "nothing you may read there": existence is not revealed. */
export function sendNotFound(res: ServerResponse): void {
  sendText(res, 404, 'not found');
}
