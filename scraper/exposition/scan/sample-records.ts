/**
 * Pass 1 leaves one record of four ints per kept sample; pass 2 turns records into output bytes in
 * family order. A fast record points into the input body (the sample line is copied around one
 * insertion); a slow record points at a line already written in full to the side buffer.
 *
 *   fast: [nameStart, insertAt, restEnd, insertion]   out = body[nameStart,insertAt) + ins + body[insertAt,restEnd) + LF
 *   slow: [-1, sideStart, sideEnd, 0]
 */

/** What goes at `insertAt` on the fast path. */
export const Insertion = {
  /** After `{` of a non-empty label set: `ours,` */
  BeforeLabels: 0,
  /** After `{` of `{}`: `ours` */
  IntoEmpty: 1,
  /** After a bare metric name: `{ours}` */
  NewBraces: 2,
} as const;
export type Insertion = (typeof Insertion)[keyof typeof Insertion];

/**
 * At most one idle store (the largest released, up to 64 MB) is kept between merges, until
 * `dropSpareRecords` (the scraper calls it when its pools are trimmed after an idle spell).
 */
const SPARE_MAX_INTS = 16 << 20;
const EMPTY = new Int32Array(0);
let spare: Int32Array | undefined;

/** Lets the idle store go: a process that merged a large space long ago should not hold its records. */
export function dropSpareRecords(): void {
  spare = undefined;
}

export class SampleRecords {
  data: Int32Array;
  length = 0;

  /**
   * Sized from an estimate so growth copies are rare. The store the previous merge released is reused
   * when large enough: fresh memory costs a page fault on first touch of every 4 KB.
   */
  constructor(expectedRecords: number) {
    const ints = Math.max(1024, expectedRecords) * 4;
    const s = spare;
    if (s !== undefined && s.length >= ints) {
      spare = undefined;
      this.data = s;
    } else {
      this.data = uninitialized(ints);
    }
  }

  /** The store is not used any more (the merge has written its output): keep it for the next merge. */
  release(): void {
    const data = this.data;
    this.data = EMPTY;
    this.length = 0;
    if (data.length <= SPARE_MAX_INTS && (spare === undefined || spare.length < data.length)) spare = data;
  }

  push(a: number, b: number, c: number, d: number): void {
    let data = this.data;
    const n = this.length;
    if (n + 4 > data.length) {
      data = doubled(data);
      this.data = data;
    }
    data[n] = a;
    data[n + 1] = b;
    data[n + 2] = c;
    data[n + 3] = d;
    this.length = n + 4;
  }
}

/** A store twice the size holding the same ints: the growth step of the append-only int stores. */
export function doubled(data: Int32Array): Int32Array {
  const grown = uninitialized(data.length * 2);
  grown.set(data);
  return grown;
}

/**
 * Every slot is written before it is read, so skip zero-filling: an unpooled Buffer.allocUnsafe comes
 * from malloc, which recycles earlier responses' memory instead of faulting in fresh zeroed pages.
 */
function uninitialized(ints: number): Int32Array {
  const bytes = Buffer.allocUnsafe(ints * 4);
  return bytes.byteOffset % 4 === 0
    ? new Int32Array(bytes.buffer, bytes.byteOffset, ints)
    : new Int32Array(ints);
}

/** The three insertions for one input's target labels, precomputed once per input. */
export function insertionsFor(joined: Buffer): readonly [Buffer, Buffer, Buffer] {
  if (joined.length === 0) return [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)];
  return [
    Buffer.concat([joined, Buffer.from(',')]),
    joined,
    Buffer.concat([Buffer.from('{'), joined, Buffer.from('}')]),
  ];
}
