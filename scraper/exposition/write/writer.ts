/**
 * Pass 2: output bytes from pass 1's records — fast records copied from the input's bytes around their
 * insertion, slow ones from the side buffer — once every input is in, window by window (MergedReader).
 * Writing large families on arrival instead overlapped it with the fetches, but held the whole output
 * (about twice the bodies) until it was sent: the peak memory of a scrape, which grows with the space.
 */

import type { MergedFamily, Segments } from '../merge/merged-families.ts';
import { type ExpositionFormat, MetricType, metricTypeName } from '../parse/entry.ts';
import { type ByteView, byteView, copyView } from '../scan/byte-sink.ts';
import type { SampleRecords } from '../scan/sample-records.ts';
import { textOrder } from './text-order.ts';

export interface Prepared {
  /** The body; or, once `add` has let go of it, the bytes of it kept for its shares (kept-bytes.ts). */
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
 * The merged exposition, written window by window: per merged family its header, then each input's
 * share in input order, from the body (or what was kept of it) and the side buffer. Nothing of the
 * output is held but the window being written, so a caller compressing or sending each window before
 * asking for the next holds the bodies and records, never the whole answer (about twice the bodies,
 * as every sample gains its target labels).
 */
export class MergedReader {
  /** Bytes of the whole output. */
  readonly bytes: number;
  private readonly families: readonly MergedFamily[];
  private readonly headers: readonly Buffer[];
  private readonly grouped: { start: Int32Array; order: Int32Array };
  private readonly sideView: ByteView;
  /** Position: family in `families`; segment in `grouped.order` (-1: header not written); record in it. */
  private f = 0;
  private g = -1;
  private k = 0;
  private done = false;

  constructor(
    order: readonly MergedFamily[],
    private readonly format: ExpositionFormat,
    private readonly records: SampleRecords,
    side: Buffer,
    private readonly prepared: readonly Prepared[],
    private readonly segments: Segments,
  ) {
    this.headers = order.map((f) => header(f, format));
    let total = format === 'openmetrics' ? EOF_LINE.length : 0;
    for (let f = 0; f < order.length; f++)
      total += (this.headers[f] as Buffer).length + (order[f] as MergedFamily).bytes;
    this.bytes = total;
    this.families = format === 'text' ? textOrder(order) : order;
    this.grouped = segments.byFamily(order.length);
    this.sideView = byteView(side);
  }

  /**
   * The next bytes of the output, written into `window` (a prefix of it), or undefined at the end. A
   * header or sample line never straddles two windows; one larger than `window` alone comes back in a
   * buffer of its own.
   */
  next(window: Buffer): Buffer | undefined {
    if (this.done) return undefined;
    const out = byteView(window);
    const cap = window.length;
    let o = 0;
    const rec = this.records.data;
    const segs = this.segments.data;
    const { start, order } = this.grouped;
    while (this.f < this.families.length) {
      const fi = (this.families[this.f] as MergedFamily).index;
      if (this.g < 0) {
        const h = this.headers[fi] as Buffer;
        if (o + h.length > cap && o > 0) return window.subarray(0, o);
        this.g = start[fi] as number;
        this.k = -1;
        if (h.length > cap) return Buffer.from(h);
        o += h.copy(window, o);
      }
      for (const end = start[fi + 1] as number; this.g < end; this.g++, this.k = -1) {
        const s = order[this.g] as number;
        const p = this.prepared[segs[s + 1] as number] as Prepared;
        const to = segs[s + 3] as number;
        if (this.k < 0) this.k = segs[s + 2] as number;
        while (this.k < to) {
          const k = this.k;
          // A run of fast records (consecutive lines) or one slow record, cut to the lines that fit.
          let m = (rec[k] as number) < 0 ? k + 4 : runEnd(rec, k, to);
          if (o + recordsSize(rec, k, m, p.insertions) > cap) {
            let fit = k;
            for (let room = cap - o; fit < m; fit += 4) {
              room -= recordsSize(rec, fit, fit + 4, p.insertions);
              if (room < 0) break;
            }
            if (fit === k && o > 0) return window.subarray(0, o);
            if (fit === k) {
              const own = Buffer.allocUnsafe(recordsSize(rec, k, k + 4, p.insertions));
              writeRecords(rec, k, k + 4, p, this.sideView, byteView(own), 0);
              this.k = k + 4;
              return own;
            }
            m = fit;
          }
          o = writeRecords(rec, k, m, p, this.sideView, out, o);
          this.k = m;
        }
      }
      this.f++;
      this.g = -1;
    }
    if (this.format === 'openmetrics') {
      if (o + EOF_LINE.length > cap && o > 0) return window.subarray(0, o);
      this.done = true;
      if (EOF_LINE.length > cap) return Buffer.from(EOF_LINE);
      o += EOF_LINE.copy(window, o);
    }
    this.done = true;
    return o > 0 ? window.subarray(0, o) : undefined;
  }
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
