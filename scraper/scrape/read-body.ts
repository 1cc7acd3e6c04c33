import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { discard } from './discard.ts';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'body_too_large' | 'bad_encoding' };

/**
 * Reads a response body into one buffer, cutting it off as soon as it passes `limit` bytes. With
 * `gzip` the limit applies to the decompressed bytes, checked chunk by chunk as gunzip produces them,
 * so a gzip bomb is stopped after at most `limit` + one chunk of output. Errors of the source (abort,
 * reset) are rethrown for the caller to classify.
 */
export async function readLimited(source: Readable, limit: number, gzip: boolean): Promise<BodyResult> {
  let stream: Readable = source;
  let pipeError: Error | undefined;
  if (gzip) {
    const gunzip = createGunzip();
    stream = pipeline(source, gunzip, (err) => {
      if (err) pipeError = err;
    });
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        discard(stream);
        discard(source);
        return { ok: false, reason: 'body_too_large' };
      }
      parts.push(chunk);
    }
  } catch (err) {
    discard(source);
    if (gzip && isZlibError(err ?? pipeError)) return { ok: false, reason: 'bad_encoding' };
    throw err;
  }
  return { ok: true, body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size) };
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
