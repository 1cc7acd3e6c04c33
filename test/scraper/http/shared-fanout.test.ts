import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from './support/scraper-fixture.ts';

// Concurrent identical scrapes (same space, same visible bindings, same format) share one fan-out:
// each instance's own scrape counter (sandbox_scrapes_total) moves by one, not by the number of callers.
describe('single-flight fan-out', () => {
  let fx: ScraperFixture;
  let spaceGuid: string;
  let keyA: string;
  let keyB: string;

  beforeAll(async () => {
    fx = await startScraperFixture();
    const c = fx.sandbox.control;
    const keyed = await fx.addKeyedSpace('org-sf', 'space-sf');
    spaceGuid = keyed.spaceGuid;
    const instanceId = keyed.instanceId;
    keyA = keyed.authorization;
    keyB = (await fx.addKey(instanceId)).authorization;
    const app = c.createApp({ spaceGuid, name: 'counted', instances: 3 });
    await fx.bindApp(instanceId, app.guid, { auth: { type: 'none' } });
    for (let i = 0; i < 3; i++) c.setInstanceBehavior(app.guid, i, { kind: 'slow', delayMs: 1000 });
    await eventually(async () =>
      (await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization: keyA })).status === 200
        ? true
        : undefined,
    );
  });
  afterAll(() => fx?.stop());

  const scrapeCounts = (text: string) =>
    samples(text, 'sandbox_scrapes_total').map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));

  it('8 concurrent callers with the same view cause one scrape per instance', async () => {
    const before = scrapeCounts(
      (await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization: keyA })).text,
    );
    // Key B's first check pays a slow scrypt hash; on a loaded machine its callers would otherwise
    // arrive after the shared fan-out ended. Warm its credential cache with a cheap request first.
    await fx.get('/v1/discovery', { authorization: keyB });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization: i % 2 === 0 ? keyA : keyB }),
      ),
    );
    for (const r of results) expect(r.status).toBe(200);
    const texts = new Set(results.map((r) => r.text));
    expect(texts.size).toBe(1);
    const after = scrapeCounts(results[0]?.text ?? '');
    expect(after).toHaveLength(3);
    expect(after).toEqual(before.map((n) => n + 1));
    const own = (await fx.get('/metrics')).text;
    const hits = samples(own, 'promregator_cache_lookups_total').find(
      (l) => labelOf(l, 'cache') === 'fanout' && labelOf(l, 'result') === 'hit',
    );
    expect(Number(hits?.split(' ').pop())).toBeGreaterThanOrEqual(7);
  });
});
