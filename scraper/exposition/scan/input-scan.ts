/**
 * Pass 1 over one input: pulls entries from the parser, assigns samples to families, decides per
 * sample whether its output line is the input line plus one insertion (recorded by offsets, copied
 * later) or needs rewriting (written now to the side buffer). Nothing is kept unless the whole input
 * parses; the caller rolls records and side buffer back on failure.
 */

import { bytesEqual, latin1, rangeEquals } from '../parse/bytes.ts';
import type { ExpositionParser } from '../parse/create-parser.ts';
import { Entry, type ExpositionFormat, MetricType, Suffix, ValueKind } from '../parse/entry.ts';
import {
  canonicalSpecial,
  classifyFloat,
  INVALID_FLOAT,
  msTextToOmSeconds,
  omSecondsToMs,
} from '../parse/float-syntax.ts';
import type { ByteSink } from './byte-sink.ts';
import { isCreatedSample, isMemberSuffix, suffixCode } from './family-naming.ts';
import { Insertion, type SampleRecords } from './sample-records.ts';
import type { TargetLabels } from './target-labels.ts';

export class LocalFamily {
  type: MetricType = MetricType.Unknown;
  /** A TYPE line was seen (a family made up from a bare sample has none). */
  typed = false;
  helpStart = -1;
  helpEnd = -1;
  unitStart = -1;
  unitEnd = -1;
  /**
   * Record index ranges [from, to) in SampleRecords, in order: the first in fields, any further ones
   * (a family whose samples are interleaved with another's) in `moreSegments`. Most families have one,
   * and an array per family of every input was most of pass 1's garbage.
   */
  firstFrom = -1;
  firstTo = -1;
  moreSegments: number[] | undefined = undefined;
  samples = 0;
  /** Output bytes of this family's samples. */
  bytes = 0;
  /** OM → text: the gauge family this family's `_created` samples are written to. */
  created: LocalFamily | undefined = undefined;
  /**
   * Text output: a member sample's `le` (histogram) or `quantile` (summary) is no float. Prometheus
   * does not care, but the text format's reference parser (expfmt, promtool) refuses the whole body,
   * so the merged family is written untyped instead (writer.ts).
   */
  notFloatBound = false;
  /** Index of that label in the family's last sample that had one. */
  boundLabel = 0;
  /** Set by adoption: position of its merged family in the output order (-1: dropped), type there. */
  adoptedAt = -1;
  adoptedType: MetricType = MetricType.Unknown;
  private cachedName: string | undefined = undefined;

  constructor(
    public body: Buffer,
    public nameStart: number,
    public nameEnd: number,
  ) {}

  /** Back to a fresh family (see LocalFamilies). */
  reset(body: Buffer, nameStart: number, nameEnd: number): this {
    this.body = body;
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    this.type = MetricType.Unknown;
    this.typed = false;
    this.helpStart = -1;
    this.helpEnd = -1;
    this.unitStart = -1;
    this.unitEnd = -1;
    this.firstFrom = -1;
    this.firstTo = -1;
    this.moreSegments = undefined;
    this.samples = 0;
    this.bytes = 0;
    this.created = undefined;
    this.notFloatBound = false;
    this.boundLabel = 0;
    this.adoptedAt = -1;
    this.adoptedType = MetricType.Unknown;
    this.cachedName = undefined;
    return this;
  }

  addSegment(from: number, to: number): void {
    if (this.firstFrom < 0) {
      this.firstFrom = from;
      this.firstTo = to;
    } else {
      this.moreSegments ??= [];
      this.moreSegments.push(from, to);
    }
  }

  /** Made only when asked: most families are matched to a merged one by their bytes alone. */
  get name(): string {
    this.cachedName ??= latin1(this.body, this.nameStart, this.nameEnd);
    return this.cachedName;
  }
}

const NO_BODY = Buffer.alloc(0);

/**
 * Copies what adoption reads of `families` (names, HELP, UNIT) out of their body into `sink` and points
 * them there, so that the body is dead once pass 2 has written the samples (merger.ts). Returns the
 * buffer they now point into.
 */
export function detachHeaders(families: readonly LocalFamily[], sink: ByteSink): Buffer {
  let need = 0;
  for (const f of families) {
    need += f.nameEnd - f.nameStart;
    if (f.helpStart >= 0) need += f.helpEnd - f.helpStart;
    if (f.unitStart >= 0) need += f.unitEnd - f.unitStart;
  }
  // One reservation: every family of the input ends up in the same buffer.
  sink.ensure(need);
  for (const f of families) {
    const body = f.body;
    let at = sink.pos;
    sink.range(body, f.nameStart, f.nameEnd);
    f.nameStart = at;
    f.nameEnd = sink.pos;
    if (f.helpStart >= 0) {
      at = sink.pos;
      sink.range(body, f.helpStart, f.helpEnd);
      f.helpStart = at;
      f.helpEnd = sink.pos;
    }
    if (f.unitStart >= 0) {
      at = sink.pos;
      sink.range(body, f.unitStart, f.unitEnd);
      f.unitStart = at;
      f.unitEnd = sink.pos;
    }
  }
  const buf = sink.buf;
  for (const f of families) f.body = buf;
  return buf;
}

/**
 * LocalFamily objects for reuse. An input's families are dead once it is adopted into the merged
 * families, and the next input needs about as many: an exposition of 1,200 families times 200 inputs
 * was otherwise ~45 MB of short-lived objects per merge, and most of its young-generation collections.
 */
export class LocalFamilies {
  private readonly free: LocalFamily[] = [];
  private readonly lists: LocalFamily[][] = [];

  /** An empty list for one input's families. */
  list(): LocalFamily[] {
    return this.lists.pop() ?? [];
  }

  take(body: Buffer, nameStart: number, nameEnd: number): LocalFamily {
    const f = this.free.pop();
    return f === undefined ? new LocalFamily(body, nameStart, nameEnd) : f.reset(body, nameStart, nameEnd);
  }

  /** `families` (the list and its members) are not read any more by anyone. */
  give(families: LocalFamily[]): void {
    for (const f of families) {
      // Not to keep a body reachable while the family waits for reuse.
      f.body = NO_BODY;
      this.free.push(f);
    }
    families.length = 0;
    this.lists.push(families);
  }
}

export interface ScanContext {
  readonly outFormat: ExpositionFormat;
  /** Where the input's LocalFamily objects come from. */
  readonly families: LocalFamilies;
  readonly records: SampleRecords;
  readonly side: ByteSink;
  readonly targets: TargetLabels;
  readonly insertions: readonly [Buffer, Buffer, Buffer];
  readonly honorLabels: boolean;
}

export type ScanResult = { ok: true; families: LocalFamily[] } | { ok: false; error: string };

/** Suffix of the current sample's name relative to `fam`, or -1 when the sample is not a member. */
function memberSuffix(p: ExpositionParser, fam: LocalFamily): number {
  const fs = fam.nameStart;
  const fl = fam.nameEnd - fs;
  const ns = p.nameStart;
  const sl = p.nameEnd - ns;
  if (sl < fl) return -1;
  // Word-wise, last word first: sibling families usually share a long prefix.
  const v = p.view;
  let i = fl - 4;
  for (; i >= 0; i -= 4) {
    if (v.getUint32(ns + i) !== v.getUint32(fs + i)) return -1;
  }
  for (i += 3; i >= 0; i--) {
    if (v.getUint8(ns + i) !== v.getUint8(fs + i)) return -1;
  }
  const suffix = sl === fl ? SUFFIX_NONE : suffixCode(p.buf, ns + fl, p.nameEnd);
  return isMemberSuffix(fam.type, suffix, p.format) ? suffix : -1;
}

// Local literals: imported enum objects are live bindings the JIT does not fold in this hot loop.
const TYPE_HISTOGRAM = 3;
const TYPE_SUMMARY = 4;
const SUFFIX_NONE = 0;
const VALUE_NUMBER = 0;
const ENTRY_SAMPLE = 5;

/**
 * Prometheus 2.x stores an OpenMetrics `_created` sample as a series of its own (`foo_created`). Text has
 * no place for it inside a counter, histogram or summary, so it becomes a gauge family of that name, as
 * client libraries write it in text: Prometheus then stores the same series either way.
 */
function createdFamilyOf(
  parent: LocalFamily,
  p: ExpositionParser,
  families: LocalFamily[],
  pool: LocalFamilies,
): LocalFamily {
  let created = parent.created;
  if (created === undefined) {
    created = pool.take(p.buf, p.nameStart, p.nameEnd);
    created.type = MetricType.Gauge;
    created.typed = true;
    created.helpStart = parent.helpStart;
    created.helpEnd = parent.helpEnd;
    parent.created = created;
    families.push(created);
  }
  return created;
}

export function scanInput(p: ExpositionParser, ctx: ScanContext): ScanResult {
  const families = ctx.families.list();
  // Built lazily: only inputs whose samples leave their family's block ever need a lookup by name.
  const byName: FamilyIndex = { map: new Map(), synced: 0 };
  const { records, targets, outFormat, insertions } = ctx;
  const sameFormat = p.format === outFormat;
  const omToText = p.format === 'openmetrics' && outFormat === 'text';
  const toText = outFormat === 'text';
  const insLen0 = insertions[0].length;
  const insLen1 = insertions[1].length;
  const insLen2 = insertions[2].length;
  const buf = p.buf;
  let cur: LocalFamily | undefined;
  let open: LocalFamily | undefined;
  let segFrom = 0;

  // Suffix of the previous sample, while no HELP/TYPE/UNIT came between: a sample repeating its name
  // belongs where the previous one did.
  let lastSuffix = -1;
  // The family of the previous entry when that was a HELP/TYPE/UNIT line: a header naming it again
  // (nameRepeat) needs no byte comparison.
  let header: LocalFamily | undefined;

  for (;;) {
    const entry = p.next();
    if (entry === ENTRY_SAMPLE) {
      header = undefined;
      let fam = cur as LocalFamily;
      let suffix =
        p.nameRepeat && lastSuffix >= 0 ? lastSuffix : cur === undefined ? -1 : memberSuffix(p, fam);
      if (suffix < 0) {
        const found = findFamily(p, families, byName);
        if (found !== undefined) {
          fam = found;
          suffix = memberSuffix(p, fam);
        } else {
          // A sample with no family of its own: untyped, as Prometheus treats it. OpenMetrics 1.0
          // forbids such a sample (`a` in info `a`, a counter sample without `_total`); Prometheus
          // stores it all the same, so it is kept, never dropped.
          fam = ctx.families.take(buf, p.nameStart, p.nameEnd);
          families.push(fam);
          suffix = Suffix.None;
        }
        cur = fam;
      }
      lastSuffix = suffix;
      if (omToText && isCreatedSample(fam.type, suffix as Suffix))
        fam = createdFamilyOf(fam, p, families, ctx.families);
      if (toText && (fam.type === TYPE_HISTOGRAM || fam.type === TYPE_SUMMARY) && !fam.notFloatBound) {
        fam.notFloatBound = !boundIsFloat(p, fam);
      }
      if (open !== fam) {
        if (open !== undefined) open.addSegment(segFrom, records.length);
        open = fam;
        segFrom = records.length;
      }
      fam.samples++;

      let clash = false;
      if (targets.size > 0) {
        const o = p.labelOffsets;
        for (let k = 0, end = p.labelCount * 4; k < end; k += 4) {
          if (targets.has(buf, o[k] as number, o[k + 1] as number)) {
            clash = true;
            break;
          }
        }
      }
      const valueAsIs =
        p.valueKind === VALUE_NUMBER ||
        outFormat === 'text' ||
        rangeEquals(buf, p.valueStart, p.valueEnd, canonicalSpecial(p.valueKind));
      if (sameFormat && !clash && !p.labelsNeedEscaping && valueAsIs) {
        let insertAt: number;
        let ins: Insertion;
        let insLen: number;
        if (p.labelsStart < 0) {
          insertAt = p.nameEnd;
          ins = Insertion.NewBraces;
          insLen = insLen2;
        } else if (p.labelCount === 0) {
          insertAt = p.labelsStart;
          ins = Insertion.IntoEmpty;
          insLen = insLen1;
        } else {
          insertAt = p.labelsStart;
          ins = Insertion.BeforeLabels;
          insLen = insLen0;
        }
        const restEnd =
          outFormat === 'openmetrics' ? p.lineEnd : p.timestampEnd >= 0 ? p.timestampEnd : p.valueEnd;
        records.push(p.nameStart, insertAt, restEnd, ins);
        fam.bytes += restEnd - p.nameStart + insLen + 1;
      } else {
        const start = ctx.side.pos;
        const unwritable = writeConverted(p, ctx, clash);
        if (unwritable === NOT_STORED) {
          ctx.side.pos = start;
          fam.samples--;
          continue;
        }
        if (unwritable !== undefined) return { ok: false, error: unwritable };
        records.push(-1, start, ctx.side.pos, 0);
        fam.bytes += ctx.side.pos - start;
      }
      continue;
    }
    lastSuffix = -1;
    if (entry === Entry.Help || entry === Entry.Type || entry === Entry.Unit) {
      let fam = cur as LocalFamily;
      const fits =
        cur !== undefined &&
        ((p.nameRepeat && header === fam) ||
          (fam.nameEnd - fam.nameStart === p.nameEnd - p.nameStart &&
            bytesEqual(buf, p.nameStart, p.nameEnd, buf, fam.nameStart))) &&
        (entry === Entry.Help
          ? fam.helpStart < 0
          : fam.samples === 0 && (entry === Entry.Type ? !fam.typed : fam.unitStart < 0));
      if (!fits) {
        fam = ctx.families.take(buf, p.nameStart, p.nameEnd);
        families.push(fam);
        cur = fam;
      }
      if (entry === Entry.Help) {
        fam.helpStart = p.textStart;
        fam.helpEnd = p.textEnd;
      } else if (entry === Entry.Type) {
        fam.type = p.metricType;
        fam.typed = true;
      } else {
        fam.unitStart = p.textStart;
        fam.unitEnd = p.textEnd;
      }
      header = fam;
      continue;
    }
    if (entry === Entry.Comment) continue;
    if (entry === Entry.Eof) break;
    return { ok: false, error: p.error };
  }
  if (open !== undefined) open.addSegment(segFrom, records.length);
  return { ok: true, families };
}

/**
 * Whether the current sample's `le` (histogram) or `quantile` (summary) label, if it has one, holds
 * a float as expfmt parses it: the same ParseFloat rules as Prometheus' values, on the unescaped value
 * (a backslash cannot be part of a float, escaped or not). The label's index in the family's previous
 * sample is tried first: bucket after bucket it is the same.
 */
function boundIsFloat(p: ExpositionParser, fam: LocalFamily): boolean {
  const b = p.buf;
  const o = p.labelOffsets;
  const first = fam.type === TYPE_HISTOGRAM ? 108 : 113; // `l`, `q`
  const len = first === 108 ? 2 : 8;
  const count = p.labelCount;
  let at = -1;
  const hint = fam.boundLabel;
  if (hint < count && isBoundName(b, o[hint * 4] as number, o[hint * 4 + 1] as number, first, len)) {
    at = hint;
  } else {
    for (let k = 0; k < count; k++) {
      if (isBoundName(b, o[k * 4] as number, o[k * 4 + 1] as number, first, len)) {
        at = k;
        break;
      }
    }
    if (at < 0) return true;
    fam.boundLabel = at;
  }
  const vs = o[at * 4 + 2] as number;
  const ve = o[at * 4 + 3] as number;
  // Nearly every bound is plain digits with at most one dot, or `+Inf`: settled here, without the
  // full grammar (this runs for every sample of every histogram and summary).
  let i = vs;
  while (i < ve && (b[i] as number) - 48 < 10 && (b[i] as number) >= 48) i++;
  let digits = i - vs;
  if (i < ve && b[i] === 46) {
    const f = ++i;
    while (i < ve && (b[i] as number) - 48 < 10 && (b[i] as number) >= 48) i++;
    digits += i - f;
  }
  if (i === ve && digits > 0 && digits < 300) return true;
  if (ve - vs === 4 && b[vs] === 43 && b[vs + 1] === 73 && b[vs + 2] === 110 && b[vs + 3] === 102)
    return true;
  return classifyFloat(b, vs, ve) !== INVALID_FLOAT;
}

function isBoundName(b: Buffer, ns: number, ne: number, first: number, len: number): boolean {
  if (b[ns] !== first || ne - ns !== len) return false;
  return len === 2 ? b[ns + 1] === 101 : rangeEquals(b, ns, ne, 'quantile');
}

/** A family of this input the sample belongs to although it is not the current one (interleaving). */
interface FamilyIndex {
  readonly map: Map<string, LocalFamily>;
  synced: number;
}

function findFamily(
  p: ExpositionParser,
  families: readonly LocalFamily[],
  index: FamilyIndex,
): LocalFamily | undefined {
  // A later family of the same name shadows an earlier one, as the latest block is the open one.
  for (; index.synced < families.length; index.synced++) {
    const f = families[index.synced] as LocalFamily;
    index.map.set(f.name, f);
  }
  const byName = index.map;
  if (byName.size === 0) return undefined;
  const buf = p.buf;
  const exact = byName.get(latin1(buf, p.nameStart, p.nameEnd));
  if (exact !== undefined && memberSuffix(p, exact) >= 0) return exact;
  for (let cut = p.nameEnd - 1; cut > p.nameStart && cut >= p.nameEnd - 8; cut--) {
    if (buf[cut] !== 95) continue;
    const base = byName.get(latin1(buf, p.nameStart, cut));
    if (base !== undefined && memberSuffix(p, base) >= 0) return base;
  }
  return undefined;
}

/**
 * A sample Prometheus scraping the target directly would not store either: an OpenMetrics timestamp
 * before 1970 or beyond int64 milliseconds is out of its storage's bounds. Text 0.0.4 cannot spell it,
 * so for text output it is left out (the rest of the input goes on) instead of failing the input.
 */
const NOT_STORED = Symbol('not stored by Prometheus');

/**
 * The full output line of a sample that needs more than an insertion, into the side buffer. Returns
 * why the sample cannot be written in the output format, if so: the input then fails as a whole
 * rather than making the merged body one that Prometheus refuses; or NOT_STORED.
 */
function writeConverted(
  p: ExpositionParser,
  ctx: ScanContext,
  clash: boolean,
): string | typeof NOT_STORED | undefined {
  const { side, targets, outFormat } = ctx;
  const buf = p.buf;
  side.ensure(p.nameEnd - p.nameStart);
  side.range(buf, p.nameStart, p.nameEnd);
  const rawLabelsOk = !clash && !p.labelsNeedEscaping && (outFormat === 'text' || p.labelsCanonical);
  if (rawLabelsOk) {
    const ins = ctx.insertions;
    side.ensure(p.labelsEnd - p.labelsStart + ins[2].length + 2);
    if (p.labelsStart < 0) {
      side.bytes(ins[2]);
    } else {
      side.byte(123);
      side.bytes(p.labelCount === 0 ? ins[1] : ins[0]);
      side.range(buf, p.labelsStart, p.labelsEnd);
      side.byte(125);
    }
  } else {
    targets.writeMerged(side, buf, p.labelOffsets, p.labelCount, ctx.honorLabels, p.labelsNeedEscaping);
  }
  side.ensure(p.valueEnd - p.valueStart + 64 + (p.exemplarEnd - p.exemplarStart));
  side.byte(32);
  if (p.valueKind === ValueKind.Number || outFormat === 'text') side.range(buf, p.valueStart, p.valueEnd);
  else side.ascii(canonicalSpecial(p.valueKind));
  if (p.timestampStart >= 0) {
    side.byte(32);
    if (p.format === outFormat) {
      side.range(buf, p.timestampStart, p.timestampEnd);
    } else {
      const ts = latin1(buf, p.timestampStart, p.timestampEnd);
      let written: string | undefined;
      if (outFormat === 'text') {
        // The text format's timestamps are digits only: nothing before 1970 (nor an overflow, which
        // Go turns into the minimum int64).
        const ms = omSecondsToMs(Number(ts));
        if (ms < 0) return NOT_STORED;
        written = String(ms);
      } else {
        written = msTextToOmSeconds(ts);
      }
      if (written === undefined) {
        return p.describe(
          `timestamp cannot be written in ${outFormat === 'text' ? 'text 0.0.4' : 'OpenMetrics'}`,
          p.timestampStart,
        );
      }
      side.ascii(written);
    }
  }
  if (p.exemplarStart >= 0 && outFormat === 'openmetrics') {
    side.byte(32);
    side.range(buf, p.exemplarStart, p.exemplarEnd);
  }
  side.byte(10);
  return undefined;
}
