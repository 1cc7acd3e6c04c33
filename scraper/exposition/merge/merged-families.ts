/**
 * The merge's state: the merged families in output order, every family's segments, and what text
 * output needs to know of them. Built by adopt.ts, read by the writers.
 */
import type { MetricType } from '../parse/entry.ts';
import { doubled } from '../scan/sample-records.ts';

export const CLAIM_BUCKET = 1;
export const CLAIM_SUM = 2;
export const CLAIM_COUNT = 4;
export const CLAIM_GCOUNT = 8;
export const CLAIM_GSUM = 16;
export interface MergedFamily {
  readonly name: string;
  /** `name`'s bytes, to match an input's family by words without making a string of its name. */
  readonly nameView: DataView;
  /** Position in the output order. */
  readonly index: number;
  /** Only the owner input of a reserved name may add samples. */
  readonly reserved: boolean;
  /** The first input's; `unknown` when that input itself gave the name two types (adopt.ts). */
  type: MetricType;
  /** Adoption bookkeeping (adopt.ts): the input that created it, and the last one that used it. */
  createdBy: number;
  seenBy: number;
  seenType: MetricType;
  /** An input whose own families of this name disagree on the type. */
  mixedBy: number;
  /** Text output: written untyped, as some sample's `le`/`quantile` is no float (input-scan.ts). */
  textUntyped: boolean;
  /**
   * Text output: the names besides its own under which expfmt would file this family's samples
   * (CLAIM_* bits), which no later family may carry (see `textOrder`).
   */
  claims: number;
  help: Buffer | undefined;
  unit: Buffer | undefined;
  /** Bytes of all its segments (Segments). */
  bytes: number;
}

/**
 * Every adopted segment of every merged family, in adoption order (= input order), as quadruples:
 * family index, input index, first record, end record. One typed store for the merge: a growing
 * array per family (1,500 families times 200 inputs) was most of a merge's garbage.
 */
export class Segments {
  data: Int32Array = new Int32Array(4096);
  length = 0;

  // Its own push rather than SampleRecords': a shared method would make the call in pass 1's per-sample
  // loop (records.push) see two receiver classes instead of one.
  push(family: number, input: number, from: number, to: number): void {
    let d = this.data;
    const n = this.length;
    if (n + 4 > d.length) {
      d = doubled(d);
      this.data = d;
    }
    d[n] = family;
    d[n + 1] = input;
    d[n + 2] = from;
    d[n + 3] = to;
    this.length = n + 4;
  }

  /**
   * Offsets of the segments grouped by family (a stable counting sort): family f's segments are
   * `order[start[f]] .. order[start[f + 1]]`, each an offset into `data`, in adoption order.
   */
  byFamily(families: number): { start: Int32Array; order: Int32Array } {
    const d = this.data;
    const start = new Int32Array(families + 1);
    for (let k = 0; k < this.length; k += 4) {
      const f = (d[k] as number) + 1;
      start[f] = (start[f] as number) + 1;
    }
    for (let f = 0; f < families; f++) start[f + 1] = (start[f + 1] as number) + (start[f] as number);
    const next = start.slice(0, families);
    const order = new Int32Array(this.length / 4);
    for (let k = 0; k < this.length; k += 4) {
      const f = d[k] as number;
      order[next[f] as number] = k;
      next[f] = (next[f] as number) + 1;
    }
    return { start, order };
  }
}

export interface MergedFamilies {
  readonly byName: Map<string, MergedFamily>;
  readonly order: MergedFamily[];
  readonly reserved: ReadonlySet<string>;
  /** Every family's segments, in adoption order. */
  readonly segments: Segments;
}
