/**
 * Pass 2: output bytes from pass 1's records — fast records copied from the input's bytes around their
 * insertion, slow ones from the side buffer. It runs at two moments:
 * - on arrival (`writePieces`): an input's large families are written into pieces of their own right
 *   after pass 1, so most of the bytes are written while other targets are still being fetched;
 * - at the end (`assemble`): per merged family its header, then each input's share in input order —
 *   a piece is listed as it is, small shares are written into output chunks around the pieces, from
 *   the body or from what was kept of it on arrival (kept-bytes.ts).
 * Writing every family as a piece would cost an object per family and input, which for expositions
 * of many small families (node_exporter: 1,200) is more than copying them at the end.
 */

import type { MergedFamily, Segments } from '../merge/merged-families.ts';
import { type ExpositionFormat, MetricType, metricTypeName } from '../parse/entry.ts';
import { type ByteView, byteView, copyView } from '../scan/byte-sink.ts';
import type { LocalFamily } from '../scan/input-scan.ts';
import type { SampleRecords } from '../scan/sample-records.ts';
import { CHUNK_BYTES, type ChunkPool } from './chunk-pool.ts';
import { textOrder } from './text-order.ts';

/** A family's bytes from one input at least this large are written on arrival, as a piece. */
const PIECE_MIN_BYTES = 4096;

export interface Prepared {
  /** The body; or, once `add` has let go of it, the bytes of it kept for its small shares (kept-bytes.ts). */
  body: ByteView;
  readonly insertions: readonly [ByteView, ByteView, ByteView];
}

function header(family: MergedFamily, format: ExpositionFormat): Buffer {
  const parts: Buffer[] = [];
  if (family.help !== undefined) {
    parts.push(Buffer.from(`# HELP ${family.name} `, 'latin1'), family.help, Buffer.from('\n'));
  }
  const type = format === 'text' && family.textUntyped ? MetricType.Unknown : family.type;
  parts.push(Buffer.from(`# TYPE ${family.name} ${metricTypeName(type, format)}\n`, 'latin1'));
  if (family.unit !== undefined) {
    parts.push(Buffer.from(`# UNIT ${family.name} `, 'latin1'), family.unit, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const EOF_LINE = Buffer.from('# EOF\n');

/**
 * Output memory, from the pool when there is one (`taken` lists those chunks for handing back).
 * Callers reserve room, write at `o`, and `cut` to close the bytes written since the last cut as one
 * output chunk; a reservation that does not fit cuts and moves to a fresh chunk.
 */
class ChunkWriter {
  readonly chunks: Buffer[] = [];
  readonly taken: Buffer[] = [];
  out: Buffer = Buffer.alloc(0);
  view: ByteView = byteView(this.out);
  o = 0;
  private cutAt = 0;

  constructor(
    private readonly pool: ChunkPool | undefined,
    /** Size of unpooled chunks (at most CHUNK_BYTES; a larger reservation gets its own). */
    private readonly unpooledBytes: number,
  ) {}

  reserve(n: number): void {
    if (this.o + n <= this.out.length) return;
    this.cut();
    const pool = this.pool;
    if (pool !== undefined && n <= pool.chunkBytes) {
      this.out = pool.take();
      this.taken.push(this.out);
    } else {
      this.out = Buffer.allocUnsafe(Math.max(n, this.unpooledBytes));
    }
    this.view = byteView(this.out);
    this.o = 0;
    this.cutAt = 0;
  }

  /** The bytes written since the last cut become an output chunk. */
  cut(): void {
    if (this.o === this.cutAt) return;
    this.chunks.push(this.out.subarray(this.cutAt, this.o));
    this.cutAt = this.o;
  }

  /** The bytes written since the last cut, as a piece the caller keeps (not an output chunk). */
  claim(): Buffer {
    const piece = this.out.subarray(this.cutAt, this.o);
    this.cutAt = this.o;
    return piece;
  }

  /** A piece written elsewhere goes next, as it is. */
  piece(piece: Buffer): void {
    this.cut();
    this.chunks.push(piece);
  }
}

/**
 * Writes each of one input's families of at least PIECE_MIN_BYTES into a piece of its own
 * (`local.piece`), in pooled memory of `pieces`.
 */
export function writePieces(
  families: readonly LocalFamily[],
  records: SampleRecords,
  side: Buffer,
  prepared: Prepared,
  pieces: PieceMemory,
): void {
  let sideView: ByteView | undefined;
  for (const local of families) {
    if (local.bytes < PIECE_MIN_BYTES) continue;
    sideView ??= byteView(side);
    const w = pieces.writer;
    w.reserve(local.bytes);
    let o = w.o;
    const rec = records.data;
    if (local.firstFrom >= 0) {
      o = writeRecords(rec, local.firstFrom, local.firstTo, prepared, sideView, w.view, o);
    }
    const more = local.moreSegments;
    if (more !== undefined) {
      for (let s = 0; s < more.length; s += 2) {
        o = writeRecords(rec, more[s] as number, more[s + 1] as number, prepared, sideView, w.view, o);
      }
    }
    w.o = o;
    local.piece = w.claim();
  }
}

/** Where one merge's pieces are written; `taken` are the pool chunks to hand back. */
export class PieceMemory {
  readonly writer: ChunkWriter;
  constructor(pool: ChunkPool | undefined) {
    this.writer = new ChunkWriter(pool, CHUNK_BYTES);
  }
  get taken(): readonly Buffer[] {
    return this.writer.taken;
  }
}

/**
 * The merged exposition as the buffers that, concatenated, make the response body: headers and small
 * shares written into output chunks, pieces listed where they belong.
 */
export function assemble(
  order: readonly MergedFamily[],
  format: ExpositionFormat,
  records: SampleRecords,
  side: Buffer,
  prepared: readonly Prepared[],
  segments: Segments,
  pieces: readonly Buffer[],
  pool: ChunkPool | undefined,
): { chunks: Buffer[]; bytes: number; taken: Buffer[] } {
  const headers = order.map((f) => header(f, format));
  let total = format === 'openmetrics' ? EOF_LINE.length : 0;
  for (let f = 0; f < order.length; f++)
    total += (headers[f] as Buffer).length + (order[f] as MergedFamily).bytes;
  const w = new ChunkWriter(pool, Math.min(CHUNK_BYTES, total));
  const sideView = byteView(side);
  const rec = records.data;
  const segs = segments.data;
  const grouped = segments.byFamily(order.length);
  for (const family of format === 'text' ? textOrder(order) : order) {
    const f = family.index;
    const h = headers[f] as Buffer;
    w.reserve(h.length);
    w.o += h.copy(w.out, w.o);
    for (let g = grouped.start[f] as number, end = grouped.start[f + 1] as number; g < end; g++) {
      const s = grouped.order[g] as number;
      const input = segs[s + 1] as number;
      if (input < 0) {
        w.piece(pieces[segs[s + 2] as number] as Buffer);
        continue;
      }
      const p = prepared[input] as Prepared;
      const to = segs[s + 3] as number;
      let k = segs[s + 2] as number;
      while (k < to) {
        // One reservation per record or run: a record never straddles two chunks.
        const m = (rec[k] as number) < 0 ? k + 4 : runEnd(rec, k, to);
        w.reserve(recordsSize(rec, k, m, p.insertions));
        w.o = writeRecords(rec, k, m, p, sideView, w.view, w.o);
        k = m;
      }
    }
  }
  if (format === 'openmetrics') {
    w.reserve(EOF_LINE.length);
    w.o += EOF_LINE.copy(w.out, w.o);
  }
  w.cut();
  return { chunks: w.chunks, bytes: total, taken: w.taken };
}

function recordsSize(rec: Int32Array, from: number, to: number, insertions: readonly ByteView[]): number {
  let size = 0;
  for (let k = from; k < to; k += 4) {
    const a = rec[k] as number;
    size +=
      a < 0
        ? (rec[k + 2] as number) - (rec[k + 1] as number)
        : (rec[k + 2] as number) - a + 1 + (insertions[rec[k + 3] as number] as ByteView).bytes.length;
  }
  return size;
}

/** Writes records [from, to) at `at`: slow ones from the side buffer, runs of fast ones from the body. */
function writeRecords(
  rec: Int32Array,
  from: number,
  to: number,
  p: Prepared,
  side: ByteView,
  out: ByteView,
  at: number,
): number {
  let o = at;
  let k = from;
  while (k < to) {
    if ((rec[k] as number) < 0) {
      o = copyView(side, rec[k + 1] as number, rec[k + 2] as number, out, o);
      k += 4;
      continue;
    }
    const m = runEnd(rec, k, to);
    o = writeRun(rec, k, m, p.body, p.insertions, out, o);
    k = m;
  }
  return o;
}

/**
 * End of the run of fast records starting at `from` whose lines follow each other in the body with
 * exactly one LF between them: such a run is copied with one native copy and spread in place.
 */
export function runEnd(rec: Int32Array, from: number, to: number): number {
  let k = from + 4;
  let prevEnd = rec[from + 2] as number;
  while (k < to) {
    const ns = rec[k] as number;
    if (ns !== prevEnd + 1) break;
    prevEnd = rec[k + 2] as number;
    k += 4;
  }
  return k;
}

/**
 * Writes records [from, to) — consecutive body lines — at `at`. Between two insertion points the body
 * bytes (the rest of one line, its LF and the start of the next) are contiguous, so each line costs one
 * insertion copy and one body copy. Both go through TypedArray#set or word copies (copyView): a partial
 * Buffer#copy allocates a view and copyWithin is several times slower for spans this short.
 */
function writeRun(
  rec: Int32Array,
  from: number,
  to: number,
  body: ByteView,
  insertions: readonly ByteView[],
  out: ByteView,
  at: number,
): number {
  const bytes = out.bytes;
  let x = rec[from + 1] as number;
  let o = copyView(body, rec[from] as number, x, out, at);
  const last = to - 4;
  for (let k = from; k < to; k += 4) {
    const ins = (insertions[rec[k + 3] as number] as ByteView).bytes;
    if (ins.length > 0) {
      bytes.set(ins, o);
      o += ins.length;
    }
    const next = k < last ? (rec[k + 5] as number) : (rec[k + 2] as number);
    o = copyView(body, x, next, out, o);
    x = next;
  }
  bytes[o++] = 10;
  return o;
}
