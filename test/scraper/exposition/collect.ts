// Test helper: every sample of an exposition as Prometheus would store it (labels sorted, values as numbers).
import { createParser, Entry, type ExpositionFormat } from '../../../scraper/exposition/index.ts';

export interface StoredSample {
  name: string;
  labels: string; // canonical `a="x",b="y"` of the sorted, unescaped pairs (empty values dropped)
  value: number;
  timestampMs: number | undefined;
}

export interface Collected {
  samples: StoredSample[];
  help: Map<string, string>;
  types: Map<string, string>;
  error: string | undefined;
}

export function collect(body: Buffer | string, format: ExpositionFormat): Collected {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const p = createParser(buf, format);
  const samples: StoredSample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  for (;;) {
    const e = p.next();
    if (e === Entry.Eof) return { samples, help, types, error: undefined };
    if (e === Entry.Invalid) return { samples, help, types, error: p.error };
    if (e === Entry.Help) help.set(p.metricName(), p.help());
    if (e === Entry.Type) types.set(p.metricName(), p.text());
    if (e === Entry.Sample) {
      const labels = p
        .labels()
        .filter(([, v]) => v !== '')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
        .join(',');
      samples.push({ name: p.metricName(), labels, value: p.value(), timestampMs: p.timestampMs() });
    }
  }
}

/** Samples compared as Prometheus would: NaN equals NaN, order of series irrelevant. */
export function sampleKeys(samples: readonly StoredSample[]): string[] {
  return samples
    .map(
      (s) =>
        `${s.name}{${s.labels}} ${Number.isNaN(s.value) ? 'NaN' : String(s.value)} ${s.timestampMs ?? '-'}`,
    )
    .sort();
}
