/**
 * Output chunks kept for reuse between merges. Writing a large merged exposition into fresh memory
 * costs a page fault per 4 KB (about half of pass 2); chunks handed back with `MergeResult.release`
 * are written again instead. Owned by whoever owns the merges, and only handed back once nothing
 * reads the chunks any more (e.g. every response sharing them is written out).
 */

/**
 * Output goes into chunks of at most this size (a run or header never straddles two): the HTTP layer
 * can write them as they are.
 */
export const CHUNK_BYTES = 4 << 20;

export class ChunkPool {
  private readonly free: Buffer[] = [];

  /** Keeps at most `maxFreeBytes` of idle chunks; beyond that, released chunks go to the GC. */
  constructor(
    private readonly maxFreeBytes: number,
    readonly chunkBytes: number = CHUNK_BYTES,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
  }

  give(chunk: Buffer): void {
    if (chunk.length === this.chunkBytes && (this.free.length + 1) * this.chunkBytes <= this.maxFreeBytes) {
      this.free.push(chunk);
    }
  }
}
