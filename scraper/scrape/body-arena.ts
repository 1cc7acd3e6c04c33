import type { ChunkPool } from '../exposition/index.ts';
import type { BodySink } from './collect-response.ts';

interface Slab {
  readonly buf: Buffer;
  used: number;
  /** Bodies joined into it and not yet consumed. */
  live: number;
}

/**
 * Memory for the bodies of one space scrape. Bodies as fresh buffers were about half the external
 * memory a scrape allocated, and that is what drives V8's full collections; they are copied back to
 * back into slabs from a pool instead. A body is dead once the merge has taken it in (`consumed`):
 * a slab none of whose bodies is live any more is handed back to the pool (the current one is written
 * again from its start), so a scrape holds about the bodies still in flight, not all of them.
 * `release` hands back whatever is left. A body larger than a quarter slab gets a buffer of its own.
 *
 * The pool is shared by scrapes of other spaces (other tenants): whoever calls `consumed` must drop
 * every reference to that body, as its bytes are overwritten by the next body joined there.
 */
export class BodyArena implements BodySink {
  private readonly slabs = new Set<Slab>();
  private readonly live = new Map<Buffer, Slab>();
  private slab: Slab | undefined;

  constructor(private readonly pool: ChunkPool) {}

  /** One buffer holding `parts` (`size` bytes in all), placed in the current slab when it fits. */
  join(parts: readonly Buffer[], size: number): Buffer {
    const room = this.reserve(size);
    if (room === undefined) {
      return parts.length === 1 ? (parts[0] as Buffer) : copyInto(Buffer.allocUnsafe(size), parts);
    }
    return copyInto(room, parts);
  }

  /**
   * `size` bytes in the current slab, live from now on, for a body written into them as it arrives;
   * undefined for a body over a quarter slab (it would waste too much of a slab's tail).
   */
  reserve(size: number): Buffer | undefined {
    const slabBytes = this.pool.chunkBytes;
    if (size > slabBytes / 4) return undefined;
    let slab = this.slab;
    if (slab === undefined || slab.used + size > slabBytes) {
      // The current slab stays taken while it holds a live body (`consumed` hands it back).
      slab = { buf: this.pool.take(), used: 0, live: 0 };
      this.slabs.add(slab);
      this.slab = slab;
    }
    const room = slab.buf.subarray(slab.used, slab.used + size);
    slab.used += size;
    slab.live++;
    this.live.set(room, slab);
    return room;
  }

  /** The body in `room` (from reserve), `size` bytes of it; `consumed` takes that body from now on. */
  commit(room: Buffer, size: number): Buffer {
    if (size === room.length) return room;
    const slab = this.live.get(room);
    const body = room.subarray(0, size);
    if (slab !== undefined) {
      this.live.delete(room);
      this.live.set(body, slab);
    }
    return body;
  }

  /** `room` (from reserve) holds no body: as if consumed. */
  abandon(room: Buffer): void {
    this.consumed(room);
  }

  /** `body` (from `join`) is not read any more by anyone. Once per body; again, or for another buffer: nothing. */
  consumed(body: Buffer): void {
    const slab = this.live.get(body);
    if (slab === undefined) return;
    this.live.delete(body);
    slab.live--;
    if (slab.live > 0) return;
    if (slab === this.slab) {
      slab.used = 0;
    } else {
      this.slabs.delete(slab);
      this.pool.give(slab.buf);
    }
  }

  /** Every body joined here is dead from now on: the slabs go back to the pool. */
  release(): void {
    for (const slab of this.slabs) this.pool.give(slab.buf);
    this.slabs.clear();
    this.live.clear();
    this.slab = undefined;
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
