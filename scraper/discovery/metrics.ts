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
      help: 'Age of the served discovery view (grows while the Cloud Controller is unreachable)',
      registers: [registry],
    }),
  };
}
