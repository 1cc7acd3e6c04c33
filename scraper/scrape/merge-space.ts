import {
  type ExpositionFormat,
  type LabelPair,
  type MergeInput,
  mergeExpositions,
} from '../exposition/index.ts';
import type { InstanceReport } from './synthetic.ts';
import { syntheticExposition } from './synthetic.ts';
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
}

const EOF_LINE = Buffer.from('# EOF\n');

/**
 * One merge of every successful instance, then the synthetic series, which need the per-instance
 * sample counts the first merge reports; the two outputs are concatenated (OpenMetrics: the first
 * `# EOF` is dropped). Family names `promregator_*` are reserved for this second part.
 */
export function mergeSpace(instances: readonly ScrapedInstance[], format: ExpositionFormat): MergedSpace {
  const inputs: MergeInput[] = [];
  const inputOf: number[] = [];
  for (const inst of instances) {
    if (!inst.outcome.ok) {
      inputOf.push(-1);
      continue;
    }
    inputOf.push(inputs.length);
    inputs.push({
      body: inst.outcome.body,
      contentType: inst.outcome.contentType,
      targetLabels: inst.labels,
      honorLabels: inst.honorLabels,
    });
  }
  const merged = inputs.length > 0 ? mergeExpositions(inputs, format) : undefined;
  const reports: InstanceReport[] = instances.map((inst, i) => {
    const o = inst.outcome;
    const base = { labels: inst.labels, durationSeconds: o.durationMs / 1000 };
    if (!o.ok) return { ...base, up: false, reason: o.reason, samples: 0 };
    const parsed = merged?.inputs[inputOf[i] as number];
    if (!parsed?.ok) return { ...base, up: false, reason: 'unparsable', samples: 0 };
    return { ...base, up: true, reason: undefined, samples: parsed.samples };
  });
  const synthetic = mergeExpositions(
    [{ body: syntheticExposition(reports), contentType: undefined, targetLabels: [], honorLabels: true }],
    format,
  );
  const chunks: Buffer[] = [];
  if (merged) {
    for (const chunk of merged.chunks) chunks.push(chunk);
    if (format === 'openmetrics') dropTrailingEof(chunks);
  }
  for (const chunk of synthetic.chunks) chunks.push(chunk);
  let bytes = 0;
  for (const chunk of chunks) bytes += chunk.length;
  return { chunks, bytes, reports };
}

function dropTrailingEof(chunks: Buffer[]): void {
  const last = chunks[chunks.length - 1];
  if (!last || last.length < EOF_LINE.length) return;
  const tail = last.subarray(last.length - EOF_LINE.length);
  if (tail.equals(EOF_LINE)) chunks[chunks.length - 1] = last.subarray(0, last.length - EOF_LINE.length);
}
