/**
 * Pass 2: writes the merged families into output chunks — one HELP/TYPE(/UNIT) header per family, then
 * every segment's records, fast records copied from the input bodies around their insertion.
 */
import { type ByteView, byteView, copyView } from './byte-sink.ts';
import { CHUNK_BYTES, type ChunkPool } from './chunk-pool.ts';
import { type ExpositionFormat, type MetricType, metricTypeName } from './entry.ts';
import type { SampleRecords } from './sample-records.ts';

export interface MergedFamily {
  readonly name: string;
  /** `name`'s bytes, to match an input's family by words without making a string of its name. */
  readonly nameView: DataView;
  /** Position in the output order. */
  readonly index: number;
  /** Only the owner input of a reserved name may add samples. */
  readonly reserved: boolean;
  readonly type: MetricType;
  help: Buffer | undefined;
  unit: Buffer | undefined;
  /** Flat triples: input index, first record, end record. */
  readonly segments: number[];
  bytes: number;
}

export interface Prepared {
  readonly body: ByteView;
  readonly insertions: readonly [ByteView, ByteView, ByteView];
}

function header(family: MergedFamily, format: ExpositionFormat): Buffer {
  const parts: Buffer[] = [];
  if (family.help !== undefined) {
    parts.push(Buffer.from(`# HELP ${family.name} `, 'latin1'), family.help, Buffer.from('\n'));
  }
  parts.push(Buffer.from(`# TYPE ${family.name} ${metricTypeName(family.type, format)}\n`, 'latin1'));
  if (family.unit !== undefined) {
    parts.push(Buffer.from(`# UNIT ${family.name} `, 'latin1'), family.unit, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const EOF_LINE = Buffer.from('# EOF\n');

/**
 * Receives the output while it is assembled: `begin` with the total size before any byte is written,
 * then every chunk as soon as it is full, so a response can go out while the rest is still assembled.
 */
export interface AssemblySink {
  begin(bytes: number): void;
  chunk(chunk: Buffer): void;
}

class ChunkWriter {
  readonly chunks: Buffer[] = [];
  /** Whole chunks taken from the pool, to hand back on release. */
  readonly taken: Buffer[] = [];
  out: Buffer = Buffer.alloc(0);
  view: ByteView = byteView(this.out);
  o = 0;
  private left: number;

  constructor(
    total: number,
    private readonly pool: ChunkPool | undefined,
    private readonly sink: AssemblySink | undefined,
  ) {
    this.left = total;
  }

  /** Makes room for n contiguous bytes in the current chunk. */
  reserve(n: number): void {
    if (this.o + n <= this.out.length) return;
    this.close();
    const pool = this.pool;
    if (pool !== undefined && n <= pool.chunkBytes) {
      this.out = pool.take();
      this.taken.push(this.out);
    } else {
      this.out = Buffer.allocUnsafe(Math.max(n, Math.min(CHUNK_BYTES, this.left)));
    }
    this.view = byteView(this.out);
    this.o = 0;
  }

  close(): void {
    if (this.o === 0) return;
    const chunk = this.o === this.out.length ? this.out : this.out.subarray(0, this.o);
    this.chunks.push(chunk);
    this.sink?.chunk(chunk);
    this.left -= this.o;
    this.o = 0;
    this.out = Buffer.alloc(0);
  }
}

/**
 * Pass 2 as resumable steps: each `step` writes families until a chunk is full (or everything is
 * written), so a caller can hand that chunk out and let it go to the network before assembling on.
 */
export class Assembly {
  readonly bytes: number;
  private readonly headers: Buffer[];
  private readonly w: ChunkWriter;
  private readonly sideView: ByteView;
  private f = 0;
  private done = false;

  constructor(
    private readonly order: readonly MergedFamily[],
    private readonly format: ExpositionFormat,
    private readonly records: SampleRecords,
    side: Buffer,
    private readonly prepared: readonly Prepared[],
    pool: ChunkPool | undefined,
    sink?: AssemblySink,
  ) {
    this.headers = order.map((f) => header(f, format));
    let total = format === 'openmetrics' ? EOF_LINE.length : 0;
    for (let f = 0; f < order.length; f++)
      total += (this.headers[f] as Buffer).length + (order[f] as MergedFamily).bytes;
    this.bytes = total;
    sink?.begin(total);
    this.w = new ChunkWriter(total, pool, sink);
    this.sideView = byteView(side);
  }

  /** Writes on until at least one more chunk is complete; true once everything is written. */
  step(): boolean {
    if (this.done) return true;
    const w = this.w;
    const before = w.chunks.length;
    while (this.f < this.order.length && w.chunks.length === before) {
      this.family(this.f++);
    }
    if (this.f < this.order.length) return false;
    if (this.format === 'openmetrics') {
      w.reserve(EOF_LINE.length);
      w.o += EOF_LINE.copy(w.out, w.o);
    }
    w.close();
    this.done = true;
    return true;
  }

  result(): { chunks: Buffer[]; bytes: number; taken: Buffer[] } {
    return { chunks: this.w.chunks, bytes: this.bytes, taken: this.w.taken };
  }

  private family(f: number): void {
    const w = this.w;
    const sideView = this.sideView;
    const rec = this.records.data;
    const h = this.headers[f] as Buffer;
    w.reserve(h.length);
    w.o += h.copy(w.out, w.o);
    const segs = (this.order[f] as MergedFamily).segments;
    for (let s = 0; s < segs.length; s += 3) {
      const { body, insertions } = this.prepared[segs[s] as number] as Prepared;
      const to = segs[s + 2] as number;
      let k = segs[s + 1] as number;
      while (k < to) {
        const a = rec[k] as number;
        if (a < 0) {
          const s0 = rec[k + 1] as number;
          const e0 = rec[k + 2] as number;
          w.reserve(e0 - s0);
          w.o = copyView(sideView, s0, e0, w.view, w.o);
          k += 4;
          continue;
        }
        const m = runEnd(rec, k, to);
        w.reserve(runSize(rec, k, m, insertions));
        w.o = writeRun(rec, k, m, body, insertions, w.view, w.o);
        k = m;
      }
    }
  }
}

export function assemble(
  order: readonly MergedFamily[],
  format: ExpositionFormat,
  records: SampleRecords,
  side: Buffer,
  prepared: readonly Prepared[],
  pool: ChunkPool | undefined,
  sink?: AssemblySink,
): { chunks: Buffer[]; bytes: number; taken: Buffer[] } {
  const a = new Assembly(order, format, records, side, prepared, pool, sink);
  while (!a.step()) {
    // every step completes a chunk
  }
  return a.result();
}

function runSize(rec: Int32Array, from: number, to: number, insertions: readonly ByteView[]): number {
  let size = 0;
  for (let k = from; k < to; k += 4) {
    size +=
      (rec[k + 2] as number) -
      (rec[k] as number) +
      1 +
      (insertions[rec[k + 3] as number] as ByteView).bytes.length;
  }
  return size;
}

/**
 * End of the run of fast records starting at `from` whose lines follow each other in the body with
 * exactly one LF between them: such a run is copied with one native copy and spread in place.
 */
function runEnd(rec: Int32Array, from: number, to: number): number {
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
