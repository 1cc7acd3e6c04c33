import { describe, expect, it } from 'vitest';
import { loadDashboard, panelQueries, variableQueries } from './dashboard.ts';
import { exportedSeriesNames, promregatorNames } from './exported-metrics.ts';

// The shipped dashboard as a file: what Grafana needs to import it anywhere. That every query returns
// data from a real Prometheus is test/e2e/grafana-queries.test.ts.
describe('shipped Grafana dashboard', () => {
  const dashboard = loadDashboard();

  it('imports anywhere: a stable uid, a recent schema, a Prometheus data source variable used by every query', () => {
    expect(dashboard.uid).toBe('promregator');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's interpolation, not a JavaScript template
    const ref = { type: 'prometheus', uid: '${datasource}' };
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query'))
      expect(v.datasource).toEqual(ref);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource, p.title).toEqual(ref);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual(ref);
    }
  });

  it('has org, space, app and scraper job variables, each with an All value that matches everything', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    for (const name of ['org', 'space', 'app', 'job']) expect(vars.get(name)?.allValue, name).toBe('.*');
    expect(variableQueries(dashboard).map((v) => v.label)).toEqual([
      'job',
      'org_name',
      'space_name',
      'app_name',
    ]);
  });

  it('gives panels unique ids and a layout within the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('names only metrics the scraper exports, covering the merged and the own metrics', async () => {
    const exported = await exportedSeriesNames();
    const used = new Set(panelQueries(dashboard).flatMap((q) => promregatorNames(q.expr)));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    for (const name of [
      'promregator_up',
      'promregator_scrape_duration_seconds',
      'promregator_scrape_samples',
      'promregator_scrape_failure',
      'promregator_scrape_failures_total',
      'promregator_http_request_duration_seconds_bucket',
      'promregator_cc_requests_total',
      'promregator_cache_lookups_total',
      'promregator_auth_failures_total',
    ]) {
      expect(used, name).toContain(name);
    }
  });
});
