import type { ServerResponse } from 'node:http';
import type { AuthFailureCode } from '../auth/index.ts';
import type { StreamSink } from '../scrape/merge-space.ts';

/** A finished response body, shareable between callers of one fan-out. */
export interface Rendered {
  status: number;
  contentType: string;
  encoding: 'gzip' | undefined;
  chunks: readonly Buffer[];
  bytes: number;
  /** Set when the chunks go back to a pool once every response writing them is done. */
  shared?: SharedChunks;
}

/**
 * Counts the responses writing one shared body. Its chunks are handed back only when every response
 * that used them has finished normally: a response that was cut off might still have writes queued,
 * so then they are simply left to the GC. Every user registers before any can close (all callers of a
 * fan-out resume in the same microtask turn; a close needs I/O).
 */
export class SharedChunks {
  private users = 0;
  private cutOff = false;

  constructor(private readonly release: () => void) {}

  use(res: ServerResponse): void {
    this.users++;
    res.once('close', () => {
      if (!res.writableFinished) this.cutOff = true;
      if (--this.users === 0 && !this.cutOff) this.release();
    });
  }
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

/**
 * An uncompressed merged body written to every response of a fan-out while it is still being
 * assembled: each caller subscribes as it joins; the headers go out once the total size is known and
 * each chunk as soon as it is full, so the first bytes leave before the last are assembled. A caller
 * joining late is sent what is there so far. The chunks go back to the pool (SharedChunks) once every
 * response has finished.
 */
export class LiveBody implements StreamSink {
  private readonly chunks: Buffer[] = [];
  private readonly subscribers: ServerResponse[] = [];
  private bytes = -1;
  private done = false;
  private release: (() => void) | undefined;
  private readonly shared = new SharedChunks(() => this.release?.());

  constructor(
    private readonly status: number,
    private readonly contentType: string,
  ) {}

  /** Headers are out (the size was known): a failure now can only cut the responses off. */
  get started(): boolean {
    return this.bytes >= 0;
  }

  subscribe(res: ServerResponse): void {
    this.subscribers.push(res);
    if (!this.started) return;
    this.open(res);
    for (const chunk of this.chunks) writeLive(res, chunk);
    if (this.done) res.end();
  }

  begin(bytes: number): void {
    this.bytes = bytes;
    for (const res of this.subscribers) this.open(res);
  }

  chunk(chunk: Buffer): void {
    this.chunks.push(chunk);
    for (const res of this.subscribers) writeLive(res, chunk);
  }

  /**
   * Between chunks: lets the event loop run so the sockets take what was written. The chunks are
   * held until released anyway, so a slow reader costs no extra memory and assembly need not wait.
   */
  pause(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Every chunk is out; `release` hands them back once all responses have finished. */
  end(release: () => void): void {
    this.release = release;
    this.done = true;
    for (const res of this.subscribers) if (!res.writableEnded) res.end();
  }

  private open(res: ServerResponse): void {
    this.shared.use(res);
    res.writeHead(this.status, bodyHeaders(this.contentType, this.bytes, undefined));
    if (res.req.method === 'HEAD') res.end();
  }
}

/** Not corked: each chunk is handed to the socket right away, the write queue holds what it cannot take. */
function writeLive(res: ServerResponse, chunk: Buffer): void {
  if (!res.writableEnded && !res.destroyed) res.write(chunk);
}

export function sendRendered(res: ServerResponse, r: Rendered, extra: Record<string, string> = {}): void {
  const headers = bodyHeaders(r.contentType, r.bytes, r.encoding, extra);
  r.shared?.use(res);
  res.writeHead(r.status, headers);
  if (res.req.method === 'HEAD') return void res.end();
  // Corked, headers and every chunk leave in one writev instead of one syscall per chunk.
  res.cork();
  for (const chunk of r.chunks) res.write(chunk);
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
  bad_credentials: 'invalid credentials',
  invalid_token: 'invalid token',
  insufficient_scope: 'token lacks the read scope',
  token_keys_unavailable: 'token keys unavailable, try again later',
};

/** One mapping of authentication failures to responses; the message never names a key or a token. */
export function sendAuthFailure(res: ServerResponse, status: 401 | 403 | 503, code: AuthFailureCode): void {
  const headers: Record<string, string> =
    status === 401
      ? { 'www-authenticate': 'Basic realm="promregator"' }
      : status === 503
        ? { 'retry-after': '5' }
        : {};
  sendText(res, status, AUTH_MESSAGES[code], headers);
}

/** The same answer for "no such space" and "nothing you may read there": existence is not revealed. */
export function sendNotFound(res: ServerResponse): void {
  sendText(res, 404, 'not found');
}
