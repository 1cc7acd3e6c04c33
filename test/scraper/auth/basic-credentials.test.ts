import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type ScraperFixture, startScraperFixture } from '../http/support/scraper-fixture.ts';

// Service-key credentials: the authorization invariant, black-box through HTTP.
describe('inbound service-key auth', () => {
  let fx: ScraperFixture;
  let spaceA: string;
  let keyA: { username: string; password: string; authorization: string };
  let keyB: { authorization: string };

  beforeAll(async () => {
    fx = await startScraperFixture();
    const c = fx.sandbox.control;
    const org = c.createOrg('org-auth-in');
    const sA = c.createSpace(org.guid, 'space-a');
    const sB = c.createSpace(org.guid, 'space-b');
    spaceA = sA.guid;
    const instA = await fx.addInstance({
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: sA.guid,
      spaceName: sA.name,
    });
    const instB = await fx.addInstance({
      orgGuid: org.guid,
      orgName: org.name,
      spaceGuid: sB.guid,
      spaceName: sB.name,
    });
    keyA = await fx.addKey(instA);
    keyB = await fx.addKey(instB);
    const app = c.createApp({ spaceGuid: sA.guid, name: 'secret-app' });
    await fx.bindApp(instA, app.guid, { auth: { type: 'none' } });
    const appB = c.createApp({ spaceGuid: sB.guid, name: 'b-app' });
    await fx.bindApp(instB, appB.guid, { auth: { type: 'none' } });
    await eventually(async () =>
      (await fx.get(`/v1/spaces/${spaceA}/metrics`, { authorization: keyA.authorization })).status === 200
        ? true
        : undefined,
    );
  });
  afterAll(() => fx?.stop());

  const path = () => `/v1/spaces/${spaceA}/metrics`;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it.each([
    ['no credentials', undefined],
    ['wrong password', () => basic(keyA.username, 'not-the-password')],
    ['unknown user', () => basic('nobody', 'x')],
    ['malformed header', () => 'Basic !!!'],
    ['bearer without XSUAA bound', () => 'Bearer abc.def.ghi'],
  ])('%s → 401 with a Basic challenge and no detail', async (_name, auth) => {
    const res = await fx.get(path(), auth ? { authorization: auth() } : {});
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="promregator"');
    expect(res.text).not.toContain(keyA.username);
  });

  it('the key of another service instance → 404, the same answer as an unknown space', async () => {
    const other = await fx.get(path(), { authorization: keyB.authorization });
    const unknown = await fx.get('/v1/spaces/00000000-0000-0000-0000-000000000000/metrics', {
      authorization: keyA.authorization,
    });
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.text).toBe(unknown.text);
    expect(other.text).not.toContain('secret-app');
  });

  it('discovery lists only the key’s own space', async () => {
    const res = await fx.get('/v1/discovery', { authorization: keyA.authorization });
    expect(res.status).toBe(200);
    const groups = JSON.parse(res.text) as Array<{ targets: string[]; labels: Record<string, string> }>;
    expect(groups).toHaveLength(1);
    expect(groups[0]?.labels.__metrics_path__).toBe(`/v1/spaces/${spaceA}/metrics`);
    expect(groups[0]?.labels.__meta_promregator_space_name).toBe('space-a');
    const instances = JSON.parse(
      (await fx.get('/v1/discovery?mode=instances', { authorization: keyA.authorization })).text,
    ) as Array<{ labels: Record<string, string> }>;
    expect(instances.map((g) => g.labels.__meta_promregator_app_name)).toEqual(['secret-app']);
    const single = await fx.get(instances[0]?.labels.__metrics_path__ ?? '', {
      authorization: keyA.authorization,
    });
    expect(single.status).toBe(200);
    expect(single.text).toContain('app_name="secret-app"');
    const foreign = await fx.get(instances[0]?.labels.__metrics_path__ ?? '', {
      authorization: keyB.authorization,
    });
    expect(foreign.status).toBe(404);
  });

  it('healthz, readyz and own metrics answer without credentials', async () => {
    expect((await fx.get('/healthz')).status).toBe(200);
    expect((await fx.get('/readyz')).status).toBe(200);
    const own = await fx.get('/metrics');
    expect(own.text).toContain('promregator_http_request_duration_seconds_bucket');
    expect(own.text).toContain('promregator_cc_requests_total');
    expect(own.text).toMatch(/promregator_targets\{state="scrapable"\} 2/);
    expect(own.text).toMatch(/promregator_auth_failures_total\{reason="wrong_password"\} [1-9]/);
    expect(own.text).toMatch(/promregator_auth_failures_total\{reason="unknown_user"\} [1-9]/);
  });

  it('repeated wrong passwords for one username → 429 with Retry-After; the right password still works', async () => {
    const wrong = { authorization: basic(keyA.username, 'guess') };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fx.get(path(), wrong)).status);
    expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
    const limited = await fx.get(path(), wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.text).not.toContain('guess');
    expect((await fx.get(path(), { authorization: keyA.authorization })).status).toBe(200);
    const own = await fx.get('/metrics');
    expect(own.text).toMatch(/promregator_auth_failures_total\{reason="rate_limited"\} [1-9]/);
  });
});
