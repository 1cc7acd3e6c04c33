import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gunzipSync } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { gunzipInto } from './gunzip-into.ts';

const gunzip = promisify(gunzipCallback);

/**
 * Compressed bodies up to this size are inflated on the spot when they cannot be inflated into the
 * sink. zlib's async one-shot API builds a stream, a handle and an output buffer per call and
 * round-trips through the threadpool: for 200 bodies of ~6 KB (100 KB inflated) that took 40–80 ms of
 * CPU, nearly all of it on the main thread, against 18 ms for inflating them synchronously. Beyond it,
 * the inflate itself outweighs that overhead and runs on the threadpool. A small body is still bounded
 * by `maxBodyBytes` once inflated, so a gzip bomb blocks for at most the time it takes to inflate that
 * many bytes.
 */
const SYNC_INFLATE_MAX_BYTES = 64 << 10;

export type Collected =
  /** A 2xx response with its body, decompressed when it came gzipped. */
  | { kind: 'body'; status: number; headers: IncomingHttpHeaders; body: Buffer }
  /** Any other final status; the body was not read (the connection is dropped instead). */
  | { kind: 'status'; status: number; headers: IncomingHttpHeaders }
  | { kind: 'refused'; reason: 'body_too_large' | 'bad_encoding' };

export interface CollectOptions {
  dispatcher: Dispatcher;
  url: string;
  headers: Record<string, string>;
  /** Limit on the body as received and, for gzip, again on the decompressed bytes. */
  maxBodyBytes: number;
  /** Where bodies go (e.g. a scrape's BodyArena); default: a buffer of their own. */
  sink?: BodySink;
  /**
   * Told the bytes of each buffer the body came through once it is copied out of it: a piece written
   * into reserved room at once, as it arrives, so that collecting it need not wait for the body's end
   * (a space's bodies arrive side by side and mostly end together).
   */
  onGarbage?: (bytes: number) => void;
}

/** Memory for bodies: pieces joined at the end, or room reserved up front and filled as they arrive. */
export interface BodySink {
  /** One buffer holding `parts` (`size` bytes in all). */
  join(parts: readonly Buffer[], size: number): Buffer;
  /** Room for a body of `size` bytes, filled as it arrives; undefined when the pieces are to be joined. */
  reserve(size: number): Buffer | undefined;
  /** `room` (from reserve) holds a whole body of `size` bytes: returns that body. */
  commit(room: Buffer, size: number): Buffer;
  /** `room` (from reserve) will not hold a body. */
  abandon(room: Buffer): void;
}

export interface CollectCall {
  readonly response: Promise<Collected>;
  /** Stops the exchange: the promise rejects with `reason` unless it has settled already. */
  abort(reason: Error): void;
}

/** Output space zlib gets for a body whose trailer gives no usable size: its default, 16 KB, is too small. */
const INFLATE_CHUNK_MIN = 64 << 10;
const INFLATE_CHUNK_MAX = 1 << 20;

/**
 * zlib hands back its output in chunkSize pieces, each a new buffer (and, async, a threadpool round
 * trip), and joins them with one more copy: a body that fits one piece costs one allocation and no
 * join. The gzip trailer gives the inflated size (ISIZE, RFC 1952 §2.3.1: of the last member, mod 2^32),
 * plus a margin so that zlib sees the stream end without asking for another piece. It is the target's
 * word, so it only chooses within the bounds a body without it gets: a false size costs at most what
 * any body costs. 200 × 100 KB bodies at ~17:1 inflated in ~48 ms instead of ~88 ms with the former
 * guess of 16 × the compressed size (two pieces and a join each).
 */
function inflateChunkSize(compressed: Buffer): number {
  return Math.min(INFLATE_CHUNK_MAX, Math.max(INFLATE_CHUNK_MIN, declaredSize(compressed) + 64));
}

/** The inflated size the gzip trailer states (ISIZE), 0 when there is no trailer. */
function declaredSize(compressed: Buffer): number {
  return compressed.length >= 18 ? compressed.readUInt32LE(compressed.length - 4) : 0;
}

/**
 * A gzip body inflated straight into room in the sink, sized by its trailer (the target's word: room
 * that turns out too small, or is not to be had, leaves it to zlib's own calls and their bound), so the
 * inflated bytes are neither a buffer of their own nor copied.
 */
function inflateIntoSink(sink: BodySink, compressed: Buffer, limit: number): Buffer | undefined {
  const room = sink.reserve(Math.min(limit, declaredSize(compressed) + 64));
  if (room === undefined) return undefined;
  let size: number | undefined;
  try {
    size = gunzipInto(compressed, room);
  } catch (err) {
    sink.abandon(room);
    throw err;
  }
  if (size !== undefined) return sink.commit(room, size);
  sink.abandon(room);
  return undefined;
}

const defaultJoin = (parts: readonly Buffer[], size: number): Buffer =>
  parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);

/**
 * One GET with its body collected in memory, through undici's dispatch API: the body's pieces are
 * copied into the sink's reserved room (plain, declared length) or kept until the end, with no stream,
 * async iterator or promise per piece in between (that machinery cost more CPU than the pieces' bytes
 * for a 100 KB metrics body). Bodies are bounded by `maxBodyBytes` while they arrive, and room by the
 * sink (BodyArena: a quarter slab), so a target declaring a large body and sending nothing holds no
 * more than one sending it would. gzip is inflated at the end (large bodies off the main thread) with
 * the same bound on its output, so a gzip bomb stops at the limit. Transport errors reject the promise.
 */
export function collectResponse(options: CollectOptions): CollectCall {
  const url = new URL(options.url);
  let settle!: (value: Collected) => void;
  let fail!: (err: Error) => void;
  let settled = false;
  const response = new Promise<Collected>((resolve, reject) => {
    settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    fail = (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
  });

  let controller: Dispatcher.DispatchController | undefined;
  let abortedWith: Error | undefined;
  const stop = (err: Error): void => {
    abortedWith ??= err;
    if (controller !== undefined && !controller.aborted) controller.abort(err);
  };

  const limit = options.maxBodyBytes;
  let collecting = false;
  let gzip = false;
  let status = 0;
  let headers: IncomingHttpHeaders = {};
  let parts: Buffer[] = [];
  let size = 0;
  // A plain body of declared length is copied piece by piece into room reserved for it: each piece
  // dies young, instead of living (and being promoted to the old generation) until the body is whole.
  let room: Buffer | undefined;
  const sink = options.sink;
  const dropRoom = (): void => {
    if (room !== undefined) sink?.abandon(room);
    room = undefined;
  };

  const refuse = (reason: 'body_too_large' | 'bad_encoding'): void => {
    collecting = false;
    dropRoom();
    parts = [];
    settle({ kind: 'refused', reason });
    stop(new Error(reason));
  };

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (abortedWith !== undefined) c.abort(abortedWith);
    },
    onResponseStart(_c, statusCode, responseHeaders) {
      if (statusCode < 200) return; // informational, the final status follows
      status = statusCode;
      headers = responseHeaders as IncomingHttpHeaders;
      if (statusCode >= 300) {
        settle({ kind: 'status', status, headers });
        stop(new Error(`status ${statusCode}`));
        return;
      }
      const encoding = String(headers['content-encoding'] ?? '').toLowerCase();
      gzip = encoding === 'gzip' || encoding === 'x-gzip';
      if (encoding !== '' && encoding !== 'identity' && !gzip) return refuse('bad_encoding');
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) return refuse('body_too_large');
      collecting = true;
      if (!gzip && declared > 0 && Number.isInteger(declared)) room = sink?.reserve(declared);
    },
    onResponseData(_c, chunk) {
      if (!collecting) return;
      if (room !== undefined) {
        // HTTP/1.1 framing delivers at most the declared length; should more come, join pieces instead.
        if (size + chunk.length <= room.length) {
          room.set(chunk, size);
          size += chunk.length;
          options.onGarbage?.(chunk.length);
          return;
        }
        parts.push(Buffer.from(room.subarray(0, size)));
        dropRoom();
      }
      size += chunk.length;
      if (size > limit) return refuse('body_too_large');
      parts.push(chunk);
    },
    onResponseEnd() {
      if (!collecting) return;
      collecting = false;
      if (room !== undefined && sink !== undefined) {
        const body = sink.commit(room, size);
        room = undefined;
        settle({ kind: 'body', status, headers, body });
        return;
      }
      // The pieces kept so far are copied out (into the sink, the join or zlib) from here on.
      options.onGarbage?.(size);
      if (!gzip) {
        const body = sink === undefined ? defaultJoin(parts, size) : sink.join(parts, size);
        settle({ kind: 'body', status, headers, body });
        return;
      }
      const compressed = defaultJoin(parts, size);
      const refused = (err: NodeJS.ErrnoException) =>
        settle({
          kind: 'refused',
          reason: err.code === 'ERR_BUFFER_TOO_LARGE' ? 'body_too_large' : 'bad_encoding',
        });
      // Straight into room in the sink whatever the compressed size: the room (at most a quarter slab)
      // bounds the time this takes on the spot.
      try {
        const direct = sink === undefined ? undefined : inflateIntoSink(sink, compressed, limit);
        if (direct !== undefined) return settle({ kind: 'body', status, headers, body: direct });
      } catch (err) {
        return refused(err as NodeJS.ErrnoException);
      }
      // Otherwise copied into the join (the scrape's pooled arena), so zlib's buffers die young.
      const chunkSize = inflateChunkSize(compressed);
      const inflated = (body: Buffer) => {
        if (sink !== undefined) options.onGarbage?.(body.length);
        settle({
          kind: 'body',
          status,
          headers,
          body: sink === undefined ? body : sink.join([body], body.length),
        });
      };
      if (size <= SYNC_INFLATE_MAX_BYTES) {
        let body: Buffer;
        try {
          body = gunzipSync(compressed, { maxOutputLength: limit, chunkSize });
        } catch (err) {
          return refused(err as NodeJS.ErrnoException);
        }
        return inflated(body);
      }
      gunzip(compressed, { maxOutputLength: limit, chunkSize }).then(inflated, refused);
    },
    onResponseError(_c, err) {
      collecting = false;
      dropRoom();
      fail(abortedWith ?? err);
    },
  };

  try {
    options.dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers: options.headers },
      handler,
    );
  } catch (err) {
    fail(err instanceof Error ? err : new Error(String(err)));
  }
  return {
    response,
    abort(reason) {
      // Nothing is written into reserved room once the exchange is given up on.
      collecting = false;
      dropRoom();
      fail(reason);
      stop(reason);
    },
  };
}
