import { Counter, type Registry } from 'prom-client';
import type { CcRequestCounter } from './types.ts';

/** The counter the CC client increments, registered on the app's registry (never the global one). */
export function createCcRequestCounter(registry: Registry): CcRequestCounter {
  return new Counter({
    name: 'promregator_cc_requests_total',
    help: 'Requests to the Cloud Controller and UAA by endpoint template and status',
    labelNames: ['endpoint', 'status'] as const,
    registers: [registry],
  });
}
