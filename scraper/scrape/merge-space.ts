import {
  type ChunkPool,
  createMerger,
  type ExpositionFormat,
  type LabelPair,
  type Merger,
} from '../exposition/index.ts';
import type { InstanceReport } from './synthetic.ts';
import { SYNTHETIC_FAMILIES, syntheticExposition } from './synthetic.ts';
import type { ScrapeOutcome } from './types.ts';

export interface ScrapedInstance {
  labels: readonly LabelPair[];
  honorLabels: boolean;
  outcome: ScrapeOutcome;
}

export interface MergedSpace {
  chunks: Buffer[];
  bytes: number;
  reports: InstanceReport[];
  /** Hands the chunks back to the pool they came from, once nothing reads them any more. */
  release(): void;
}

/**
 * The merge of one space's instances, fed as they arrive: each body is parsed and written into its
 * pieces on arrival, overlapping the fetches still in flight, so little is left once the last one is in.
 */
export interface SpaceMerge {
  /** Instance `position` has its outcome. Each position once. */
  arrived(position: number, instance: ScrapedInstance): void;
  /**
   * Every instance, with outcomes as finally reported (a failure's reason may have been refined since
   * it arrived). The synthetic series join the same merge, after the instances: one family each, even
   * when an app exposes a family of the same name, whose samples are then dropped as conflicting.
   */
  finish(instances: readonly ScrapedInstance[]): MergedSpace;
}

export function createSpaceMerge(format: ExpositionFormat, pool?: ChunkPool): SpaceMerge {
  const merger: Merger = createMerger(
    format,
    pool === undefined ? { reserved: SYNTHETIC_FAMILIES } : { reserved: SYNTHETIC_FAMILIES, pool },
  );
  function addSynthetic(instances: readonly ScrapedInstance[]): InstanceReport[] {
    const parsed = merger.outcomes();
    const reports: InstanceReport[] = instances.map((inst, i) => {
      const o = inst.outcome;
      const base = { labels: inst.labels, durationSeconds: o.durationMs / 1000 };
      if (!o.ok) return { ...base, up: false, reason: o.reason, samples: 0 };
      const p = parsed[i];
      if (!p?.ok) {
        return { ...base, up: false, reason: 'unparsable', detail: p?.error ?? 'not parsed', samples: 0 };
      }
      return { ...base, up: true, reason: undefined, samples: p.samples };
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
        return;
      }
      merger.add(
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
      const { chunks, bytes, release } = merger.finish();
      return { chunks, bytes, reports, release };
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
