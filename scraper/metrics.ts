import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The scraper's own metrics, on a Registry of its own per app instance (never prom-client's global one),
 * so several scrapers in one process (tests, local mode) do not collide.
 */
export interface ScraperMetrics {
  registry: Registry;
  requestDuration: Histogram<'route' | 'status'>;
  scrapeFailures: Counter<'reason'>;
  instanceScrapes: Counter<'outcome'>;
  cacheLookups: Counter<'cache' | 'result'>;
  authFailures: Counter<'reason'>;
  /** Share of its deadline each instance scrape used: deadlines differ per request, shares compare. */
  deadlineUse: Histogram;
  /** Samples the merge dropped: their family's type disagreed with an earlier input's, or is reserved. */
  typeConflicts: Counter;
  /** Set from the discovery view at collection time. */
  targets: Gauge<'state'>;
}

export function createScraperMetrics(): ScraperMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requestDuration: new Histogram({
      name: 'promregator_http_request_duration_seconds',
      help: 'Latency of requests to the scraper by route and status',
      labelNames: ['route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    scrapeFailures: new Counter({
      name: 'promregator_scrape_failures_total',
      help: 'Failed instance scrapes by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    instanceScrapes: new Counter({
      name: 'promregator_instance_scrapes_total',
      help: 'Instance scrapes by outcome (up, down); shared fan-outs count once',
      labelNames: ['outcome'] as const,
      registers,
    }),
    authFailures: new Counter({
      name: 'promregator_auth_failures_total',
      help: 'Refused requests by reason (missing_credentials, unknown_user, wrong_password, rate_limited, invalid_token, …)',
      labelNames: ['reason'] as const,
      registers,
    }),
    cacheLookups: new Counter({
      name: 'promregator_cache_lookups_total',
      help: 'Cache lookups by cache (fanout) and result (hit, miss)',
      labelNames: ['cache', 'result'] as const,
      registers,
    }),
    deadlineUse: new Histogram({
      name: 'promregator_scrape_deadline_ratio',
      help: 'Share of its deadline an instance scrape used (1 = timed out), queueing for a slot included',
      buckets: [0.1, 0.25, 0.5, 0.75, 0.8, 0.9, 1],
      registers,
    }),
    typeConflicts: new Counter({
      name: 'promregator_type_conflicts_total',
      help: 'Samples dropped from merged output: family type disagreed with an earlier instance, or reserved name',
      registers,
    }),
    targets: new Gauge({
      name: 'promregator_targets',
      help: 'Bound targets by discovery state (scrapable, app-stopped, no-route, …)',
      labelNames: ['state'] as const,
      registers,
    }),
  };
}
