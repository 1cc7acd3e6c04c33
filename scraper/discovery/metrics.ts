import { Counter, Gauge, type Registry } from 'prom-client';
import type { DiscoveryMetrics } from './types.ts';

/** Discovery's own metrics on the app's registry (never the global one). */
export function createDiscoveryMetrics(registry: Registry): DiscoveryMetrics {
  return {
    runs: new Counter({
      name: 'promregator_discovery_runs_total',
      help: 'Discovery runs against the Cloud Controller by kind (full, incremental) and outcome (ok, error)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    viewAgeSeconds: new Gauge({
      name: 'promregator_discovery_view_age_seconds',
      help: 'Age of the served discovery view: since the last full discovery or complete event-feed read (grows while the Cloud Controller is unreachable)',
      registers: [registry],
    }),
    eventsRead: new Counter({
      name: 'promregator_discovery_events_read_total',
      help: 'Cloud Controller audit events read by the discoverer (after de-duplication)',
      registers: [registry],
    }),
    feedUp: new Gauge({
      name: 'promregator_discovery_event_feed_up',
      help: '1 while discovery follows the audit event feed, 0 while it falls back to a full discovery every TTL',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'promregator_discovery_leader',
      help: '1 on the scraper instance that discovers (holds the Postgres lock), 0 on those serving its view',
      registers: [registry],
    }),
  };
}
