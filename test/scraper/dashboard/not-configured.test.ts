import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScraperFixture, startScraperFixture } from '../http/support/scraper-fixture.ts';

let fixture: ScraperFixture;
beforeAll(async () => {
  fixture = await startScraperFixture();
}, 60_000);
afterAll(() => fixture?.stop());

describe('dashboard without DASHBOARD_CLIENT_ID', () => {
  it('does not exist: 404, never a page without SSO', async () => {
    const { instanceId } = await fixture.addKeyedSpace('o', 's');
    for (const path of [`/dashboard/instances/${instanceId}`, '/dashboard/callback?code=x&state=y']) {
      const res = await fixture.get(path);
      expect(res.status, path).toBe(404);
    }
  });
});
