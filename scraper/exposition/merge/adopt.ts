/**
 * Adoption of one scanned input into the merged families: families keyed by their output name, in
 * order of first appearance; the first type seen wins and a conflicting input's samples of that family
 * are dropped (counted); the first HELP (and UNIT) wins. Reserved names belong to their owner input
 * only: anyone else's samples under them are dropped as conflicts.
 */
import { type ExpositionFormat, MetricType } from '../parse/entry.ts';
import { convertHelp } from '../parse/escape.ts';
import { outputFamily } from '../scan/family-naming.ts';
import type { LocalFamily } from '../scan/input-scan.ts';
import {
  CLAIM_BUCKET,
  CLAIM_COUNT,
  CLAIM_GCOUNT,
  CLAIM_GSUM,
  CLAIM_SUM,
  type MergedFamilies,
  type MergedFamily,
} from './merged-families.ts';

export interface Adopted {
  samples: number;
  conflictsDropped: number;
}

/**
 * `headers` holds the names, HELP and UNIT of `locals`: the input's body while its `add` runs, else a
 * copy (input-scan.ts, detachHeaders). What the merged families keep of it is copied.
 */
export function adopt(
  locals: readonly LocalFamily[],
  index: number,
  headers: Buffer,
  from: ExpositionFormat,
  to: ExpositionFormat,
  merged: MergedFamilies,
  owner: boolean,
): Adopted {
  const { byName, order, reserved, segments } = merged;
  let samples = 0;
  let dropped = 0;
  const localNames = from === 'text' && to === 'openmetrics' ? new Set(locals.map((l) => l.name)) : undefined;
  // Inputs of one kind of app list the same families in the same order: the family after the previous
  // one's merged family is usually this one, which a byte comparison confirms without a string.
  let predicted = 0;
  const headerView = new DataView(headers.buffer, headers.byteOffset, headers.length);
  // First every local family finds its merged family, so that one input giving a name two types
  // (`# TYPE a info` then a sample `a`, or two TYPE blocks) is known before any share is adopted:
  // Prometheus keeps all those samples, so such a name is `unknown` for that input as a whole.
  for (const local of locals) {
    let family: MergedFamily | undefined;
    let type = local.type;
    local.adoptedAt = -1;
    if (from === to) {
      const hint = order[predicted];
      if (hint !== undefined && nameIs(hint.nameView, headerView, local.nameStart, local.nameEnd))
        family = hint;
    }
    if (family === undefined) {
      let target = from === to ? local : outputFamily(local.name, local.type, from, to);
      if (localNames !== undefined && target.name !== local.name) {
        // Go clients expose gauge `x` beside counter `x_total`: as OM counter `x` the two would collide,
        // so the counter keeps its own name as an unknown-typed family (same samples either way).
        const taken = byName.get(target.name);
        if (localNames.has(target.name) || (taken !== undefined && taken.type !== target.type)) {
          target = { name: local.name, type: MetricType.Unknown };
        }
      }
      type = target.type;
      family = byName.get(target.name);
      if (family === undefined) {
        if (!owner && reserved.has(target.name)) {
          dropped += local.samples;
          continue;
        }
        family = {
          name: target.name,
          nameView: viewOf(Buffer.from(target.name, 'latin1')),
          index: order.length,
          reserved: reserved.has(target.name),
          type: target.type,
          createdBy: index,
          seenBy: -1,
          seenType: target.type,
          mixedBy: -1,
          textUntyped: false,
          claims: 0,
          help: undefined,
          unit: undefined,
          bytes: 0,
        };
        byName.set(target.name, family);
        order.push(family);
      }
    }
    predicted = family.index + 1;
    if (family.seenBy !== index) {
      family.seenBy = index;
      family.seenType = type;
    } else if (family.seenType !== type) {
      family.mixedBy = index;
    }
    local.adoptedAt = family.index;
    local.adoptedType = type;
  }
  for (const local of locals) {
    if (local.adoptedAt < 0) continue;
    const family = order[local.adoptedAt] as MergedFamily;
    let type = local.adoptedType;
    if (family.mixedBy === index) {
      type = MetricType.Unknown;
      if (family.createdBy === index) family.type = type;
    }
    if ((family.reserved && !owner) || family.type !== type) {
      dropped += local.samples;
      continue;
    }
    samples += local.samples;
    if (to === 'text') {
      if (local.notFloatBound) family.textUntyped = true;
      family.claims |= claimsOf(local.type);
    }
    if (family.help === undefined && local.helpStart >= 0) {
      family.help = Buffer.from(convertHelp(headers, local.helpStart, local.helpEnd, from, to));
    }
    if (family.unit === undefined && local.unitStart >= 0 && to === 'openmetrics') {
      family.unit = Buffer.from(headers.subarray(local.unitStart, local.unitEnd));
    }
    if (local.firstFrom >= 0) segments.push(family.index, index, local.firstFrom, local.firstTo);
    const more = local.moreSegments;
    if (more !== undefined) {
      for (let s = 0; s < more.length; s += 2) {
        segments.push(family.index, index, more[s] as number, more[s + 1] as number);
      }
    }
    family.bytes += local.bytes;
  }
  return { samples, conflictsDropped: dropped };
}

/** Names besides its own that expfmt files a family's samples under (text-order.ts). */
function claimsOf(type: MetricType): number {
  switch (type) {
    case MetricType.Histogram:
      return CLAIM_BUCKET | CLAIM_SUM | CLAIM_COUNT;
    case MetricType.Summary:
      return CLAIM_SUM | CLAIM_COUNT;
    case MetricType.GaugeHistogram:
      return CLAIM_BUCKET | CLAIM_GCOUNT | CLAIM_GSUM;
    default:
      return 0;
  }
}

function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

/** Word-wise: this runs once per family of every input, over names of ~20-60 bytes. */
function nameIs(name: DataView, body: DataView, start: number, end: number): boolean {
  const len = name.byteLength;
  if (len !== end - start) return false;
  let i = 0;
  for (; i + 4 <= len; i += 4) if (name.getUint32(i) !== body.getUint32(start + i)) return false;
  for (; i < len; i++) if (name.getUint8(i) !== body.getUint8(start + i)) return false;
  return true;
}
