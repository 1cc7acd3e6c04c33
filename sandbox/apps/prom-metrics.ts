import { Counter, Gauge, Histogram, type OpenMetricsContentType, Registry } from 'prom-client';
import type { ExtraFamily } from '../types.ts';
import type { ExpositionFormat } from './negotiate.ts';

// A small, realistic instance exposition. Values identify the instance, so tests can tell instances apart,
// and a few awkward values (NaN, ±Inf, escaped labels) keep the scraper's pass-through honest.

export interface InstanceIdentity {
  appName: string;
  appGuid: string;
  index: number;
  startedAt: number;
}

export class PromClientInstance {
  private readonly text = new Registry();
  private readonly om = new Registry<OpenMetricsContentType>();
  private readonly scrapes: Counter;
  private readonly latency: Histogram<'method' | 'status'>;

  constructor(id: InstanceIdentity, families: readonly ExtraFamily[] = []) {
    // Explicit registers keep prom-client's global registry out of it: many instances share one process.
    this.om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.text, this.om];
    new Gauge({ name: 'sandbox_instance_index', help: 'CF instance index of this instance.', registers }).set(
      id.index,
    );
    new Gauge({
      name: 'sandbox_app_info',
      help: 'Identity of the app serving these metrics.',
      labelNames: ['app_name', 'app_guid', 'instance_index'],
      registers,
    }).set({ app_name: id.appName, app_guid: id.appGuid, instance_index: String(id.index) }, 1);
    new Gauge({
      name: 'sandbox_instance_start_time_seconds',
      help: 'Start time of the instance.',
      registers,
    }).set(Math.floor(id.startedAt / 1000));
    const special = new Gauge({
      name: 'sandbox_special_value',
      help: 'Values a faithful pipeline must pass through unchanged.',
      labelNames: ['kind'],
      registers,
    });
    special.set({ kind: 'nan' }, Number.NaN);
    special.set({ kind: 'pos_inf' }, Number.POSITIVE_INFINITY);
    special.set({ kind: 'neg_inf' }, Number.NEGATIVE_INFINITY);
    special.set({ kind: 'escaped "quote" \\ back\nslash' }, 1);
    this.scrapes = new Counter({
      name: 'sandbox_scrapes_total',
      help: 'Metrics requests this instance answered.',
      registers,
    });
    this.latency = new Histogram({
      name: 'sandbox_http_request_duration_seconds',
      help: 'Duration of handled requests.',
      labelNames: ['method', 'status'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    for (const f of families) {
      const help = `Extra ${f.type} of the app spec.`;
      if (f.type === 'counter') new Counter({ name: f.name, help, registers }).inc(f.value);
      else new Gauge({ name: f.name, help, registers }).set(f.value);
    }
  }

  async render(format: ExpositionFormat): Promise<string> {
    this.scrapes.inc();
    this.latency.observe({ method: 'GET', status: '200' }, 0.002 + Math.random() * 0.05);
    return format === 'openmetrics' ? this.om.metrics() : this.text.metrics();
  }
}
