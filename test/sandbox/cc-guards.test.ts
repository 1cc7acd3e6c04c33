import { generateKeyPair, SignJWT } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { ccGet, clientToken } from './support.ts';

describe('sandbox Cloud Controller: tokens, rate limits, injected failures, counters', () => {
  let sb: Sandbox;
  let adminToken: string;
  beforeAll(async () => {
    sb = await startSandbox({ rateLimit: { limit: 3, windowSeconds: 60 } });
    adminToken = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
  });
  afterAll(() => sb.stop());

  const apps = (token?: string) => ccGet(`${sb.ccUrl}/v3/apps`, token);

  it('401 CF-NotAuthenticated without a token', async () => {
    const res = await apps();
    expect(res.status).toBe(401);
    expect(res.body.errors[0]).toMatchObject({ code: 10002, title: 'CF-NotAuthenticated' });
  });

  it('401 CF-InvalidAuthToken for an expired token', async () => {
    const expired = await sb.control.issueToken(sb.admin.clientId, { expiresInSeconds: -10 });
    const res = await apps(expired);
    expect(res.status).toBe(401);
    expect(res.body.errors[0]).toMatchObject({ code: 1000, title: 'CF-InvalidAuthToken' });
  });

  it('401 CF-InvalidAuthToken for a token signed by another key, and for garbage', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      scope: ['cloud_controller.admin'],
      aud: ['cloud_controller'],
      client_id: 'x',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'sandbox-key-1' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await apps(forged)).body.errors[0].title).toBe('CF-InvalidAuthToken');
    expect((await apps('not-a-jwt')).status).toBe(401);
  });

  it('401 for a token whose audience lacks cloud_controller', async () => {
    const t = await sb.control.issueToken(sb.admin.clientId, { audience: ['some_other_service'] });
    expect((await apps(t)).status).toBe(401);
  });

  it('403 CF-NotAuthorized for a valid token without a read-all scope', async () => {
    sb.control.addClient('weak', 'weak-secret', ['cloud_controller.read']);
    const weak = await clientToken(sb.uaaUrl, 'weak', 'weak-secret');
    const res = await apps(weak);
    expect(res.status).toBe(403);
    expect(res.body.errors[0]).toMatchObject({ code: 10003, title: 'CF-NotAuthorized' });
  });

  it('rate-limits global_auditor with headers, 429 and Retry-After; admin_read_only is exempt', async () => {
    const auditor = await clientToken(sb.uaaUrl, sb.auditor.clientId, sb.auditor.clientSecret);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await apps(auditor);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      remaining.push(String(res.headers['x-ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await apps(auditor);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toEqual({
      errors: [{ code: 10013, title: 'CF-RateLimitExceeded', detail: 'Rate Limit Exceeded' }],
    });
    for (let i = 0; i < 5; i++) {
      const res = await apps(adminToken);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('failCc: status, forced 429 and hang, then back to normal', async () => {
    sb.control.failCc({ status: 503 });
    const down = await apps(adminToken);
    expect(down.status).toBe(503);
    expect(down.body.errors[0].title).toBe('CF-ServiceUnavailable');
    sb.control.failCc({ status: 500 });
    expect((await apps(adminToken)).status).toBe(500);
    sb.control.failCc({ rateLimit: { retryAfterSeconds: 7 } });
    const limited = await apps(adminToken);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    sb.control.failCc({ hang: true });
    const hung = request(`${sb.ccUrl}/v3/apps`, {
      headers: { authorization: `bearer ${adminToken}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
    sb.control.failCc(null);
    expect((await apps(adminToken)).status).toBe(200);
  });

  it('adds artificial latency', async () => {
    sb.control.setCcLatency(150);
    try {
      const t0 = Date.now();
      await apps(adminToken);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      sb.control.setCcLatency(0);
    }
  });

  it('counts requests per endpoint template, refused ones included', async () => {
    const app = sb.control.createApp({
      spaceGuid: sb.control.createSpace(sb.control.createOrg('o').guid, 's').guid,
      name: 'c',
    });
    sb.control.resetRequestCounts();
    await apps(adminToken);
    await apps();
    await ccGet(`${sb.ccUrl}/v3/apps/${app.guid}`, adminToken);
    await ccGet(`${sb.ccUrl}/v3/processes/${app.processGuid}/stats`, adminToken);
    await ccGet(`${sb.ccUrl}/v3/apps/${app.guid}/processes/web/stats`, adminToken);
    await ccGet(`${sb.ccUrl}/v3/routes?app_guids=${app.guid}`, adminToken);
    expect(sb.control.requestCounts()).toEqual({
      'GET /v3/apps': 2,
      'GET /v3/apps/:guid': 1,
      'GET /v3/processes/:guid/stats': 1,
      'GET /v3/apps/:guid/processes/:type/stats': 1,
      'GET /v3/routes': 1,
      total: 6,
    });
    sb.control.resetRequestCounts();
    expect(sb.control.requestCounts()).toEqual({ total: 0 });
  });
});
