import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/index.ts';
import {
  type CloudControllerClient,
  createCcRequestCounter,
  createCloudControllerClient,
} from '../../../scraper/cf/index.ts';
import { adminConfig, sandboxClient, silent } from './sandbox-client.ts';

let sandbox: Sandbox;
const clients: CloudControllerClient[] = [];
let spaceGuid: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const org = sandbox.control.createOrg('cc-org');
  spaceGuid = sandbox.control.createSpace(org.guid, 'cc-space').guid;
  for (let i = 0; i < 5; i++) sandbox.control.createApp({ spaceGuid, name: `cc-app-${i}` });
});
afterAll(async () => {
  await sandbox.stop();
});
afterEach(async () => {
  sandbox.control.failCc(null);
  sandbox.control.refuseUaa(false);
  sandbox.control.setCcLatency(0);
  await Promise.all(clients.splice(0).map((c) => c.close()));
  sandbox.control.resetRequestCounts();
});

function client(...args: Parameters<typeof sandboxClient> extends [unknown, ...infer R] ? R : never) {
  const c = sandboxClient(sandbox, ...args);
  clients.push(c);
  return c;
}

const counts = () => sandbox.control.requestCounts();

describe('CC client against the sandbox', () => {
  it('logs in with client credentials: root document, one token, then the request', async () => {
    const c = client();
    const apps = await c.listAll<{ name: string }>(`/v3/apps?space_guids=${spaceGuid}&per_page=5000`);
    expect(apps.resources.map((a) => a.name).sort()).toEqual([
      'cc-app-0',
      'cc-app-1',
      'cc-app-2',
      'cc-app-3',
      'cc-app-4',
    ]);
    expect(counts()).toMatchObject({ 'GET /': 1, 'POST /oauth/token': 1, 'GET /v3/apps': 1 });
  });

  it('logs in with the password grant (client cf, empty secret)', async () => {
    const c = createCloudControllerClient({
      config: {
        apiUrl: sandbox.ccUrl,
        username: sandbox.user.username,
        password: sandbox.user.password,
        skipSslValidation: false,
      },
      logger: silent,
    });
    clients.push(c);
    const apps = await c.listAll(`/v3/apps?space_guids=${spaceGuid}`);
    expect(apps.resources).toHaveLength(5);
  });

  it('fetches one token for many concurrent requests (single-flight)', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 20 }, () => c.getJson(`/v3/spaces/${spaceGuid}`)));
    expect(counts()['POST /oauth/token']).toBe(1);
    expect(counts()['GET /']).toBe(1);
  });

  // A virtual clock moves the client's view of time; the sandbox's tokens stay valid in real time, so a
  // refresh seen here was decided by the client alone (no 401 involved) and the test does not race the CPU.
  it('refreshes the token before it expires, once for concurrent callers', async () => {
    let offset = 0;
    const c = client({ clock: () => Date.now() + offset });
    await c.getJson('/v3/apps');
    offset = 3_600_000 - 59_000; // default lifetime 1 h, refresh margin 60 s: due, not expired
    await Promise.all(Array.from({ length: 10 }, () => c.getJson('/v3/apps')));
    await c.getJson('/v3/apps');
    expect(counts()['POST /oauth/token']).toBe(2);
    expect(counts()['GET /v3/apps']).toBe(12); // no 401 retries: refreshed in time
  });

  it('keeps using a still-valid token when its early refresh fails', async () => {
    let offset = 0;
    const c = client({ clock: () => Date.now() + offset });
    await c.getJson('/v3/apps');
    offset = 3_600_000 - 30_000;
    sandbox.control.refuseUaa(true);
    await expect(c.getJson('/v3/apps')).resolves.toBeDefined();
    expect(counts()['POST /oauth/token']).toBe(2);
  });

  it('uses a refresh margin of 20 % for short-lived tokens (sandbox lifetime 2 s)', async () => {
    const short = await startSandbox({ tokenLifetimeSeconds: 2 });
    try {
      let offset = 0;
      const c = sandboxClient(short, { clock: () => Date.now() + offset });
      clients.push(c);
      await c.getJson('/v3/apps');
      offset = 1_000; // 50 %: not due
      await c.getJson('/v3/apps');
      expect(short.control.requestCounts()['POST /oauth/token']).toBe(1);
      offset = 1_700; // past 80 %: due
      await c.getJson('/v3/apps');
      expect(short.control.requestCounts()['POST /oauth/token']).toBe(2);
    } finally {
      await short.stop();
    }
  });

  it('refreshes once and retries when the CC answers 401 (token expired earlier than we thought)', async () => {
    const short = await startSandbox({ tokenLifetimeSeconds: 1 });
    try {
      const frozen = Date.now();
      // A frozen clock never sees the token age: only the CC's 401 can tell.
      const c = sandboxClient(short, { clock: () => frozen });
      clients.push(c);
      await c.getJson('/v3/apps');
      await new Promise((r) => setTimeout(r, 1_300));
      await c.getJson('/v3/apps');
      const n = short.control.requestCounts();
      expect(n['POST /oauth/token']).toBe(2);
      expect(n['GET /v3/apps']).toBe(3);
    } finally {
      await short.stop();
    }
  });

  it('follows next.href through every page and merges included resources', async () => {
    const c = client();
    const list = await c.listAll<{ guid: string }>(
      `/v3/apps?space_guids=${spaceGuid}&include=space.organization&per_page=2`,
    );
    expect(list.resources).toHaveLength(5);
    expect(new Set(list.resources.map((a) => a.guid)).size).toBe(5);
    expect(list.included.spaces).toHaveLength(1);
    expect(list.included.organizations).toHaveLength(1);
    expect(counts()['GET /v3/apps']).toBe(3);
  });

  it('honours 429 Retry-After: waits, then succeeds', async () => {
    const c = client();
    await c.getJson('/v3/apps'); // token and root first
    sandbox.control.failCc({ rateLimit: { retryAfterSeconds: 1 } });
    setTimeout(() => sandbox.control.failCc(null), 300);
    const started = Date.now();
    await c.getJson('/v3/apps');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(counts()['GET /v3/apps']).toBe(3);
  });

  it('fails with CF_RATE_LIMITED when Retry-After exceeds what it may wait', async () => {
    const c = client({ maxRetryAfterMs: 500 });
    sandbox.control.failCc({ rateLimit: { retryAfterSeconds: 60 } });
    await expect(c.getJson('/v3/apps')).rejects.toMatchObject({ code: 'CF_RATE_LIMITED', status: 429 });
  });

  it('retries the sandbox rate limit of a non-exempt (auditor) client', async () => {
    const limited = await startSandbox({ rateLimit: { limit: 3, windowSeconds: 1 } });
    try {
      const c = createCloudControllerClient({
        config: {
          apiUrl: limited.ccUrl,
          clientId: limited.auditor.clientId,
          clientSecret: limited.auditor.clientSecret,
          skipSslValidation: false,
        },
        logger: silent,
      });
      clients.push(c);
      for (let i = 0; i < 6; i++) await c.getJson('/v3/apps');
      expect(limited.control.requestCounts()['GET /v3/apps']).toBeGreaterThan(6);
    } finally {
      await limited.stop();
    }
  });

  it('backs off and retries a 5xx, then succeeds', async () => {
    const c = client();
    await c.getJson('/v3/apps');
    sandbox.control.failCc({ status: 503 });
    setTimeout(() => sandbox.control.failCc(null), 50);
    await expect(c.getJson('/v3/apps')).resolves.toBeDefined();
  });

  it('gives up on a lasting 5xx with CF_HTTP_STATUS after bounded retries', async () => {
    const c = client({ maxRetries: 2 });
    await c.getJson('/v3/apps');
    sandbox.control.resetRequestCounts();
    sandbox.control.failCc({ status: 500 });
    await expect(c.getJson('/v3/apps')).rejects.toMatchObject({ code: 'CF_HTTP_STATUS', status: 500 });
    expect(counts()['GET /v3/apps']).toBe(3);
  });

  it('times out a hanging CC with CF_TIMEOUT, never a raw undici error', async () => {
    const c = client({ timeoutMs: 300 });
    await c.getJson('/v3/apps');
    sandbox.control.failCc({ hang: true });
    const error = await c.getJson('/v3/apps').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CfError', code: 'CF_TIMEOUT' });
    expect((error as Error).cause).toBeDefined();
  });

  it('reports an unreachable CC as CF_UNREACHABLE with the network error as cause', async () => {
    const c = createCloudControllerClient({
      config: { ...adminConfig(sandbox), apiUrl: 'http://127.0.0.1:1' },
      logger: silent,
      maxRetries: 1,
      backoffMs: 10,
    });
    clients.push(c);
    const error = await c.getJson('/v3/apps').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CF_UNREACHABLE' });
    expect((error as Error).cause).toBeDefined();
  });

  it('reports a refusing UAA as CF_TOKEN_FAILED', async () => {
    sandbox.control.refuseUaa(true);
    const c = client();
    await expect(c.getJson('/v3/apps')).rejects.toMatchObject({ code: 'CF_TOKEN_FAILED', status: 401 });
  });

  it('reports a 404 as CF_HTTP_STATUS with the CC error title', async () => {
    const c = client();
    const error = await c.getJson('/v3/apps/no-such-app').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CF_HTTP_STATUS', status: 404 });
    expect((error as Error).message).toContain('CF-ResourceNotFound');
  });

  it('counts requests by endpoint template and status', async () => {
    const registry = new Registry();
    const counter = createCcRequestCounter(registry);
    const c = client({ requestCounter: counter });
    await c.getJson('/v3/apps');
    await c.getJson('/v3/apps/no-such-app').catch(() => {});
    const text = await registry.metrics();
    expect(text).toContain('promregator_cc_requests_total{endpoint="GET /v3/apps",status="200"} 1');
    expect(text).toContain('promregator_cc_requests_total{endpoint="GET /v3/apps/:guid",status="404"} 1');
    expect(text).toContain('promregator_cc_requests_total{endpoint="POST /oauth/token",status="200"} 1');
    expect(text).toContain('promregator_cc_requests_total{endpoint="GET /",status="200"} 1');
  });
});
