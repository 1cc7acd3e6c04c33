import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeSpace, readAnswer } from '../../scraper/scrape/merge-space.ts';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from './http/support/scraper-fixture.ts';

// The scraper's own metrics that the shipped alerts (ops/prometheus/alerts.yml) rely on.

const value = (line: string | undefined) => Number(line?.slice(line.lastIndexOf(' ') + 1));

describe('type conflicts of a merge', () => {
  const instance = (i: number, body: string) => ({
    labels: [['cf_instance_number', String(i)]] as const,
    honorLabels: false,
    outcome: { ok: true as const, body: Buffer.from(body), contentType: undefined, durationMs: 1 },
  });

  it('counts the samples dropped because their type disagrees with an earlier instance', () => {
    const merged = mergeSpace(
      [
        instance(0, '# TYPE jobs gauge\njobs 1\n'),
        instance(1, '# TYPE jobs counter\njobs 2\n# TYPE other gauge\nother 1\n'),
        instance(2, '# TYPE jobs counter\njobs 3\n'),
      ],
      'text',
    );
    expect(merged.conflictsDropped).toBe(2);
    expect(readAnswer(merged).toString()).toContain('other{cf_instance_number="1"} 1');
  });

  it('counts samples under a reserved promregator_ name as conflicts, and nothing when all agree', () => {
    expect(mergeSpace([instance(0, 'promregator_up 1\nx 1\n')], 'text').conflictsDropped).toBe(1);
    expect(mergeSpace([instance(0, 'x 1\n'), instance(1, 'x 2\n')], 'text').conflictsDropped).toBe(0);
  });
});

describe('own metrics at /metrics', () => {
  let fx: ScraperFixture;
  let spaceGuid: string;
  let authorization: string;

  beforeAll(async () => {
    fx = await startScraperFixture();
    const keyed = await fx.addKeyedSpace('org-own', 'space-own');
    spaceGuid = keyed.spaceGuid;
    authorization = keyed.authorization;
    const app = fx.sandbox.control.createApp({ spaceGuid, name: 'paced', instances: 2 });
    await fx.bindApp(keyed.instanceId, app.guid, { auth: { type: 'none' } });
    // 4 s from Prometheus minus the 500 ms margin: a 2 s answer uses more than half of the deadline,
    // with room to spare on a loaded machine.
    fx.sandbox.control.setInstanceBehavior(app.guid, 1, { kind: 'slow', delayMs: 2_000 });
    await eventually(async () =>
      (await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization })).status === 200 ? true : undefined,
    );
  });
  afterAll(() => fx?.stop());

  const own = async () => (await fx.get('/metrics')).text;
  const bucket = (text: string, le: string) =>
    value(samples(text, 'promregator_scrape_deadline_ratio_bucket').find((l) => labelOf(l, 'le') === le));

  it('observes each instance scrape as a share of its deadline', async () => {
    const before = await own();
    const res = await fx.get(`/v1/spaces/${spaceGuid}/metrics`, {
      authorization,
      'x-prometheus-scrape-timeout-seconds': '4',
    });
    expect(res.status).toBe(200);
    expect(samples(res.text, 'promregator_up').every((l) => l.endsWith(' 1'))).toBe(true);
    const after = await own();
    const count = (text: string) => value(samples(text, 'promregator_scrape_deadline_ratio_count')[0]);
    expect(count(after) - count(before)).toBe(2);
    // The fast instance lands low, the slow one above half of its deadline but within it.
    expect(bucket(after, '0.5') - bucket(before, '0.5')).toBe(1);
    expect(bucket(after, '1') - bucket(before, '1')).toBe(2);
  });

  it('exports the type-conflict counter from the start, so rate() has a series', async () => {
    expect(samples(await own(), 'promregator_type_conflicts_total')).toEqual([
      'promregator_type_conflicts_total 0',
    ]);
  });
});
