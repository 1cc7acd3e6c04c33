import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  labelOf,
  type ScraperFixture,
  samples,
  startScraperFixture,
} from './support/scraper-fixture.ts';

// Black-box through HTTP: real sandbox (CC, gorouter, apps), real PostgreSQL, rows as the broker writes them.
describe('space endpoint follows the landscape', () => {
  let fx: ScraperFixture;
  let spaceGuid: string;
  let authorization: string;
  let appGuid: string;
  let bindingId: string;
  let otherBinding: string;

  beforeAll(async () => {
    fx = await startScraperFixture();
    const org = fx.sandbox.control.createOrg('org-a');
    const space = fx.sandbox.control.createSpace(org.guid, 'space "one"');
    spaceGuid = space.guid;
    const instanceId = await fx.addInstance({
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: space.guid,
      spaceName: space.name,
    });
    authorization = (await fx.addKey(instanceId)).authorization;
    const app = fx.sandbox.control.createApp({ spaceGuid, name: 'shop', instances: 3 });
    appGuid = app.guid;
    const other = fx.sandbox.control.createApp({ spaceGuid, name: 'other', instances: 1 });
    bindingId = await fx.bindApp(instanceId, appGuid, { auth: { type: 'none' }, labels: { team: 'a' } });
    otherBinding = await fx.bindApp(instanceId, other.guid, { auth: { type: 'none' } });
  });
  afterAll(() => fx?.stop());

  const scrape = () => fx.get(`/v1/spaces/${spaceGuid}/metrics`, { authorization });
  const upLines = async (app: string) =>
    samples((await scrape()).text, 'promregator_up').filter((l) => labelOf(l, 'app_name') === app);

  it('a bound app with 3 instances appears within seconds, each instance labelled', async () => {
    const started = Date.now();
    const text = await eventually(async () => {
      const res = await scrape();
      return res.status === 200 && samples(res.text, 'sandbox_instance_index').length === 4
        ? res.text
        : undefined;
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const shop = samples(text, 'sandbox_instance_index').filter((l) => labelOf(l, 'app_name') === 'shop');
    expect(shop).toHaveLength(3);
    for (const line of shop) {
      const index = labelOf(line, 'cf_instance_number');
      expect(line).toContain('org_name="org-a"');
      expect(line).toContain('space_name="space \\"one\\""');
      expect(labelOf(line, 'cf_instance_id')).toBe(`${appGuid}:${index}`);
      expect(labelOf(line, 'team')).toBe('a');
      // The instance really is the one named: its own metric says its index.
      expect(line.endsWith(` ${index}`)).toBe(true);
    }
    // The app's own app_name label is kept as exported_app_name.
    expect(samples(text, 'sandbox_app_info').some((l) => labelOf(l, 'exported_app_name') === 'shop')).toBe(
      true,
    );
    expect((await upLines('shop')).every((l) => l.endsWith(' 1'))).toBe(true);
  });

  it('scaling to 5 yields 5 instances', async () => {
    fx.sandbox.control.scale(appGuid, 5);
    const lines = await eventually(async () => {
      const up = await upLines('shop');
      return up.length === 5 ? up : undefined;
    });
    expect(lines.every((l) => l.endsWith(' 1'))).toBe(true);
  });

  it('a crashed instance is promregator_up 0 with a reason, the rest intact', async () => {
    fx.sandbox.control.crashInstance(appGuid, 2);
    const res = await scrape();
    expect(res.status).toBe(200);
    const up = samples(res.text, 'promregator_up').filter((l) => labelOf(l, 'app_name') === 'shop');
    const down = up.filter((l) => l.endsWith(' 0'));
    expect(down).toHaveLength(1);
    expect(labelOf(down[0] as string, 'cf_instance_number')).toBe('2');
    const failure = samples(res.text, 'promregator_scrape_failure');
    expect(failure).toHaveLength(1);
    expect(labelOf(failure[0] as string, 'reason')).toMatch(/^(instance_crashed|router_unknown_route)$/);
    const indices = samples(res.text, 'sandbox_instance_index')
      .filter((l) => labelOf(l, 'app_name') === 'shop')
      .map((l) => labelOf(l, 'cf_instance_number'));
    expect(indices.sort()).toEqual(['0', '1', '3', '4']);
    fx.sandbox.control.restoreInstance(appGuid, 2);
  });

  it('a stopped app is not scraped', async () => {
    fx.sandbox.control.stopApp(appGuid);
    await eventually(async () => ((await upLines('shop')).length === 0 ? true : undefined));
    const res = await scrape();
    expect(samples(res.text, 'sandbox_instance_index').every((l) => labelOf(l, 'app_name') !== 'shop')).toBe(
      true,
    );
    fx.sandbox.control.startApp(appGuid);
    await eventually(async () => ((await upLines('shop')).length === 5 ? true : undefined));
  });

  it('unbinding removes the app; with nothing left bound the space is 404', async () => {
    await fx.unbind(bindingId);
    await eventually(async () => ((await upLines('shop')).length === 0 ? true : undefined), 5_000);
    await fx.unbind(otherBinding);
    await eventually(async () => ((await scrape()).status === 404 ? true : undefined), 5_000);
  });
});
