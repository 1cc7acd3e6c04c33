import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { stringify } from 'yaml';
import { cfContext } from '../../local/osb-client.ts';
import type { SandboxApp } from '../../sandbox/index.ts';
import type { ConformanceInput, InputFormat, Stamps } from '../e2e/conformance-inputs.ts';
import { eventually } from './eventually.ts';
import { type PrometheusServer, startPrometheus } from './prometheus.ts';
import { type RewriteProxy, startRewriteProxy } from './rewrite-proxy.ts';
import { type Stack, startStack } from './stack.ts';

export const CONTENT_TYPES: Record<InputFormat, string> = {
  text: 'text/plain;version=0.0.4',
  openmetrics: 'application/openmetrics-text;version=1.0.0',
};

/** What Prometheus sends for the text job instead of its own OpenMetrics-first Accept. */
const TEXT_ACCEPT = 'text/plain;version=0.0.4';

/** The healthy neighbour beside every input: the same body in each space, one per format. */
export const NEIGHBOUR_BODIES: Record<InputFormat, string> = {
  text: [
    '# HELP neighbour_requests_total Requests served.',
    '# TYPE neighbour_requests_total counter',
    'neighbour_requests_total{method="GET",path="/a"} 1027',
    'neighbour_requests_total{method="POST",path="/b \\"q\\""} 3',
    '# TYPE neighbour_temperature_celsius gauge',
    'neighbour_temperature_celsius -3.5',
    '# TYPE neighbour_latency_seconds histogram',
    'neighbour_latency_seconds_bucket{le="0.1"} 2',
    'neighbour_latency_seconds_bucket{le="1"} 5',
    'neighbour_latency_seconds_bucket{le="+Inf"} 6',
    'neighbour_latency_seconds_sum 3.25',
    'neighbour_latency_seconds_count 6',
    '# TYPE neighbour_queue_seconds summary',
    'neighbour_queue_seconds{quantile="0.5"} 0.02',
    'neighbour_queue_seconds_sum 1.5',
    'neighbour_queue_seconds_count 40',
    '',
  ].join('\n'),
  openmetrics: [
    '# TYPE neighbour_requests counter',
    '# HELP neighbour_requests Requests served.',
    'neighbour_requests_total{method="GET",path="/a"} 1027',
    'neighbour_requests_created{method="GET",path="/a"} 1700000000.5',
    'neighbour_requests_total{method="POST",path="/b \\"q\\""} 3 # {trace="t1"} 1',
    '# TYPE neighbour_temperature_celsius gauge',
    '# UNIT neighbour_temperature_celsius celsius',
    'neighbour_temperature_celsius -3.5',
    '# TYPE neighbour_latency_seconds histogram',
    'neighbour_latency_seconds_bucket{le="0.1"} 2',
    'neighbour_latency_seconds_bucket{le="1"} 5',
    'neighbour_latency_seconds_bucket{le="+Inf"} 6',
    'neighbour_latency_seconds_sum 3.25',
    'neighbour_latency_seconds_count 6',
    '# TYPE neighbour_door stateset',
    'neighbour_door{neighbour_door="open"} 1',
    '# EOF',
    '',
  ].join('\n'),
};

export const JOBS = {
  direct: 'direct',
  openmetrics: 'merged-openmetrics',
  text: 'merged-text',
} as const;

export interface Row {
  input: ConformanceInput;
  spaceGuid: string;
  spaceName: string;
  app: SandboxApp;
  neighbour: SandboxApp;
  neighbourFormat: InputFormat;
}

export interface ConformanceStack {
  stack: Stack;
  rows: Row[];
  /** Direct targets of one app per neighbour body, the reference for every neighbour. */
  references: Record<InputFormat, SandboxApp>;
  /** By quarantine group (see `groupOf`): one for the ordinary rows, one per group of the others. */
  prometheus: Map<string, PrometheusServer>;
  /** `host:port` of the proxy: `/direct/<app>`, `/openmetrics/<space>`, `/text/<space>`. */
  proxyAddress: string;
  /** Epoch ms before the first scrape: every explicit timestamp of the table lies before it. */
  startedAt: number;
  /** Epoch ms once the scraper knew every input and neighbour instance. */
  readyAt: number;
  stop(): Promise<void>;
}

/** The Prometheus server a row is scraped by: '' for the ordinary rows. */
export function groupOf(input: ConformanceInput): string {
  return input.quarantine ?? '';
}

// 522 targets, every one a request through this process (the rewrite proxy, the scraper and the sandbox
// all run in it, on one thread). At 2 s, and at times at 5 s, a slow CI machine (the other test files
// beside it) could not keep up: requests queued, instance fetches ran out of time round after round, and
// the set-up took 240 s instead of 20. At 10 s the offered load is half of that at 5 s.
const SCRAPE = { scrape_interval: '10s', scrape_timeout: '10s' };

function stampsAt(base: number): Stamps {
  return {
    ms: (offset = 0) => String(base + offset),
    s: (offset = 0) => ((base + offset) / 1000).toFixed(3),
  };
}

function bodyBytes(input: ConformanceInput, stamps: Stamps): Buffer {
  const { body } = input;
  if (typeof body === 'function') return Buffer.from(body(stamps), 'utf8');
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * The sandbox with one space per input (the input's instance beside a healthy neighbour), the scraper
 * and broker with one service key per space, one rewriting proxy, and the Prometheus servers scraping
 * every input directly and every space through the merged endpoint in both formats.
 */
export async function startConformanceStack(
  inputs: readonly ConformanceInput[],
  /** Told at once how to stop whatever gets started: a caller that gives up waiting can still stop it. */
  onStop?: (stop: () => Promise<void>) => void,
): Promise<ConformanceStack> {
  const teardown = new Teardown();
  onStop?.(() => teardown.run());
  try {
    return await assemble(inputs, teardown);
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** What has been started so far, stopped in reverse order once the starts still under way have settled. */
class Teardown {
  private readonly steps: Array<() => Promise<void>> = [];
  private readonly pending: Array<Promise<unknown>> = [];

  track<T>(starting: Promise<T>, stop: (value: T) => Promise<void>): Promise<T> {
    this.pending.push(
      starting.then(
        (value) => this.steps.push(() => stop(value)),
        () => undefined,
      ),
    );
    return starting;
  }

  async run(): Promise<void> {
    await Promise.all(this.pending);
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}

async function assemble(inputs: readonly ConformanceInput[], teardown: Teardown): Promise<ConformanceStack> {
  const began = Date.now();
  const stack = await teardown.track(startStack(), (s) => s.stop());
  const startedAt = Date.now();
  // Where the set-up's time goes, for a run that is slow or runs out of time on a busy machine.
  const stage = (name: string) =>
    console.info(`conformance set-up: ${name} at ${((Date.now() - began) / 1000).toFixed(1)} s`);
  stage('stack started');
  const stamps = stampsAt(startedAt - 600_000 - (startedAt % 1000) + 123);
  const { control } = stack.sandbox;
  const org = control.createOrg('conformance');
  const fixed = (app: SandboxApp, format: InputFormat, body: Buffer) =>
    control.setInstanceBehavior(app.guid, 0, {
      kind: 'fixed-body',
      contentType: CONTENT_TYPES[format],
      bodyBase64: body.toString('base64'),
    });
  const refSpace = control.createSpace(org.guid, 'references');
  const references = {} as Record<InputFormat, SandboxApp>;
  for (const format of ['text', 'openmetrics'] as const) {
    references[format] = control.createApp({ spaceGuid: refSpace.guid, name: `reference-${format}` });
    fixed(references[format], format, Buffer.from(NEIGHBOUR_BODIES[format]));
  }
  const rows: Row[] = inputs.map((input, i) => {
    const space = control.createSpace(org.guid, `space-${i}`);
    const app = control.createApp({ spaceGuid: space.guid, name: `input-${i}` });
    const neighbour = control.createApp({ spaceGuid: space.guid, name: `neighbour-${i}` });
    const neighbourFormat: InputFormat = i % 2 === 0 ? 'openmetrics' : 'text';
    // A quarantined body waits until its Prometheus has stored an ordinary sample (see below).
    fixed(app, input.format, input.quarantine ? Buffer.alloc(0) : bodyBytes(input, stamps));
    fixed(neighbour, neighbourFormat, Buffer.from(NEIGHBOUR_BODIES[neighbourFormat]));
    return { input, spaceGuid: space.guid, spaceName: space.name, app, neighbour, neighbourFormat };
  });

  const apps = new Map<string, SandboxApp>();
  for (const r of rows) apps.set(r.app.guid, r.app);
  for (const a of Object.values(references)) apps.set(a.guid, a);
  const keys = new Map<string, string>();
  const proxyStarting = startRewriteProxy((path) => {
    const [, kind, guid] = path.split('/');
    if (kind === 'direct') {
      const app = apps.get(guid ?? '');
      if (!app) return undefined;
      const headers = { host: app.routes[0] ?? '', 'x-cf-app-instance': `${app.guid}:0` };
      return { url: `${stack.sandbox.routerUrl}/metrics`, headers };
    }
    const authorization = keys.get(guid ?? '');
    if (!authorization || (kind !== 'openmetrics' && kind !== 'text')) return undefined;
    const url = `${stack.scraperUrl}/v1/spaces/${guid}/metrics`;
    return { url, headers: { authorization, ...(kind === 'text' && { accept: TEXT_ACCEPT }) } };
  });
  const proxy: RewriteProxy = await teardown.track(proxyStarting, (p) => p.close());

  const configFor = (subset: Row[]) => {
    const target = (path: string, instance: string) => ({
      targets: [proxy.address],
      labels: { __metrics_path__: path, instance },
    });
    const direct = subset.map((r) => target(`/direct/${r.app.guid}`, r.input.name));
    for (const [format, app] of Object.entries(references))
      direct.push(target(`/direct/${app.guid}`, `reference-${format}`));
    const merged = (kind: 'openmetrics' | 'text') =>
      subset.map((r) => target(`/${kind}/${r.spaceGuid}`, r.input.name));
    return stringify({
      global: SCRAPE,
      scrape_configs: [
        { job_name: JOBS.direct, ...SCRAPE, static_configs: direct },
        { job_name: JOBS.openmetrics, ...SCRAPE, static_configs: merged('openmetrics') },
        { job_name: JOBS.text, ...SCRAPE, static_configs: merged('text') },
      ],
    });
  };
  // Prometheus starts while the broker calls run: its first scrapes may find a space not yet readable,
  // which the comparison tolerates by looking only at what was stored once the scraper was ready.
  const groups = [...new Set(rows.map((r) => groupOf(r.input)))];
  const prometheusStarting = Promise.all(
    groups.map((g) =>
      teardown.track(startPrometheus(configFor(rows.filter((r) => groupOf(r.input) === g))), (p) => p.stop()),
    ),
  );

  const { serviceId, planId } = stack.config.broker.catalog;
  const ids = { service_id: serviceId, plan_id: planId };
  await inBatches(rows, 4, async (r) => {
    const space = { orgGuid: org.guid, orgName: org.name, spaceGuid: r.spaceGuid, spaceName: r.spaceName };
    const instanceId = randomUUID();
    const provision = await stack.osb.call('PUT', `/v2/service_instances/${instanceId}`, {
      ...ids,
      organization_guid: org.guid,
      space_guid: r.spaceGuid,
      context: cfContext(space, { instance_name: `metrics-${r.app.name}` }),
    });
    if (provision.status !== 201) throw new Error(`provision ${r.input.name}: ${provision.status}`);
    for (const app of [r.app, r.neighbour]) {
      const bind = await stack.osb.call(
        'PUT',
        `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
        {
          ...ids,
          app_guid: app.guid,
          bind_resource: { app_guid: app.guid, space_guid: r.spaceGuid },
          context: cfContext(space),
        },
      );
      if (bind.status !== 201) throw new Error(`bind ${app.name}: ${bind.status}`);
    }
    const key = await stack.osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
      {
        ...ids,
        bind_resource: { credential_client_id: 'cc_service_key_client' },
        context: cfContext(space),
      },
    );
    if (key.status !== 201) throw new Error(`service key ${r.input.name}: ${key.status}`);
    const creds = key.body.credentials as { username: string; password: string };
    keys.set(r.spaceGuid, `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`);
  });
  stage('every space provisioned, bound and given a service key');
  const started = await prometheusStarting;
  stage('Prometheus servers started');
  const prometheus = new Map(groups.map((g, i) => [g, started[i] as PrometheusServer]));

  // Ready once the scraper's own answer names both instances of every space: asked directly, not
  // through Prometheus, since a merged answer Prometheus refuses is one of the things under test.
  await inBatches(rows, 8, async (r) => {
    await eventually(
      async () => {
        const res = await request(`${stack.scraperUrl}/v1/spaces/${r.spaceGuid}/metrics`, {
          headers: { authorization: keys.get(r.spaceGuid) ?? '', accept: TEXT_ACCEPT },
        });
        const text = await res.body.text();
        const up = text.split('\n').filter((l) => l.startsWith('promregator_up{'));
        return [r.app, r.neighbour].every((a) => up.some((l) => l.includes(`cf_instance_id="${a.guid}:0"`)))
          ? true
          : undefined;
      },
      60_000,
      `scraper knowing both instances of ${r.input.name}`,
    );
  });
  stage('the scraper knows every instance');
  // Prometheus 2.42 starts its head at the first sample it appends: were that the int64 minimum an
  // overflowing timestamp turns into, every later sample would be out of bounds. So the quarantined
  // bodies are served only once each Prometheus has stored a round of ordinary samples.
  if (rows.some((r) => r.input.quarantine)) {
    const since = Date.now();
    await Promise.all([...prometheus.values()].map((p) => awaitScrapeRounds(p, since, 1)));
    for (const r of rows) if (r.input.quarantine) fixed(r.app, r.input.format, bodyBytes(r.input, stamps));
    // A merged scrape already under way may still answer with the placeholder: let those finish.
    const switched = Date.now();
    await Promise.all([...prometheus.values()].map((p) => awaitScrapeRounds(p, switched, 1)));
  }
  stage('ready');
  const readyAt = Date.now();
  return {
    stack,
    rows,
    references,
    prometheus,
    proxyAddress: proxy.address,
    startedAt,
    readyAt,
    stop: () => teardown.run(),
  };
}

interface TargetState {
  labels: Record<string, string>;
  lastScrape: string;
  lastError: string;
}

async function activeTargets(prometheus: PrometheusServer): Promise<TargetState[]> {
  const res = await request(`${prometheus.url}/api/v1/targets?state=active`);
  const body = (await res.body.json()) as { data: { activeTargets: TargetState[] } };
  return body.data.activeTargets;
}

/** A scrape that ran out of time says nothing about the body: on a busy machine it is worth another round. */
const timedOut = (t: TargetState) => /deadline exceeded|timeout/i.test(t.lastError);

/**
 * Whether a target's last scrape, or an instance fetch inside the scraper's last answer, ran out of time:
 * the scraper answers in time with the instance down (`reason="timeout"`), which is the same case.
 */
async function someScrapeTimedOut(prometheus: PrometheusServer): Promise<boolean> {
  if ((await activeTargets(prometheus)).some(timedOut)) return true;
  return (await prometheus.query('promregator_scrape_failure{reason="timeout"}')).length > 0;
}

/**
 * Waits until every target of `prometheus` has finished `rounds` scrapes that started after `since`,
 * then for as long as some target's last scrape, or an instance fetch in the scraper's last answer, timed
 * out, up to a minute more (one that keeps timing out is then reported by the comparison, not hidden).
 */
export async function awaitScrapeRounds(
  prometheus: PrometheusServer,
  since: number,
  rounds: number,
): Promise<void> {
  let after = since;
  for (let round = 0; round < rounds; round++) {
    const from = after;
    await eventually(
      async () => {
        const targets = await activeTargets(prometheus);
        return targets.length > 0 && targets.every((t) => Date.parse(t.lastScrape) > from) ? true : undefined;
      },
      60_000,
      'a scrape round of every target',
    );
    after = Date.now();
  }
  await eventually(
    async () => ((await someScrapeTimedOut(prometheus)) ? undefined : true),
    60_000,
    'scrapes that time out',
  ).catch(() => undefined);
}
