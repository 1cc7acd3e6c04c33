import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxApp, startSandbox } from '../../sandbox/index.ts';
import { instanceIndexOf, routerGet, tlsAgent } from './support.ts';

describe('sandbox gorouter', () => {
  let sb: Sandbox;
  let app: SandboxApp;
  let host: string;
  let stopped: SandboxApp;
  let spaceGuid: string;
  beforeAll(async () => {
    sb = await startSandbox();
    spaceGuid = sb.control.createSpace(sb.control.createOrg('o').guid, 's').guid;
    app = sb.control.createApp({ spaceGuid, name: 'web', instances: 3 });
    host = app.routes[0]!;
    stopped = sb.control.createApp({ spaceGuid, name: 'stopped', instances: 2, state: 'STOPPED' });
  });
  afterAll(() => sb.stop());

  const withInstance = (value: string) => ({ 'x-cf-app-instance': value });

  describe('the error table, row by row', () => {
    it.each([
      ['uppercase GUID', () => `${app.guid.toUpperCase()}:0`],
      ['missing index', () => app.guid],
      ['non-numeric index', () => `${app.guid}:x`],
      ['garbage', () => 'hello'],
    ])('malformed header (%s): 400 invalid_cf_app_instance_header', async (_, value) => {
      const res = await routerGet(sb, host, '/metrics', withInstance(value()));
      expect(res.status).toBe(400);
      expect(res.headers['x-cf-routererror']).toBe('invalid_cf_app_instance_header');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it.each([
      ['index beyond the instances', () => [host, `${app.guid}:3`]],
      ['another app GUID on this route', () => [host, `${stopped.guid}:0`]],
      ['unknown route', () => [`nowhere.${sb.appsDomain}`, `${app.guid}:0`]],
      ['stopped app', () => [stopped.routes[0]!, `${stopped.guid}:0`]],
    ])('with the header, %s: 400 unknown_route', async (_, args) => {
      const [h, value] = args();
      const res = await routerGet(sb, h ?? '', '/metrics', withInstance(value ?? ''));
      expect(res.status).toBe(400);
      expect(res.headers['x-cf-routererror']).toBe('unknown_route');
    });

    it('unknown route without the header: 404 unknown_route', async () => {
      const res = await routerGet(sb, `nowhere.${sb.appsDomain}`, '/');
      expect(res.status).toBe(404);
      expect(res.headers['x-cf-routererror']).toBe('unknown_route');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    });

    it('route whose app is stopped, default: 404 unknown_route (pool pruned)', async () => {
      const res = await routerGet(sb, stopped.routes[0]!, '/');
      expect(res.status).toBe(404);
      expect(res.headers['x-cf-routererror']).toBe('unknown_route');
    });

    it('route with no endpoints, operator option: 503 no_endpoints', async () => {
      const sb503 = await startSandbox({ emptyPoolResponse503: true });
      try {
        const s = sb503.control.createSpace(sb503.control.createOrg('o').guid, 's');
        const a = sb503.control.createApp({
          spaceGuid: s.guid,
          name: 'idle',
          instances: 1,
          state: 'STOPPED',
        });
        const res = await routerGet(sb503, a.routes[0]!, '/');
        expect(res.status).toBe(503);
        expect(res.headers['x-cf-routererror']).toBe('no_endpoints');
      } finally {
        await sb503.stop();
      }
    });

    it('backend failed: 502 endpoint_failure (<detail>)', async () => {
      sb.control.setInstanceBehavior(app.guid, 2, { kind: 'reset' });
      try {
        const res = await routerGet(sb, host, '/metrics', withInstance(`${app.guid}:2`));
        expect(res.status).toBe(502);
        expect(res.headers['x-cf-routererror']).toMatch(/^endpoint_failure \(.+\)$/);
      } finally {
        sb.control.setInstanceBehavior(app.guid, 2, { kind: 'normal' });
      }
    });
  });

  it('routes to exactly the instance named in X-CF-APP-INSTANCE', async () => {
    for (const i of [2, 0, 1, 2]) {
      const res = await routerGet(sb, host, '/metrics', withInstance(`${app.guid}:${i}`));
      expect(res.status).toBe(200);
      expect(instanceIndexOf(res.body)).toBe(i);
    }
  });

  it('round-robins without the header, ignoring Host case and port', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await routerGet(sb, `${host.toUpperCase()}:443`, '/metrics');
      seen.push(instanceIndexOf(res.body) ?? -1);
    }
    expect(new Set(seen)).toEqual(new Set([0, 1, 2]));
    expect(seen.slice(0, 3)).toEqual(seen.slice(3));
  });

  it('matches the longest route path prefix, by whole segments', async () => {
    const other = sb.control.createApp({ spaceGuid, name: 'other', host: null });
    sb.control.addRoute(other.guid, 'web', { path: '/api' });
    const echo = async (path: string) => JSON.parse((await routerGet(sb, host, path)).body).app;
    expect(await echo('/api/_echo')).toBe('other');
    expect(await echo('/apiary/_echo')).toBe('web');
    expect(await echo('/_echo')).toBe('web');
  });

  it('forwards method, headers and body, adds X-Forwarded-*, and never lets clients spoof the private header', async () => {
    const res = await request(`${sb.routerUrl}/_echo?a=1`, {
      method: 'POST',
      headers: {
        host,
        authorization: 'Basic dTpw',
        accept: 'application/openmetrics-text',
        'accept-encoding': 'gzip',
        'x-custom': 'yes',
        'x-sandbox-instance-id': 'spoofed',
        ...withInstance(`${app.guid}:1`),
      },
      body: 'z'.repeat(100_000),
    });
    const echo = (await res.body.json()) as {
      index: number;
      method: string;
      url: string;
      bodyLength: number;
      headers: Record<string, string>;
    };
    expect(echo).toMatchObject({ index: 1, method: 'POST', url: '/_echo?a=1', bodyLength: 100_000 });
    expect(echo.headers).toMatchObject({
      host,
      authorization: 'Basic dTpw',
      accept: 'application/openmetrics-text',
      'accept-encoding': 'gzip',
      'x-custom': 'yes',
      'x-forwarded-proto': 'http',
      'x-cf-app-instance': `${app.guid}:1`,
    });
    expect(echo.headers['x-vcap-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(echo.headers['x-forwarded-for']).toContain('127.0.0.1');
  });

  it('passes gzip through untouched', async () => {
    const res = await request(`${sb.routerUrl}/metrics`, {
      headers: { host, 'accept-encoding': 'gzip', ...withInstance(`${app.guid}:0`) },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    const raw = Buffer.from(await res.body.arrayBuffer());
    expect(raw[0]).toBe(0x1f);
    expect(instanceIndexOf(gunzipSync(raw).toString())).toBe(0);
  });

  it('streams: the first bytes of a never-ending body arrive, and closing the client stops the backend', async () => {
    sb.control.setInstanceBehavior(app.guid, 1, { kind: 'endless' });
    try {
      const ac = new AbortController();
      const res = await request(`${sb.routerUrl}/metrics`, {
        headers: { host, ...withInstance(`${app.guid}:1`) },
        signal: ac.signal,
      });
      expect(res.statusCode).toBe(200);
      let received = 0;
      for await (const chunk of res.body) {
        received += (chunk as Buffer).length;
        if (received > 100_000) break;
      }
      ac.abort();
      expect(received).toBeGreaterThan(100_000);
    } finally {
      sb.control.setInstanceBehavior(app.guid, 1, { kind: 'normal' });
    }
  });

  it('passes app statuses and redirects through without X-Cf-Routererror', async () => {
    sb.control.setInstanceBehavior(app.guid, 0, { kind: 'status', status: 500 });
    sb.control.setInstanceBehavior(app.guid, 1, {
      kind: 'redirect',
      location: 'https://elsewhere.example/metrics',
    });
    try {
      const failed = await routerGet(sb, host, '/metrics', withInstance(`${app.guid}:0`));
      expect(failed.status).toBe(500);
      expect(failed.headers['x-cf-routererror']).toBeUndefined();
      const moved = await routerGet(sb, host, '/metrics', withInstance(`${app.guid}:1`));
      expect(moved.status).toBe(302);
      expect(moved.headers.location).toBe('https://elsewhere.example/metrics');
    } finally {
      sb.control.setInstanceBehavior(app.guid, 0, { kind: 'normal' });
      sb.control.setInstanceBehavior(app.guid, 1, { kind: 'normal' });
    }
  });

  it('speaks TLS on the same port, with a certificate for the apps domain', async () => {
    const agent = tlsAgent(sb, host);
    try {
      const res = await request(`https://${sb.routerAddress}/_echo`, {
        dispatcher: agent,
        headers: { host, ...withInstance(`${app.guid}:2`) },
      });
      const echo = (await res.body.json()) as { index: number; headers: Record<string, string> };
      expect(res.statusCode).toBe(200);
      expect(echo.index).toBe(2);
      expect(echo.headers['x-forwarded-proto']).toBe('https');
    } finally {
      await agent.close();
    }
    expect(sb.routerCaPem).toContain('BEGIN CERTIFICATE');
  });

  it('does not serve internal routes', async () => {
    sb.control.addRoute(app.guid, 'web', { internal: true });
    const res = await routerGet(sb, 'web.apps.internal', '/');
    expect(res.status).toBe(404);
    expect(res.headers['x-cf-routererror']).toBe('unknown_route');
  });
});
