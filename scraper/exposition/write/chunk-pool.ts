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
  private lastUse = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * Keeps at most `maxFreeBytes` of idle chunks; beyond that, released chunks go to the GC. With
   * `idle`, chunks nobody took or gave back for `idle.ms` are dropped, then `idle.onTrim` is called: a
   * scraper between rare scrapes should not hold a large response's worth of memory it may not need
   * again for minutes.
   */
  constructor(
    private readonly maxFreeBytes: number,
    readonly chunkBytes: number = CHUNK_BYTES,
    private readonly idle?: { ms: number; onTrim?: () => void },
  ) {}

  take(): Buffer {
    this.lastUse = performance.now();
    return this.free.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
  }

  give(chunk: Buffer): void {
    this.lastUse = performance.now();
    if (chunk.length === this.chunkBytes && (this.free.length + 1) * this.chunkBytes <= this.maxFreeBytes) {
      this.free.push(chunk);
      this.armTrim();
    }
  }

  /** Bytes of idle chunks held for reuse. */
  get freeBytes(): number {
    return this.free.length * this.chunkBytes;
  }

  private armTrim(): void {
    if (this.idle === undefined || this.timer !== undefined) return;
    const { ms: idleMs, onTrim } = this.idle;
    const check = () => {
      const idleFor = performance.now() - this.lastUse;
      if (idleFor >= idleMs) {
        this.timer = undefined;
        if (this.free.length === 0) return;
        this.free.length = 0;
        onTrim?.();
      } else {
        this.timer = setTimeout(check, idleMs - idleFor).unref();
      }
    };
    this.timer = setTimeout(check, idleMs).unref();
  }
}
