import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);

export interface GzipMembersOptions {
  level: number;
  /** Uncompressed bytes per member (the last may be smaller). */
  memberBytes: number;
  /** Members compressed at once, each a job on the libuv threadpool (4 threads by default). */
  concurrency: number;
  /** Called once every input chunk has been copied out: from then on nothing reads them. */
  onConsumed?: () => void;
}

/**
 * `chunks`, concatenated, as one gzip stream made of independent members (RFC 1952 §2.2: a gzip file
 * is a series of members; zlib's gunzip, Go's compress/gzip as Prometheus reads a scrape, curl and
 * browsers all decode it as one body). Members are compressed concurrently off the main thread, so a
 * large merged answer costs no event-loop time beyond copying its chunks into members, and on more
 * than one core less wall time than one stream. Only `concurrency` members' input is held at a time:
 * no uncompressed copy of the whole answer is ever made. Compression restarts its dictionary at each
 * member, which costs ~1% of the compressed size at 1 MB members (bench/space-scrape.bench.ts).
 */
export async function gzipMembers(chunks: readonly Buffer[], options: GzipMembersOptions): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let next = 0;
  let consumed = false;
  // Once a job fails the chunks may be released while other workers would still copy from them.
  let failed = false;
  const consume = () => {
    if (consumed) return;
    consumed = true;
    options.onConsumed?.();
  };
  let offset = 0; // into chunks[next]
  /** The next member's input: the next `memberBytes` of the chunks, copied out (members split chunks). */
  const take = (into: Buffer): Buffer | undefined => {
    while (next < chunks.length && (chunks[next] as Buffer).length === offset) {
      next++;
      offset = 0;
    }
    if (next >= chunks.length) return undefined;
    let size = 0;
    for (let c = next, o = offset; c < chunks.length && size < options.memberBytes; c++, o = 0) {
      size += Math.min((chunks[c] as Buffer).length - o, options.memberBytes - size);
    }
    const member = into.subarray(0, size);
    let at = 0;
    while (at < size) {
      const chunk = chunks[next] as Buffer;
      const n = Math.min(chunk.length - offset, size - at);
      at += chunk.copy(member, at, offset, offset + n);
      offset += n;
      if (offset === chunk.length) {
        next++;
        offset = 0;
      }
    }
    return member;
  };
  const worker = async () => {
    // One input buffer per worker, refilled once zlib is done with it: a scrape's members allocate a
    // few MB, not the whole answer again (external memory is what drives V8's full collections).
    let buffer: Buffer | undefined;
    for (;;) {
      const index = out.length;
      if (next < chunks.length) buffer ??= Buffer.allocUnsafe(options.memberBytes);
      const input = buffer === undefined || failed ? undefined : take(buffer);
      if (input === undefined || next >= chunks.length) consume();
      if (input === undefined) return;
      out.push(Buffer.alloc(0));
      // Output space for a whole member at ~25:1 in one piece: one threadpool job per member, not one per 16 KB.
      try {
        out[index] = await gzip(input, { level: options.level, chunkSize: 64 << 10 });
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    consume();
  }
  // An empty body is still one member: zero bytes are not a gzip stream.
  if (out.length === 0) out.push(await gzip(Buffer.alloc(0), { level: options.level }));
  return out;
}
