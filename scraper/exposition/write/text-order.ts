/**
 * Family order of a text output that `promtool check metrics` (expfmt) reads without error. expfmt files
 * a sample or a HELP/TYPE line named `x_sum`/`x_count` (`x_bucket` too) under an earlier summary or
 * histogram `x`, and makes a family of its own of any other sample name it meets, so a later
 * family of such a name has its TYPE line refused as a second one. Prometheus itself ignores order
 * and types; moving such a family ahead of the one claiming its name satisfies both.
 */
import {
  CLAIM_BUCKET,
  CLAIM_COUNT,
  CLAIM_GCOUNT,
  CLAIM_GSUM,
  CLAIM_SUM,
  type MergedFamily,
} from '../merge/merged-families.ts';

const SUFFIXES: readonly [number, string][] = [
  [CLAIM_BUCKET, '_bucket'],
  [CLAIM_SUM, '_sum'],
  [CLAIM_COUNT, '_count'],
  [CLAIM_GCOUNT, '_gcount'],
  [CLAIM_GSUM, '_gsum'],
];

/** `order` itself when nothing claims a later family's name (nearly always), else a reordering. */
export function textOrder(order: readonly MergedFamily[]): readonly MergedFamily[] {
  let claimed: Set<string> | undefined;
  let late: MergedFamily[] | undefined;
  for (const f of order) {
    if (f.claims === 0 && claimed === undefined) continue;
    claimed ??= new Set();
    if (f.claims !== 0) {
      for (const [bit, suffix] of SUFFIXES) if (f.claims & bit) claimed.add(f.name + suffix);
    }
    if (claimed.has(f.name)) {
      late ??= [];
      late.push(f);
    }
  }
  if (late === undefined) return order;
  // Those families go first, in their own order: nothing before them can have claimed their names.
  const moved = new Set(late);
  return [...late, ...order.filter((f) => !moved.has(f))];
}
