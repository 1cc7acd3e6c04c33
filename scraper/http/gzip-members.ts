import { constants, createGzip, type Gzip, type ZlibReset } from 'node:zlib';
import type { WindowSource, Windows } from './windows.ts';

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
  const worker = async (deflater: MemberDeflater) => {
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
      try {
        out[index] = await deflater.member(input);
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        options.windows.give(window);
      }
    }
  };
  const deflaters = Array.from(
    { length: Math.max(1, options.concurrency) },
    () => new MemberDeflater(options.level),
  );
  try {
    await Promise.all(deflaters.map(worker));
    // An empty body is still one member: zero bytes are not a gzip stream.
    if (out.length === 0) out.push(await (deflaters[0] as MemberDeflater).member(Buffer.alloc(0)));
  } finally {
    consume();
    for (const d of deflaters) d.close();
  }
  return out;
}

/**
 * One zlib deflate stream compressing member after member: each is written, finished (Z_FINISH: its
 * last block and the gzip trailer) and the stream reset for the next, which starts with a header of
 * its own. One stream per worker for the whole answer instead of one per member (zlib's one-shot
 * gzip): 4 zlib states for a 44 MB answer rather than 44, each ~256 KB that is mapped, zeroed and
 * unmapped again, and one stream object rather than 11 per worker.
 */
class MemberDeflater {
  // (ZlibBase#reset is every engine's; @types/node declares it on the deflate and inflate ones only.)
  private readonly stream: Gzip & ZlibReset;
  private parts: Buffer[] = [];
  private failure: Error | undefined;

  constructor(level: number) {
    // Output space for a whole member at ~25:1 in one piece: two threadpool jobs per member (its bytes,
    // then Z_FINISH), not one per 16 KB of output.
    this.stream = createGzip({ level, chunkSize: 64 << 10 }) as Gzip & ZlibReset;
    this.stream.on('data', (part: Buffer) => this.parts.push(part));
    this.stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  /** `input` as one gzip member; `input` is not read any more once it resolves. */
  member(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.stream.write(input);
      this.stream.flush(constants.Z_FINISH, () => {
        if (this.failure !== undefined) return reject(this.failure);
        const parts = this.parts;
        this.parts = [];
        this.stream.reset();
        resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
      });
    });
  }

  close(): void {
    this.stream.close();
  }
}
