/**
 * What `assemble` (writer.ts) needs of a body once its `add` has returned: the body lines its small
 * shares' fast records point at, copied on arrival into pooled memory, the records rebased onto the
 * copy. The body itself is then dead (its memory may hold another scrape's bytes by the time the
 * merge is written). The copy is at most the body's sample lines of small families: no HELP/TYPE text,
 * no large family (written on arrival as pieces), no target labels (inserted by `assemble`), so it is
 * smaller than both the body and those shares' output.
 */

import { type ByteView, byteView, copyView } from '../scan/byte-sink.ts';
import type { LocalFamily } from '../scan/input-scan.ts';
import type { SampleRecords } from '../scan/sample-records.ts';
import type { ChunkPool } from './chunk-pool.ts';
import { runEnd } from './writer.ts';

/** Unpooled chunks: a few inputs' kept bytes, little for a one-shot merge. */
const UNPOOLED_BYTES = 256 << 10;

export class KeptBytes {
  private view: ByteView = byteView(Buffer.alloc(0));
  private o = 0;
  private readonly taken: Buffer[] = [];

  constructor(private readonly pool: ChunkPool | undefined) {}

  /**
   * Copies the body lines of `families`' fast records (those not written as a piece) and rebases the
   * records onto the copy; returns the view they now point into.
   */
  keep(families: readonly LocalFamily[], records: SampleRecords, body: ByteView): ByteView {
    // A share's output bytes bound its body bytes: each line is written with its insertion and LF.
    let bound = 0;
    for (const local of families) {
      if (local.piece === undefined && local.firstFrom >= 0) bound += local.bytes;
    }
    this.reserve(bound);
    const out = this.view;
    const rec = records.data;
    let o = this.o;
    for (const local of families) {
      if (local.piece !== undefined || local.firstFrom < 0) continue;
      o = keepSegment(rec, local.firstFrom, local.firstTo, body, out, o);
      const more = local.moreSegments;
      if (more !== undefined) {
        for (let s = 0; s < more.length; s += 2) {
          o = keepSegment(rec, more[s] as number, more[s + 1] as number, body, out, o);
        }
      }
    }
    this.o = o;
    return out;
  }

  /** Every kept byte is dead from now on (after `assemble`): the chunks go back to the pool. */
  release(): void {
    const pool = this.pool;
    if (pool !== undefined) for (const chunk of this.taken.splice(0)) pool.give(chunk);
    this.view = byteView(Buffer.alloc(0));
    this.o = 0;
  }

  /** Room for `n` bytes in one chunk: an input's records all point into one view. */
  private reserve(n: number): void {
    if (this.o + n <= this.view.bytes.length) return;
    const pool = this.pool;
    let chunk: Buffer;
    if (pool !== undefined && n <= pool.chunkBytes) {
      chunk = pool.take();
      this.taken.push(chunk);
    } else {
      chunk = Buffer.allocUnsafe(Math.max(n, UNPOOLED_BYTES));
    }
    this.view = byteView(chunk);
    this.o = 0;
  }
}

/**
 * Copies the body lines of records [from, to) to `out` at `at`, one copy per run of lines back to back
 * (writer.ts, runEnd), so that they stay one run; rebases the records. Slow records point into the
 * side buffer, which outlives the body: left as they are.
 */
function keepSegment(
  rec: Int32Array,
  from: number,
  to: number,
  body: ByteView,
  out: ByteView,
  at: number,
): number {
  let o = at;
  let k = from;
  while (k < to) {
    if ((rec[k] as number) < 0) {
      k += 4;
      continue;
    }
    const m = runEnd(rec, k, to);
    const start = rec[k] as number;
    const delta = start - o;
    o = copyView(body, start, rec[m - 2] as number, out, o);
    for (let j = k; j < m; j += 4) {
      rec[j] = (rec[j] as number) - delta;
      rec[j + 1] = (rec[j + 1] as number) - delta;
      rec[j + 2] = (rec[j + 2] as number) - delta;
    }
    k = m;
  }
  return o;
}
