import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/logging.ts';
import { SecretKeys } from '../../../common/secrets.ts';
import {
  createDashboard,
  createSsoClient,
  PermissionCache,
  SessionCodec,
} from '../../../scraper/dashboard/index.ts';
import { matchRoute } from '../../../scraper/http/routes.ts';

/** A foundation that is not there at all: nothing listens on the CC's port. */
let server: Server;
let url: string;
const agent = new Agent();

beforeAll(async () => {
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise<void>((resolve) => dead.close(() => resolve()));
  const clock = Date.now;
  const dashboard = createDashboard({
    sso: createSsoClient({
      ccUrl: `http://127.0.0.1:${deadPort}`,
      clientId: 'c',
      clientSecret: 's',
      redirectUri: () => 'http://127.0.0.1/dashboard/callback',
      dispatcher: agent,
      clock,
      timeoutMs: 2_000,
    }),
    sessions: new SessionCodec({
      keys: new SecretKeys('unreachable-test-key-0123456789'),
      secure: true,
      clock,
    }),
    permissions: new PermissionCache(60_000, clock),
    model: async () => undefined,
    clock,
    sessionTtlMs: 900_000,
    refreshSeconds: 15,
    logger: createLogger({ level: 'silent', name: 'test' }),
  });
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const route = matchRoute(u.pathname);
    if (!route?.name.startsWith('dashboard')) return void res.writeHead(404).end();
    void dashboard.handle(req, res, route as Parameters<typeof dashboard.handle>[2], u);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await agent.close();
});

describe('dashboard when the Cloud Controller cannot be reached', () => {
  it('answers a 503 error page at the login start, and keeps answering', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(`${url}/dashboard/instances/some-instance`, {
        headers: { accept: 'text/html' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const html = await res.body.text();
      expect(html).toContain('Cloud Controller unavailable');
      expect(html).toContain('href="/dashboard/instances/some-instance"');
    }
  });

  it('answers JSON clients with the same status as JSON', async () => {
    const res = await request(`${url}/dashboard/instances/some-instance`, {
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toEqual({
      error: 'Cloud Controller unavailable',
      description: expect.any(String),
    });
  });
});
