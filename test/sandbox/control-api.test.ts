import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { routerGet } from './support.ts';

describe('sandbox HTTP control API and demo seed', () => {
  let sb: Sandbox;
  let base: string;
  beforeAll(async () => {
    sb = await startSandbox({ seed: 'demo', controlApi: true });
    base = sb.controlUrl ?? '';
  });
  afterAll(() => sb.stop());

  async function call(method: string, path: string, body?: unknown) {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.statusCode,
      body: (await res.body.json()) as Record<string, unknown> & Array<Record<string, unknown>>,
    };
  }

  it('seeds 2 orgs, 3 spaces and 5 apps with 1–4 instances', async () => {
    const state = await call('GET', '/_sandbox/state');
    const apps = state.body.apps as unknown as Array<{
      instances: number;
      orgGuid: string;
      spaceGuid: string;
    }>;
    expect(apps).toHaveLength(5);
    expect(new Set(apps.map((a) => a.orgGuid)).size).toBe(2);
    expect(new Set(apps.map((a) => a.spaceGuid)).size).toBe(3);
    expect(apps.every((a) => a.instances >= 1 && a.instances <= 4)).toBe(true);
    expect(state.body.ccUrl).toBe(sb.ccUrl);
  });

  it('creates, scales and breaks things over HTTP', async () => {
    const org = await call('POST', '/_sandbox/orgs', { name: 'http-org' });
    const space = await call('POST', '/_sandbox/spaces', { orgGuid: org.body.guid, name: 'http-space' });
    const app = await call('POST', '/_sandbox/apps', {
      spaceGuid: space.body.guid,
      name: 'http-app',
      instances: 1,
    });
    expect(app.status).toBe(200);
    const guid = app.body.guid as string;
    expect((await call('POST', `/_sandbox/apps/${guid}/scale`, { instances: 3 })).status).toBe(200);
    expect(sb.control.getApp(guid).instances).toBe(3);
    await call('PUT', `/_sandbox/apps/${guid}/instances/2/behavior`, { kind: 'status', status: 418 });
    const res = await routerGet(sb, `http-app.${sb.appsDomain}`, '/metrics', {
      'x-cf-app-instance': `${guid}:2`,
    });
    expect(res.status).toBe(418);
    await call('PUT', '/_sandbox/cc/failure', { status: 502 });
    expect((await request(`${sb.ccUrl}/`)).statusCode).toBe(502);
    await call('DELETE', '/_sandbox/cc/failure');
    expect((await call('GET', '/_sandbox/counts')).body['GET /']).toBe(1);
    const token = await call('POST', '/_sandbox/tokens', { clientId: sb.admin.clientId });
    expect(String(token.body.access_token).split('.')).toHaveLength(3);
  });

  it('maps errors: unknown app 404, bad input 400', async () => {
    expect(
      (await call('POST', '/_sandbox/apps/00000000-0000-4000-8000-000000000000/scale', { instances: 2 }))
        .status,
    ).toBe(404);
    expect((await call('POST', '/_sandbox/orgs', {})).status).toBe(400);
    expect((await call('GET', '/_sandbox/nothing')).status).toBe(404);
  });
});
