import { createCcRequestCounter } from '../../scraper/cf/index.ts';
import { createDiscoveryMetrics } from '../../scraper/discovery/index.ts';
import { createScraperMetrics } from '../../scraper/metrics.ts';
import { SYNTHETIC_FAMILIES } from '../../scraper/scrape/synthetic.ts';

/**
 * Every series name the scraper really exposes: its own metrics, registered as app.ts registers them,
 * and the synthetic per-instance series of the merged output. What the shipped rules and dashboard
 * name is checked against it, so a renamed metric cannot silently blind them.
 */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = createScraperMetrics();
  createDiscoveryMetrics(metrics.registry);
  createCcRequestCounter(metrics.registry);
  const names = new Set<string>(SYNTHETIC_FAMILIES);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_count', '_sum']) names.add(m.name + s);
  }
  return names;
}

/** The promregator_ series names a PromQL expression refers to. */
export function promregatorNames(expr: string): string[] {
  return expr.match(/\bpromregator_[a-z_]+/g) ?? [];
}
