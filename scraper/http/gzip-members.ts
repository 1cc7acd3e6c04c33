import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { WindowSource, Windows } from './windows.ts';

const gzip = promisify(gzipCallback);

export interface GzipMembersOptions {
  level: number;
  /** Members compressed at once, each a job on the libuv threadpool (4 threads by default). */
  concurrency: number;
  windows: Windows;
  /** Called once the source has been read to its end (or given up on): from then on nothing reads it. */
  onConsumed?: () => void;
}

/**
 * The source, concatenated, as one gzip stream made of independent members, one per window (RFC 1952
 * §2.2: a gzip file is a series of members; zlib's gunzip, Go's compress/gzip as Prometheus reads a
 * scrape, curl and browsers all decode it as one body). The source writes a window on the main thread,
 * zlib compresses it on the threadpool while the next ones are written, so at most `concurrency`
 * windows of the uncompressed answer exist at a time: never the whole of it. Compression restarts
 * its dictionary at each member, which costs ~1% of the compressed size at 1 MB windows.
 */
export async function gzipMembers(source: WindowSource, options: GzipMembersOptions): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let consumed = false;
  // Once a job fails nothing more is read: the source may be released while others still compress.
  let failed = false;
  const consume = () => {
    if (consumed) return;
    consumed = true;
    options.onConsumed?.();
  };
  const worker = async () => {
    for (;;) {
      if (consumed) return;
      const window = options.windows.take();
      const input = failed ? undefined : source.next(window);
      if (input === undefined) {
        options.windows.give(window);
        consume();
        return;
      }
      const index = out.length;
      out.push(Buffer.alloc(0));
      // Output space for a whole member at ~25:1 in one piece: one threadpool job per member, not one per 16 KB.
      try {
        out[index] = await gzip(input, { level: options.level, chunkSize: 64 << 10 });
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        options.windows.give(window);
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
