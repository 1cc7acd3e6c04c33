import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxApp, startSandbox } from '../../sandbox/index.ts';
import { instanceIndexOf, routerGet } from './support.ts';

describe('sandbox sample apps', () => {
  let sb: Sandbox;
  let spaceGuid: string;
  let app: SandboxApp;
  beforeAll(async () => {
    sb = await startSandbox();
    spaceGuid = sb.control.createSpace(sb.control.createOrg('o').guid, 's').guid;
    app = sb.control.createApp({ spaceGuid, name: 'svc', instances: 2 });
  });
  afterAll(() => sb.stop());

  const scrape = (a: SandboxApp, index: number, headers: Record<string, string> = {}, path = '/metrics') =>
    routerGet(sb, a.routes[0]!, path, { 'x-cf-app-instance': `${a.guid}:${index}`, ...headers });

  it('serves text 0.0.4 with instance-identifying series and a counter that increases', async () => {
    const first = await scrape(app, 1);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(instanceIndexOf(first.body)).toBe(1);
    expect(first.body).toContain(
      `sandbox_app_info{app_name="svc",app_guid="${app.guid}",instance_index="1"} 1`,
    );
    expect(first.body).toContain('sandbox_http_request_duration_seconds_bucket{le="+Inf"');
    // prom-client spells NaN "Nan"; Prometheus (Go ParseFloat) accepts it, so a faithful scraper must too.
    expect(first.body).toContain('sandbox_special_value{kind="nan"} Nan');
    expect(first.body).toContain('sandbox_special_value{kind="pos_inf"} +Inf');
    const count = (body: string) => Number(/^sandbox_scrapes_total (\d+)/m.exec(body)?.[1]);
    const second = await scrape(app, 1);
    expect(count(second.body)).toBe(count(first.body) + 1);
  });

  it('serves OpenMetrics 1.0 when Accept prefers it', async () => {
    const res = await scrape(app, 0, {
      accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    });
    expect(res.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(res.body.endsWith('# EOF\n')).toBe(true);
    expect(res.body).toContain('# TYPE sandbox_scrapes counter');
  });

  it('adds the extra families of the app spec, in both formats', async () => {
    const extra = sb.control.createApp({
      spaceGuid,
      name: 'extra',
      metrics: { families: [{ name: 'orders_pending', type: 'counter', value: 3 }] },
    });
    expect((await scrape(extra, 0)).body).toContain('# TYPE orders_pending counter\norders_pending 3\n');
    const om = await scrape(extra, 0, { accept: 'application/openmetrics-text;version=1.0.0' });
    expect(om.body).toContain('# TYPE orders_pending counter\norders_pending_total 3\n');
  });

  it('gzips when asked', async () => {
    const res = await request(`${sb.routerUrl}/metrics`, {
      headers: { host: app.routes[0]!, 'accept-encoding': 'gzip', 'x-cf-app-instance': `${app.guid}:0` },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(instanceIndexOf(gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString())).toBe(0);
  });

  it('payload mode: ~N KB of histogram series, generated once per instance', async () => {
    const big = sb.control.createApp({
      spaceGuid,
      name: 'big',
      instances: 2,
      metrics: { format: 'payload', payloadBytes: 200_000, metricsPath: '/actuator/prometheus' },
    });
    const a = await scrape(big, 0, {}, '/actuator/prometheus');
    const b = await scrape(big, 0, {}, '/actuator/prometheus');
    expect(a.body.length).toBeGreaterThanOrEqual(200_000);
    expect(a.body.length).toBeLessThan(210_000);
    expect(b.body).toBe(a.body);
    expect(a.body).toMatch(
      /http_server_requests_seconds_bucket\{method="GET",status="200",uri="[^"]+",outcome="SUCCESS",le="0.005"\} \d+/,
    );
    const lines = a.body.split('\n').filter((l) => l.startsWith('http_'));
    const avg = lines.reduce((n, l) => n + l.length, 0) / lines.length;
    expect(avg).toBeGreaterThan(90);
    expect(avg).toBeLessThan(160);
    const other = await scrape(big, 1, {}, '/actuator/prometheus');
    expect(instanceIndexOf(other.body)).toBe(1);
    const om = await scrape(big, 1, { accept: 'application/openmetrics-text' }, '/actuator/prometheus');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect((await scrape(big, 0)).status).toBe(404);
  });

  it('payload mode honours seriesCount (whole histograms)', async () => {
    const small = sb.control.createApp({
      spaceGuid,
      name: 'small',
      metrics: { format: 'payload', seriesCount: 100, payloadBytes: 10_000_000 },
    });
    const res = await scrape(small, 0);
    const series = res.body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    expect(series).toBeGreaterThanOrEqual(100);
    expect(series).toBeLessThan(100 + 15);
  });

  it('basic auth: 401 with a challenge, 200 with the configured credentials', async () => {
    const locked = sb.control.createApp({
      spaceGuid,
      name: 'locked',
      auth: { type: 'basic', username: 'u', password: 'p' },
    });
    const none = await scrape(locked, 0);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Basic');
    expect(
      (await scrape(locked, 0, { authorization: `Basic ${Buffer.from('u:wrong').toString('base64')}` }))
        .status,
    ).toBe(401);
    expect(
      (await scrape(locked, 0, { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` })).status,
    ).toBe(200);
    sb.control.setAppAuth(locked.guid, { type: 'none' });
    expect((await scrape(locked, 0)).status).toBe(200);
  });

  it('bearer auth: a sandbox-UAA JWT with the right audience passes; wrong audience 403, expired or forged 401', async () => {
    const guarded = sb.control.createApp({
      spaceGuid,
      name: 'guarded',
      auth: { type: 'bearer', audience: 'metrics-reader' },
    });
    sb.control.addClient('prometheus', 'secret', ['metrics-reader.Read']);
    const good = await sb.control.issueToken('prometheus');
    expect((await scrape(guarded, 0, { authorization: `Bearer ${good}` })).status).toBe(200);
    const byAud = await sb.control.issueToken('x', { scopes: [], audience: ['metrics-reader'] });
    expect((await scrape(guarded, 0, { authorization: `Bearer ${byAud}` })).status).toBe(200);
    const wrong = await sb.control.issueToken('x', { scopes: ['other.Read'] });
    expect((await scrape(guarded, 0, { authorization: `Bearer ${wrong}` })).status).toBe(403);
    const expired = await sb.control.issueToken('prometheus', { expiresInSeconds: -5 });
    expect((await scrape(guarded, 0, { authorization: `Bearer ${expired}` })).status).toBe(401);
    expect((await scrape(guarded, 0, { authorization: `Bearer ${good.slice(0, -4)}AAAA` })).status).toBe(401);
    expect((await scrape(guarded, 0)).status).toBe(401);
  });

  describe('misbehaving instances', () => {
    let bad: SandboxApp;
    beforeAll(() => {
      bad = sb.control.createApp({ spaceGuid, name: 'bad', instances: 1 });
    });
    const behave = (b: Parameters<Sandbox['control']['setInstanceBehavior']>[2]) =>
      sb.control.setInstanceBehavior(bad.guid, 0, b);

    it('slow', async () => {
      behave({ kind: 'slow', delayMs: 200 });
      const t0 = Date.now();
      expect((await scrape(bad, 0)).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    });

    it('malformed', async () => {
      behave({ kind: 'malformed' });
      const res = await scrape(bad, 0);
      expect(res.status).toBe(200);
      expect(res.body).toContain('unterminated');
    });

    it('oversized', async () => {
      behave({ kind: 'oversized', bytes: 3_000_000 });
      const res = await scrape(bad, 0);
      expect(res.body.length).toBeGreaterThanOrEqual(3_000_000);
      expect(res.body.length).toBeLessThan(3_000_200);
    });

    it('gzip bomb: a small compressed body that inflates hugely', async () => {
      behave({ kind: 'gzip-bomb', uncompressedBytes: 20_000_000 });
      const res = await request(`${sb.routerUrl}/metrics`, {
        headers: { host: bad.routes[0]!, 'x-cf-app-instance': `${bad.guid}:0` },
      });
      expect(res.headers['content-encoding']).toBe('gzip');
      const raw = Buffer.from(await res.body.arrayBuffer());
      expect(raw.length).toBeLessThan(200_000);
      expect(gunzipSync(raw).length).toBe(20_000_000);
    });

    it('hang never answers', async () => {
      behave({ kind: 'hang' });
      const pending = request(`${sb.routerUrl}/metrics`, {
        headers: { host: bad.routes[0]!, 'x-cf-app-instance': `${bad.guid}:0` },
        signal: AbortSignal.timeout(200),
      });
      await expect(pending).rejects.toThrow();
    });

    it('fixed-body serves the given bytes and content type whatever the Accept, gzipped on request', async () => {
      const bytes = Buffer.from([0x61, 0x7b, 0x62, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31, 0x0a]);
      const contentType = 'application/openmetrics-text;version=1.0.0';
      behave({ kind: 'fixed-body', contentType, bodyBase64: bytes.toString('base64') });
      const res = await request(`${sb.routerUrl}/metrics`, {
        headers: {
          host: bad.routes[0]!,
          'x-cf-app-instance': `${bad.guid}:0`,
          accept: 'text/plain;version=0.0.4',
          'accept-encoding': 'gzip',
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(Buffer.from(await res.body.arrayBuffer())).equals(bytes)).toBe(true);
      const plain = await request(`${sb.routerUrl}/metrics`, {
        headers: { host: bad.routes[0]!, 'x-cf-app-instance': `${bad.guid}:0` },
      });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Buffer.from(await plain.body.arrayBuffer()).equals(bytes)).toBe(true);
    });

    it('status', async () => {
      behave({ kind: 'status', status: 503 });
      expect((await scrape(bad, 0)).status).toBe(503);
      behave({ kind: 'normal' });
      expect((await scrape(bad, 0)).status).toBe(200);
    });
  });
});
