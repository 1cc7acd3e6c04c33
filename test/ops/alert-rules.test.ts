import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasBinary } from '../support/prometheus.ts';
import { exportedSeriesNames, promregatorNames } from './exported-metrics.ts';

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
    const exported = await exportedSeriesNames();
    const used = new Set(rules().flatMap((r) => promregatorNames(r.expr)));
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
