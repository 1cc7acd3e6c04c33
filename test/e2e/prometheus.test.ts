import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { cfContext } from '../../local/osb-client.ts';
import type { SandboxApp } from '../../sandbox/index.ts';
import { eventually, hasBinary, type PrometheusServer, startPrometheus } from '../support/prometheus.ts';
import { type Stack, startStack } from '../support/stack.ts';

const havePrometheus = hasBinary('prometheus') && hasBinary('promtool');
if (!havePrometheus)
  console.warn('SKIPPED: the end-to-end test needs the Debian package "prometheus" (.ci/run installs it)');

/**
 * The whole chain with a real Prometheus: sandbox foundation, broker and scraper; provisioning, binding
 * and a service key through the OSB API; Prometheus configured from the key's own snippet, plus a second
 * job that finds its targets through /v1/discovery.
 */
describe.skipIf(!havePrometheus)('end to end with a real Prometheus', () => {
  let stack: Stack;
  let prometheus: PrometheusServer;
  let api: SandboxApp;
  let worker: SandboxApp;
  let key: Record<string, string>;
  const org = { name: 'acme "corp"' };
  const spaceName = 'prod\\eu';

  beforeAll(async () => {
    stack = await startStack();
    const { control } = stack.sandbox;
    const o = control.createOrg(org.name);
    const s = control.createSpace(o.guid, spaceName);
    api = control.createApp({ spaceGuid: s.guid, name: 'orders-api', instances: 3 });
    worker = control.createApp({ spaceGuid: s.guid, name: 'billing-worker', instances: 1 });
    const space = { orgGuid: o.guid, orgName: o.name, spaceGuid: s.guid, spaceName: s.name };
    const { serviceId, planId } = stack.config.broker.catalog;
    const ids = { service_id: serviceId, plan_id: planId };
    const instanceId = randomUUID();
    const provision = await stack.osb.call('PUT', `/v2/service_instances/${instanceId}`, {
      ...ids,
      organization_guid: o.guid,
      space_guid: s.guid,
      context: cfContext(space, { instance_name: 'metrics' }),
    });
    expect(provision.status).toBe(201);
    for (const app of [api, worker]) {
      const bind = await stack.osb.call(
        'PUT',
        `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
        {
          ...ids,
          app_guid: app.guid,
          bind_resource: { app_guid: app.guid, space_guid: s.guid },
          context: cfContext(space),
          parameters: { labels: { team: 'payments' } },
        },
      );
      expect(bind.status).toBe(201);
      const credentials = bind.body.credentials as { username: string; password: string };
      // The app protects its endpoint with the credentials of its binding, as it would from VCAP_SERVICES.
      control.setAppAuth(app.guid, {
        type: 'basic',
        username: credentials.username,
        password: credentials.password,
      });
    }
    const created = await stack.osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
      {
        ...ids,
        bind_resource: { credential_client_id: 'cc_service_key_client' },
        context: cfContext(space),
      },
    );
    expect(created.status).toBe(201);
    key = created.body.credentials as Record<string, string>;

    const snippet = parse(key.prometheus_yml!) as { scrape_configs: Array<Record<string, unknown>> };
    const spaceJob = {
      ...snippet.scrape_configs[0]!,
      job_name: 'space',
      scrape_interval: '1s',
      scrape_timeout: '1s',
    };
    const discoveryUrl = new URL(key.discovery_url!);
    const basicAuth = { username: key.username, password: key.password };
    const discoveryJob = {
      job_name: 'discovered',
      scrape_interval: '1s',
      scrape_timeout: '1s',
      scheme: discoveryUrl.protocol.replace(':', ''),
      basic_auth: basicAuth,
      http_sd_configs: [{ url: discoveryUrl.toString(), refresh_interval: '1s', basic_auth: basicAuth }],
    };
    prometheus = await startPrometheus(
      stringify({ global: { scrape_interval: '1s' }, scrape_configs: [spaceJob, discoveryJob] }),
    );
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
  });

  it('scrapes the per-space endpoint and the discovered targets with up == 1', async () => {
    const up = await eventually(
      async () => {
        const result = await prometheus.query('up');
        const jobs = new Map(result.map((r) => [r.metric.job, r.value[1]]));
        return jobs.get('space') === '1' && jobs.get('discovered') === '1' ? jobs : undefined;
      },
      30_000,
      'both jobs up',
    ).catch(async (error: Error) => {
      // Prometheus's own view of its targets says why (wrong auth, bad discovery answer, ...).
      const targets = await request(`${prometheus.url}/api/v1/targets`).then((r) => r.body.text());
      throw new Error(`${error.message}\n${targets}`);
    });
    expect(up.get('space')).toBe('1');
  }, 60_000);

  it('stores every instance series with the right CF labels', async () => {
    const series = await eventually(
      async () => {
        const result = await prometheus.query('sandbox_instance_index{job="space"}');
        return result.length === 4 ? result : undefined;
      },
      20_000,
      'four instances',
    );
    const seen = series.map((s) => [s.metric.app_name, s.metric.cf_instance_number, s.value[1]]).sort();
    expect(seen).toEqual([
      ['billing-worker', '0', '0'],
      ['orders-api', '0', '0'],
      ['orders-api', '1', '1'],
      ['orders-api', '2', '2'],
    ]);
    for (const s of series) {
      expect(s.metric.org_name).toBe(org.name);
      expect(s.metric.space_name).toBe(spaceName);
      expect(s.metric.team).toBe('payments');
      const app = s.metric.app_name === 'orders-api' ? api : worker;
      expect(s.metric.cf_instance_id).toBe(`${app.guid}:${s.metric.cf_instance_number}`);
    }
    // The app's own app_name label survives, renamed the way Prometheus renames it.
    const info = await prometheus.query('sandbox_app_info{job="space"}');
    expect(info.every((s) => s.metric.exported_app_name === s.metric.app_name)).toBe(true);
  });

  it('reports an instance crashed meanwhile with promregator_up == 0, the rest intact', async () => {
    stack.sandbox.control.crashInstance(api.guid, 1);
    const crashed = await eventually(
      async () => {
        const result = await prometheus.query('promregator_up{job="space",app_name="orders-api"} == 0');
        return result.length === 1 ? result[0] : undefined;
      },
      20_000,
      'promregator_up 0',
    );
    expect(crashed.metric.cf_instance_number).toBe('1');
    const healthy = await prometheus.query('promregator_up{job="space"} == 1');
    expect(healthy.map((s) => `${s.metric.app_name}/${s.metric.cf_instance_number}`).sort()).toEqual([
      'billing-worker/0',
      'orders-api/0',
      'orders-api/2',
    ]);
  });

  it('serves output that promtool check metrics accepts', async () => {
    const response = await request(key.url!, {
      headers: {
        authorization: `Basic ${Buffer.from(`${key.username}:${key.password}`).toString('base64')}`,
      },
    });
    expect(response.statusCode).toBe(200);
    const body = await response.body.text();
    const dir = mkdtempSync(join(tmpdir(), 'promregator-promtool-'));
    const file = join(dir, 'metrics.txt');
    writeFileSync(file, body);
    const result = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    // promtool exits 3 for lint findings only (e.g. the sample apps' own naming); 1 for unparsable input.
    expect(result.status === 0 || result.status === 3, result.stderr + result.stdout).toBe(true);
    expect(result.stderr + result.stdout).not.toMatch(/error while linting|parse error/i);
  });
});
