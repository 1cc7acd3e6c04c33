/**
 * The labels the caller adds to every sample of one input, and Prometheus' rules for a sample that
 * already exposes one of them (scrape.mutateSampleLabels): with honor_labels the exposed label wins and
 * ours is dropped; otherwise ours wins and a non-empty exposed one is kept as `exported_<name>`
 * (prefix repeated while taken), an empty one simply disappears as it would in Prometheus.
 */

import { latin1 } from '../parse/bytes.ts';
import type { LabelPair } from '../parse/entry.ts';
import { decodeLabelValue, encodeLabelValue, escapeLabelValue } from '../parse/escape.ts';
import { validateLabelName } from '../parse/label-name.ts';
import { type ByteSink, type ByteView, byteView } from './byte-sink.ts';
import { insertionsFor } from './sample-records.ts';

const EXPORTED_PREFIX = 'exported_';

/** What a merge derives from one input's target labels, kept while the caller keeps the same array. */
export interface PreparedLabels {
  readonly targets: TargetLabels;
  /** The three insertions of the fast path (sample-records.ts). */
  readonly insertions: readonly [Buffer, Buffer, Buffer];
  /** The same, as views for the writer. */
  readonly insertionViews: readonly [ByteView, ByteView, ByteView];
}

const prepared = new WeakMap<readonly LabelPair[], PreparedLabels>();

/**
 * TargetLabels and insertions for `pairs`, made once per array: a scraper passes the same array for
 * an instance every scrape, and building them for 200 instances each time was measurable garbage.
 */
export function prepareLabels(pairs: readonly LabelPair[]): PreparedLabels {
  let p = prepared.get(pairs);
  if (p === undefined) {
    const targets = new TargetLabels(pairs);
    const insertions = insertionsFor(targets.joined);
    p = {
      targets,
      insertions,
      insertionViews: [byteView(insertions[0]), byteView(insertions[1]), byteView(insertions[2])],
    };
    prepared.set(pairs, p);
  }
  return p;
}

export class TargetLabels {
  readonly names: readonly string[];
  private readonly nameBytes: readonly Buffer[];
  private readonly escapedValues: readonly Buffer[];
  /** `a="x",b="y"` — what is inserted after `{` on the fast path. */
  readonly joined: Buffer;
  /** Bit n set when some target name has length n (n < 64): rejects most exposed names in one test. */
  private readonly lengthsLo: number;
  private readonly lengthsHi: number;

  /** Pairs with an invalid name are left out: they could not be written as valid exposition. */
  constructor(pairs: readonly LabelPair[]) {
    const names: string[] = [];
    const values: Buffer[] = [];
    const seen = new Set<string>();
    for (const [name, value] of pairs) {
      if (!validateLabelName(name) || seen.has(name)) continue;
      seen.add(name);
      names.push(name);
      values.push(escapeLabelValue(value));
    }
    this.names = names;
    this.nameBytes = names.map((n) => Buffer.from(n, 'latin1'));
    this.escapedValues = values;
    this.joined = Buffer.from(
      names.map((n, i) => `${n}="${(values[i] as Buffer).toString('latin1')}"`).join(','),
      'latin1',
    );
    let lo = 0;
    let hi = 0;
    for (const n of names) {
      if (n.length < 32) lo |= 1 << n.length;
      else if (n.length < 64) hi |= 1 << (n.length - 32);
    }
    this.lengthsLo = lo;
    this.lengthsHi = hi;
  }

  get size(): number {
    return this.names.length;
  }

  /** Whether buf[start, end) is one of our label names. */
  has(buf: Buffer, start: number, end: number): boolean {
    const len = end - start;
    if (len < 32) {
      if ((this.lengthsLo & (1 << len)) === 0) return false;
    } else if (len >= 64 || (this.lengthsHi & (1 << (len - 32))) === 0) {
      return false;
    }
    const names = this.nameBytes;
    for (let t = 0; t < names.length; t++) {
      const n = names[t] as Buffer;
      if (n.length !== len) continue;
      let j = 0;
      while (j < len && n[j] === buf[start + j]) j++;
      if (j === len) return true;
    }
    return false;
  }

  /**
   * Writes `{…}` for a sample whose labels need more than an insertion: a name clash, or values that
   * must be re-escaped. `offsets` holds name/value offset quadruples into `buf` (values still escaped).
   */
  writeMerged(
    sink: ByteSink,
    buf: Buffer,
    offsets: Int32Array,
    count: number,
    honorLabels: boolean,
    reescape: boolean,
  ): void {
    const exposedNames: string[] = [];
    const exposedValues: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const k = i * 4;
      exposedNames.push(latin1(buf, offsets[k] as number, offsets[k + 1] as number));
      const vs = offsets[k + 2] as number;
      const ve = offsets[k + 3] as number;
      exposedValues.push(reescape ? encodeLabelValue(decodeLabelValue(buf, vs, ve)) : buf.subarray(vs, ve));
    }
    const outNames: string[] = [];
    const outValues: Buffer[] = [];
    if (honorLabels) {
      for (let t = 0; t < this.names.length; t++) {
        const name = this.names[t] as string;
        if (exposedNames.includes(name)) continue;
        outNames.push(name);
        outValues.push(this.escapedValues[t] as Buffer);
      }
      outNames.push(...exposedNames);
      outValues.push(...exposedValues);
    } else {
      outNames.push(...this.names);
      outValues.push(...this.escapedValues);
      const renamed = this.exportedNames(exposedNames, exposedValues);
      for (let i = 0; i < exposedNames.length; i++) {
        const name = renamed[i];
        if (name === undefined) continue;
        outNames.push(name);
        outValues.push(exposedValues[i] as Buffer);
      }
    }
    if (outNames.length === 0) return;
    let size = 2;
    for (let i = 0; i < outNames.length; i++)
      size += (outNames[i] as string).length + (outValues[i] as Buffer).length + 4;
    sink.ensure(size);
    sink.byte(123);
    for (let i = 0; i < outNames.length; i++) {
      if (i > 0) sink.byte(44);
      sink.ascii(outNames[i] as string);
      sink.byte(61);
      sink.byte(34);
      sink.bytes(outValues[i] as Buffer);
      sink.byte(34);
    }
    sink.byte(125);
  }

  /**
   * Output name of each exposed label (undefined: dropped). Clashing non-empty labels are renamed in
   * order of name length, each taking the first `exported_…` name not exposed, not ours, not already
   * given to an earlier clash — the order Prometheus resolves them in.
   */
  private exportedNames(
    exposedNames: readonly string[],
    exposedValues: readonly Buffer[],
  ): (string | undefined)[] {
    const result: (string | undefined)[] = [...exposedNames];
    const clashes: number[] = [];
    for (let i = 0; i < exposedNames.length; i++) {
      if (!this.names.includes(exposedNames[i] as string)) continue;
      if ((exposedValues[i] as Buffer).length === 0) result[i] = undefined;
      else clashes.push(i);
    }
    clashes.sort((a, b) => (exposedNames[a] as string).length - (exposedNames[b] as string).length || a - b);
    const taken: string[] = [];
    for (const i of clashes) {
      let name = exposedNames[i] as string;
      do {
        name = EXPORTED_PREFIX + name;
      } while (exposedNames.includes(name) || this.names.includes(name) || taken.includes(name));
      taken.push(name);
      result[i] = name;
    }
    return result;
  }
}
