import type { ChunkPool } from '../exposition/index.ts';

/**
 * Memory for the bodies of one space scrape. A scrape of 200 instances reads ~20 MB of bodies that
 * all live until the merge is written; as fresh buffers they were about half the external memory a
 * scrape allocated, and that is what drives V8's full collections (one every scrape or two). Bodies
 * are copied back to back into slabs from a pool instead, and `release` hands the slabs back once
 * nothing reads the bodies any more. A body larger than a slab gets a buffer of its own.
 */
export class BodyArena {
  private readonly slabs: Buffer[] = [];
  private slab: Buffer | undefined;
  private used = 0;

  constructor(private readonly pool: ChunkPool) {}

  /** One buffer holding `parts` (`size` bytes in all), placed in the current slab when it fits. */
  join(parts: readonly Buffer[], size: number): Buffer {
    const slabBytes = this.pool.chunkBytes;
    // A body over a quarter slab would waste too much of a slab's tail: it gets its own buffer.
    if (size > slabBytes / 4) {
      return parts.length === 1 ? (parts[0] as Buffer) : copyInto(Buffer.allocUnsafe(size), parts);
    }
    if (this.slab === undefined || this.used + size > slabBytes) {
      this.slab = this.pool.take();
      this.slabs.push(this.slab);
      this.used = 0;
    }
    const body = copyInto(this.slab.subarray(this.used, this.used + size), parts);
    this.used += size;
    return body;
  }

  /** Every body joined here is dead from now on: the slabs go back to the pool. */
  release(): void {
    for (const slab of this.slabs.splice(0)) this.pool.give(slab);
    this.slab = undefined;
    this.used = 0;
  }
}

function copyInto(target: Buffer, parts: readonly Buffer[]): Buffer {
  let at = 0;
  for (const part of parts) {
    target.set(part, at);
    at += part.length;
  }
  return target;
}
