import {
  type ChunkPool,
  createMerger,
  type ExpositionFormat,
  type LabelPair,
  type Merger,
} from '../exposition/index.ts';
import { boundDetail } from './fetch-instance.ts';
import type { InstanceReport } from './synthetic.ts';
import { SYNTHETIC_FAMILIES, syntheticExposition } from './synthetic.ts';
import type { ScrapeOutcome, SettledOutcome } from './types.ts';

export interface ScrapedInstance {
  labels: readonly LabelPair[];
  honorLabels: boolean;
  outcome: ScrapeOutcome;
}

/** An instance as `finish` sees it: its body, if any, is not read any more. */
export interface SettledInstance {
  labels: readonly LabelPair[];
  honorLabels: boolean;
  outcome: SettledOutcome;
}

export interface MergedSpace {
  /** Of the whole answer. */
  bytes: number;
  /** The answer, window by window (MergeOutput#next): written only as it is read. */
  next(window: Buffer): Buffer | undefined;
  reports: InstanceReport[];
  /** Samples dropped because their family's type disagreed with an earlier instance's, or the name is reserved. */
  conflictsDropped: number;
  /** The merge's memory (bodies, records) goes back, once nothing calls `next` any more. */
  release(): void;
}

/**
 * The merge of one space's instances, fed as they arrive: each body is parsed on arrival, overlapping
 * the fetches still in flight; the answer is written as it is read once the last one is in.
 *
 * It runs on the thread that owns the sockets. Running it in a worker thread instead (bodies and
 * windows in SharedArrayBuffer memory, one message per body and per window) was measured with
 * bench:space on two cores and not taken: the wall time did not improve, as the other core is already
 * busy with the targets, the gorouter and the client; the scraper's CPU per scrape rose (plain path
 * 140 → 180 ms): writing the answer took ~60% longer in shared memory, which V8 copies into with relaxed
 * atomic stores rather than memcpy, and the messages cost too.
 */
export interface SpaceMerge {
  /**
   * Instance `position` has its outcome. Each position once. Returns true when nothing reads its body
   * once this has returned; false when the merge reads it until `finish` has returned.
   */
  arrived(position: number, instance: ScrapedInstance): boolean;
  /**
   * Every instance, with outcomes as finally reported (a failure's reason may have been refined since
   * it arrived). The synthetic series join the same merge, after the instances: one family each, even
   * when an app exposes a family of the same name, whose samples are then dropped as conflicting.
   */
  finish(instances: readonly SettledInstance[]): MergedSpace;
}

export function createSpaceMerge(format: ExpositionFormat, pool?: ChunkPool): SpaceMerge {
  const merger: Merger = createMerger(
    format,
    pool === undefined ? { reserved: SYNTHETIC_FAMILIES } : { reserved: SYNTHETIC_FAMILIES, pool },
  );
  function addSynthetic(instances: readonly SettledInstance[]): InstanceReport[] {
    const parsed = merger.outcomes();
    const reports: InstanceReport[] = instances.map((inst, i) => {
      const o = inst.outcome;
      const base = { labels: inst.labels, durationSeconds: o.durationMs / 1000 };
      if (!o.ok) return { ...base, up: false, reason: o.reason, detail: o.detail, samples: 0 };
      const p = parsed[i];
      if (!p?.ok)
        return {
          ...base,
          up: false,
          reason: 'unparsable',
          detail: boundDetail(p?.error ?? 'not parsed'),
          samples: 0,
        };
      return {
        ...base,
        up: true,
        reason: undefined,
        samples: p.samples,
        families: p.families ?? 0,
        conflicts: p.conflictsDropped,
      };
    });
    merger.add(
      { body: syntheticExposition(reports), contentType: undefined, targetLabels: [], honorLabels: true },
      instances.length,
      true,
    );
    return reports;
  }

  return {
    arrived(position, inst) {
      if (!inst.outcome.ok) {
        merger.skip(position);
        return true;
      }
      return merger.add(
        {
          body: inst.outcome.body,
          contentType: inst.outcome.contentType,
          targetLabels: inst.labels,
          honorLabels: inst.honorLabels,
        },
        position,
      );
    },
    finish(instances) {
      const reports = addSynthetic(instances);
      const { bytes, inputs, next, release } = merger.finishStream();
      let conflictsDropped = 0;
      for (const input of inputs) conflictsDropped += input.conflictsDropped;
      return { bytes, next, reports, conflictsDropped, release };
    },
  };
}

/** One-shot form, for instances already scraped. */
export function mergeSpace(instances: readonly ScrapedInstance[], format: ExpositionFormat): MergedSpace {
  const merge = createSpaceMerge(format);
  instances.forEach((inst, i) => {
    merge.arrived(i, inst);
  });
  return merge.finish(instances);
}

/** The whole answer in one buffer, its merge's memory released (for answers small enough to hold). */
export function readAnswer(merged: MergedSpace): Buffer {
  const window = Buffer.allocUnsafe(Math.max(1, Math.min(merged.bytes, 1 << 20)));
  const parts: Buffer[] = [];
  for (let part = merged.next(window); part !== undefined; part = merged.next(window)) {
    parts.push(Buffer.from(part));
  }
  merged.release();
  return Buffer.concat(parts, merged.bytes);
}
