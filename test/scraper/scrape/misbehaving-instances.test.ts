import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceBehavior } from '../../../sandbox/index.ts';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from '../http/support/scraper-fixture.ts';

const LIMIT = 1024 * 1024;

// One app, one instance per misbehaviour, instance 0 healthy: none of them may fail the space, each
// is promregator_up 0 with its reason, and memory stays bounded by the body limit, not by the targets.
const CASES: Array<[index: number, behavior: InstanceBehavior, reason: RegExp]> = [
  [1, { kind: 'malformed' }, /^unparsable$/],
  [2, { kind: 'oversized', bytes: 20 * LIMIT }, /^body_too_large$/],
  [3, { kind: 'gzip-bomb', uncompressedBytes: 64 * LIMIT }, /^body_too_large$/],
  [4, { kind: 'endless' }, /^(body_too_large|timeout)$/],
  [5, { kind: 'slow', delayMs: 5_000 }, /^timeout$/],
  [6, { kind: 'redirect', location: 'https://login.example.com/' }, /^redirect$/],
  [7, { kind: 'hang' }, /^timeout$/],
  [8, { kind: 'status', status: 500 }, /^http_500$/],
  [9, { kind: 'reset' }, /^router_endpoint_failure$/],
];

describe('misbehaving instances', () => {
  let fx: ScraperFixture;
  let spaceGuid: string;
  let authorization: string;
  let appGuid: string;

  beforeAll(async () => {
    fx = await startScraperFixture({ SCRAPE_MAX_BODY_BYTES: String(LIMIT), SCRAPE_TIMEOUT_MS: '2000' });
    const c = fx.sandbox.control;
    const keyed = await fx.addKeyedSpace('org-bad', 'space-bad');
    spaceGuid = keyed.spaceGuid;
    const instanceId = keyed.instanceId;
    authorization = keyed.authorization;
    const app = c.createApp({ spaceGuid, name: 'zoo', instances: CASES.length + 1 });
    appGuid = app.guid;
    for (const [index, behavior] of CASES) c.setInstanceBehavior(appGuid, index, behavior);
    await fx.bindApp(instanceId, appGuid, { auth: { type: 'none' } });
    await eventually(async () => {
      const res = await fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization });
      return res.status === 200 ? true : undefined;
    });
  });
  afterAll(() => fx?.stop());

  it('each misbehaviour is up 0 with its reason; the healthy instance is intact; the deadline holds', async () => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    for (let round = 0; round < 3; round++) {
      const started = Date.now();
      const res = await fx.get(`/v1/spaces/${spaceGuid}/metrics`, {
        authorization,
        'x-prometheus-scrape-timeout-seconds': '2',
      });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(elapsed).toBeLessThan(3_000);
      const up = samples(res.text, 'promregator_up');
      expect(up).toHaveLength(CASES.length + 1);
      expect(up.find((l) => labelOf(l, 'cf_instance_number') === '0')).toMatch(/ 1$/);
      const reasons = new Map(
        samples(res.text, 'promregator_scrape_failure').map((l) => [
          Number(labelOf(l, 'cf_instance_number')),
          labelOf(l, 'reason') ?? '',
        ]),
      );
      for (const [index, behavior, reason] of CASES) {
        expect({ behavior: behavior.kind, reason: reasons.get(index) }).toEqual({
          behavior: behavior.kind,
          reason: expect.stringMatching(reason),
        });
      }
      expect(samples(res.text, 'sandbox_instance_index')).toEqual([
        expect.stringContaining(`cf_instance_id="${appGuid}:0"`),
      ]);
    }
    clearInterval(sampler);
    // Sandbox and scraper share this process: 20 MB oversized, 64 MB bomb and endless bodies cost at most
    // a few limits each, never their full size.
    expect(peak - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });
});
