/**
 * What the output (writer.ts) needs of a body the merge lets go of on arrival: the body lines its
 * fast records point at, copied on arrival into pooled memory, the records rebased onto the copy. The
 * body itself is then dead (its memory may hold another scrape's bytes by the time the merge is
 * written). The copy is the body's sample lines (with the short stretches between them), no HELP text
 * or comments far from them, no target labels (inserted on output).
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
  private readonly spans = new Spans();

  constructor(private readonly pool: ChunkPool | undefined) {}

  /**
   * Copies the body lines of `families`' fast records and rebases the
   * records onto the copy; returns the view they now point into.
   */
  keep(families: readonly LocalFamily[], records: SampleRecords, body: ByteView): ByteView {
    const rec = records.data;
    const spans = this.spans;
    // First the size, then the copy: an input's records all point into one view.
    spans.begin(undefined, body, 0);
    forEachShare(families, rec, spans);
    this.reserve(spans.end());
    spans.begin(this.view, body, this.o);
    forEachShare(families, rec, spans);
    this.o = spans.end();
    return this.view;
  }

  /** Every kept byte is dead from now on (the output is written): the chunks go back to the pool. */
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
 * About the bytes `keep` copies of `families`, cheaply: their output bytes but for the
 * shortest insertion per sample. More than that for rewritten lines (which are not copied), less by
 * the stretches between runs copied with them.
 */
export function keptEstimate(families: readonly LocalFamily[], insertions: readonly ByteView[]): number {
  let ins = Number.MAX_SAFE_INTEGER;
  for (const i of insertions) ins = Math.min(ins, i.bytes.length);
  let n = 0;
  for (const local of families) {
    if (local.firstFrom >= 0) n += local.bytes - local.samples * ins;
  }
  return n;
}

/**
 * Runs of lines less than this apart are copied as one span, the bytes between them (HELP and TYPE
 * lines of the next family, usually) included: a copy per share cost more than writing the output.
 */
const GAP_MAX = 192;

/**
 * Body spans being copied: each run of fast records (lines back to back, writer.ts runEnd) joins the
 * current span when it starts at most GAP_MAX after it, else closes it and starts the next. Records
 * are rebased as their run is added, the span copied when it closes. Without `out`, only measures.
 */
class Spans {
  private out: ByteView | undefined;
  private body: ByteView = byteView(Buffer.alloc(0));
  private start = 0;
  private stop = -1;
  /** Where the current span goes in `out`. */
  private at = 0;

  begin(out: ByteView | undefined, body: ByteView, at: number): void {
    this.out = out;
    this.body = body;
    this.at = at;
    this.start = 0;
    this.stop = -1;
  }

  /** The run of records [from, to) reading body [start, stop). */
  add(rec: Int32Array, from: number, to: number, start: number, stop: number): void {
    if (this.stop < 0 || start < this.stop || start - this.stop > GAP_MAX) {
      this.close();
      this.start = start;
    }
    this.stop = stop;
    if (this.out === undefined) return;
    const delta = this.start - this.at;
    for (let k = from; k < to; k += 4) {
      rec[k] = (rec[k] as number) - delta;
      rec[k + 1] = (rec[k + 1] as number) - delta;
      rec[k + 2] = (rec[k + 2] as number) - delta;
    }
  }

  /** Closes the last span; returns the offset after it. */
  end(): number {
    this.close();
    this.stop = -1;
    this.out = undefined;
    return this.at;
  }

  private close(): void {
    if (this.stop < 0) return;
    if (this.out !== undefined) copyView(this.body, this.start, this.stop, this.out, this.at);
    this.at += this.stop - this.start;
  }
}

function forEachShare(families: readonly LocalFamily[], rec: Int32Array, spans: Spans): void {
  for (const local of families) {
    if (local.firstFrom < 0) continue;
    runsOf(rec, local.firstFrom, local.firstTo, spans);
    const more = local.moreSegments;
    if (more !== undefined) {
      for (let s = 0; s < more.length; s += 2) runsOf(rec, more[s] as number, more[s + 1] as number, spans);
    }
  }
}

/** Slow records point into the side buffer, which outlives the body: left as they are. */
function runsOf(rec: Int32Array, from: number, to: number, spans: Spans): void {
  let k = from;
  while (k < to) {
    if ((rec[k] as number) < 0) {
      k += 4;
      continue;
    }
    const m = runEnd(rec, k, to);
    spans.add(rec, k, m, rec[k] as number, rec[m - 2] as number);
    k = m;
  }
}
