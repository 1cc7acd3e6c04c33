import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { cfContext } from '../../local/osb-client.ts';
import { interpolate, loadDashboard, panelQueries, variableQueries } from '../ops/dashboard.ts';
import { eventually, hasBinary, type PrometheusServer, startPrometheus } from '../support/prometheus.ts';
import { type Stack, startStack } from '../support/stack.ts';

const RULES = fileURLToPath(new URL('../../ops/prometheus/alerts.yml', import.meta.url));
const OWN_JOB = 'promregator-scraper';

const havePrometheus = hasBinary('prometheus');
if (!havePrometheus)
  console.warn(
    'SKIPPED: the dashboard query test needs the Debian package "prometheus" (.ci/run installs it)',
  );

interface Answer {
  status: 'success' | 'error';
  error?: string;
  data: unknown;
}

/**
 * The shipped dashboard and alerts against a real Prometheus that scrapes a space through its service
 * key and the scraper's own /metrics, in a landscape with one instance failing and two apps disagreeing
 * on a metric's type: every panel query and every variable must find data, and the rules must load and
 * follow both.
 */
describe.skipIf(!havePrometheus)('shipped dashboard and alerts on a real Prometheus', () => {
  let stack: Stack;
  let prometheus: PrometheusServer;
  const dashboard = loadDashboard();

  async function api(path: string): Promise<Answer> {
    const response = await request(`${prometheus.url}${path}`);
    const answer = (await response.body.json()) as Answer;
    if (answer.status !== 'success') throw new Error(`${path}: ${answer.error}`);
    return answer;
  }

  beforeAll(async () => {
    stack = await startStack();
    const { control } = stack.sandbox;
    const org = control.createOrg('acme');
    const space = control.createSpace(org.guid, 'prod');
    // Two apps of one space disagree on the type of jobs_queued: the type-conflict panel and alert's case.
    const api = control.createApp({
      spaceGuid: space.guid,
      name: 'orders-api',
      instances: 2,
      metrics: { families: [{ name: 'jobs_queued', type: 'counter', value: 1 }] },
    });
    const worker = control.createApp({
      spaceGuid: space.guid,
      name: 'billing-worker',
      instances: 1,
      metrics: { families: [{ name: 'jobs_queued', type: 'gauge', value: 5 }] },
    });
    // The failure the failure panels and the instance-down alert are about.
    control.setInstanceBehavior(api.guid, 1, { kind: 'status', status: 500 });

    const context = cfContext({
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: space.guid,
      spaceName: space.name,
    });
    const { serviceId, planId } = stack.config.broker.catalog;
    const ids = { service_id: serviceId, plan_id: planId };
    const instanceId = randomUUID();
    const provision = await stack.osb.call('PUT', `/v2/service_instances/${instanceId}`, {
      ...ids,
      organization_guid: org.guid,
      space_guid: space.guid,
      context: { ...context, instance_name: 'metrics' },
    });
    expect(provision.status).toBe(201);
    const bindingPath = () => `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`;
    for (const app of [api, worker]) {
      const bind = await stack.osb.call('PUT', bindingPath(), {
        ...ids,
        app_guid: app.guid,
        bind_resource: { app_guid: app.guid, space_guid: space.guid },
        context,
      });
      expect(bind.status).toBe(201);
      const { username, password } = bind.body.credentials as { username: string; password: string };
      control.setAppAuth(app.guid, { type: 'basic', username, password });
    }
    const key = await stack.osb.call('PUT', bindingPath(), {
      ...ids,
      bind_resource: { credential_client_id: 'cc_service_key_client' },
      context,
    });
    expect(key.status).toBe(201);
    const snippet = (key.body.credentials as { prometheus_yml: string }).prometheus_yml;
    const spaceJob = (parse(snippet) as { scrape_configs: Array<Record<string, unknown>> }).scrape_configs[0];

    const own = new URL(stack.scraperUrl);
    prometheus = await startPrometheus(
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: [RULES],
        scrape_configs: [
          spaceJob,
          { job_name: OWN_JOB, metrics_path: '/metrics', static_configs: [{ targets: [own.host] }] },
          // Someone guessing the key's password: the refused-requests panel's data (401, then 429).
          {
            ...spaceJob,
            job_name: 'password-guesser',
            basic_auth: { ...(spaceJob?.basic_auth as object), password: 'a-wrong-guess' },
          },
        ],
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
  });

  // Grafana's $__rate_interval is at least four scrape intervals; ten 1 s scrapes always hold two samples.
  const all = { org: '.*', space: '.*', app: '.*', job: '.*', __rate_interval: '10s' };
  const chosen = { org: 'acme', space: 'prod', app: 'orders-api', job: OWN_JOB, __rate_interval: '10s' };

  async function expectData(expr: string, what: string): Promise<void> {
    const result = await eventually(
      async () => {
        const answer = await api(`/api/v1/query?query=${encodeURIComponent(expr)}`);
        const rows = (answer.data as { result: unknown[] }).result;
        return rows.length > 0 ? rows : undefined;
      },
      30_000,
      `data for ${what}: ${expr}`,
    );
    expect(result.length, what).toBeGreaterThan(0);
  }

  it('scrapes the space through its service key and the scraper itself', async () => {
    await eventually(async () => {
      const answer = await api(`/api/v1/query?query=${encodeURIComponent('up == 1')}`);
      const jobs = (answer.data as { result: Array<{ metric: { job: string } }> }).result.map(
        (r) => r.metric.job,
      );
      return jobs.includes(OWN_JOB) && jobs.includes('promregator-metrics') ? jobs : undefined;
    }, 30_000);
  }, 40_000);

  it('fills every template variable with the landscape names', async () => {
    const expected: Record<string, string> = {
      job: OWN_JOB,
      org: 'acme',
      space: 'prod',
      app: 'orders-api',
    };
    for (const v of variableQueries(dashboard)) {
      const selector = interpolate(v.selector, all);
      const values = await eventually(
        async () => {
          const answer = await api(`/api/v1/label/${v.label}/values?match[]=${encodeURIComponent(selector)}`);
          const found = answer.data as string[];
          return found.includes(expected[v.name] ?? '') ? found : undefined;
        },
        30_000,
        `values of variable ${v.name}`,
      );
      expect(values, v.name).toContain(expected[v.name]);
    }
  }, 60_000);

  it('returns data for every panel query with everything selected', async () => {
    for (const q of panelQueries(dashboard)) await expectData(interpolate(q.expr, all), q.name);
  }, 120_000);

  it('returns data for every panel query with one org, space, app and scraper chosen', async () => {
    for (const q of panelQueries(dashboard)) await expectData(interpolate(q.expr, chosen), q.name);
  }, 120_000);

  it('counts the samples dropped for the type conflict', async () => {
    await expectData('sum(increase(promregator_type_conflicts_total[10s])) > 0', 'type conflicts');
  }, 40_000);

  it('loads the shipped alert rules and holds the failing instance as pending, with its reason', async () => {
    type Rules = { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
    const rules = async () => ((await api('/api/v1/rules')).data as Rules).groups.flatMap((g) => g.rules);
    expect((await rules()).map((r) => r.name)).toContain('PromregatorInstanceDown');
    // Evaluated against the real series: no rule errs (a wrong vector match would, at evaluation).
    await eventually(
      async () => {
        const all = await rules();
        const failing = all.filter((r) => r.health !== 'ok');
        if (failing.some((r) => r.health === 'err')) throw new Error(JSON.stringify(failing));
        return failing.length === 0 ? all : undefined;
      },
      20_000,
      'every rule evaluated without error',
    );
    const alert = await eventually(
      async () => {
        const alerts = (
          (await api('/api/v1/alerts')).data as {
            alerts: Array<{
              labels: Record<string, string>;
              annotations: Record<string, string>;
              state: string;
            }>;
          }
        ).alerts;
        const conflicts = alerts.some((a) => a.labels.alertname === 'PromregatorTypeConflicts');
        return conflicts ? alerts.find((a) => a.labels.alertname === 'PromregatorInstanceDown') : undefined;
      },
      30_000,
      'PromregatorInstanceDown and PromregatorTypeConflicts pending',
    );
    // Pending, not firing: it has to last five minutes first.
    expect(alert.state).toBe('pending');
    expect(alert.labels).toMatchObject({
      app_name: 'orders-api',
      cf_instance_number: '1',
      space_name: 'prod',
    });
    expect(alert.annotations.description).toContain('Reason: http_500.');
  }, 60_000);
});
