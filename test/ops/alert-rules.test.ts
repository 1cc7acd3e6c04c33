import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createCcRequestCounter } from '../../scraper/cf/index.ts';
import { createDiscoveryMetrics } from '../../scraper/discovery/index.ts';
import { createScraperMetrics } from '../../scraper/metrics.ts';
import { SYNTHETIC_FAMILIES } from '../../scraper/scrape/synthetic.ts';
import { hasBinary } from '../support/prometheus.ts';

const RULES = fileURLToPath(new URL('../../ops/prometheus/alerts.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../ops/prometheus/alerts.test.yml', import.meta.url));

const havePromtool = hasBinary('promtool');
if (!havePromtool)
  console.warn(
    'SKIPPED: the alert rule tests need promtool (Debian package "prometheus"; .ci/run installs it)',
  );

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(): Rule[] {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

/** Every series name the scraper really exposes: its own metrics (as app.ts registers them) and the synthetic ones. */
async function exportedNames(): Promise<Set<string>> {
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

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe.skipIf(!havePromtool)('shipped Prometheus alerting rules', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', RULES);
    expect(status, output).toBe(0);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their promtool unit tests (alerts.test.yml)', () => {
    const { status, output } = promtool('test', 'rules', RULE_TESTS);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});

describe('shipped Prometheus alerting rules, statically', () => {
  it('name only metrics the scraper exports', async () => {
    const exported = await exportedNames();
    const used = new Set(rules().flatMap((r) => r.expr.match(/\bpromregator_[a-z_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('each carry a severity, a summary and a description, and every alert has a unit test', () => {
    const tested = readFileSync(RULE_TESTS, 'utf8');
    for (const rule of rules()) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(tested, rule.alert).toContain(`alertname: ${rule.alert}\n`);
    }
  });
});
