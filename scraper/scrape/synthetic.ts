import { escapeLabelValue, type LabelPair } from '../exposition/index.ts';

export interface InstanceReport {
  labels: readonly LabelPair[];
  up: boolean;
  /** Set when not up. */
  reason: string | undefined;
  /** What exactly failed, for logs (never a label): for `unparsable`, the line and bytes at fault. */
  detail?: string;
  durationSeconds: number;
  samples: number;
}

/** Family names of the synthetic series, reserved for them in the merge. */
export const SYNTHETIC_FAMILIES: readonly string[] = [
  'promregator_up',
  'promregator_scrape_duration_seconds',
  'promregator_scrape_samples',
  'promregator_scrape_failure',
];

/**
 * The per-instance series promregator adds, as one text 0.0.4 body (merged as one more input).
 * `promregator_up` keeps the same label set whether the instance is up or not, so an alert on
 * `promregator_up == 0` follows one series; the reason of a failure is a separate series
 * `promregator_scrape_failure{…,reason="…"} 1`, present only while the instance fails.
 */
export function syntheticExposition(reports: readonly InstanceReport[]): Buffer {
  const labelSets = reports.map((r) => labelText(r.labels));
  const parts: string[] = [];
  const family = (name: string, help: string, value: (r: InstanceReport) => string | undefined) => {
    parts.push(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n`);
    for (let i = 0; i < reports.length; i++) {
      const line = value(reports[i] as InstanceReport);
      if (line !== undefined) parts.push(`${name}{${labelSets[i]}${line}\n`);
    }
  };
  family('promregator_up', '1 if the instance was scraped and its metrics parsed, else 0', (r) =>
    r.up ? '} 1' : '} 0',
  );
  family(
    'promregator_scrape_duration_seconds',
    'Duration of the scrape of the instance',
    (r) => `} ${r.durationSeconds.toFixed(6)}`,
  );
  family('promregator_scrape_samples', 'Samples of the instance in this output', (r) => `} ${r.samples}`);
  if (reports.some((r) => !r.up)) {
    family(
      'promregator_scrape_failure',
      'Why the scrape of the instance failed (present while it fails)',
      (r) => (r.up ? undefined : `,reason="${escapeLabelValue(r.reason ?? 'unknown').toString('utf8')}"} 1`),
    );
  }
  return Buffer.from(parts.join(''), 'utf8');
}

function labelText(labels: readonly LabelPair[]): string {
  return labels.map(([name, value]) => `${name}="${escapeLabelValue(value).toString('utf8')}"`).join(',');
}
