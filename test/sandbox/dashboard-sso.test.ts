import { decodeJwt } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { ccGet, clientToken } from './support.ts';

const form = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const CLIENT = {
  id: 'promregator-dashboard',
  secret: 'dash-secret',
  redirect_uri: 'https://dash.example/cb',
};
const OTHER = { id: 'other-dashboard', secret: 'other-secret', redirect_uri: 'https://other.example/cb' };
const SCOPE = 'openid cloud_controller_service_permissions.read';

let sb: Sandbox;
let spaceA: string;
let spaceB: string;
let orgGuid: string;
const INSTANCE = '3b0e6a36-27c8-4d5c-9a51-0c6b9f0f8d11';

beforeAll(async () => {
  sb = await startSandbox({ controlApi: true });
  const org = sb.control.createOrg('o');
  orgGuid = org.guid;
  spaceA = sb.control.createSpace(org.guid, 'a').guid;
  spaceB = sb.control.createSpace(org.guid, 'b').guid;
  sb.control.registerDashboardClient(CLIENT);
  sb.control.registerDashboardClient(OTHER);
  sb.control.registerServiceInstance({ guid: INSTANCE, name: 'metrics', spaceGuid: spaceA });
  sb.control.addUser('dev', 'dev-pass');
  sb.control.setSpaceRoles('dev', spaceA, ['space_developer']);
  sb.control.addUser('auditor', 'aud-pass');
  sb.control.setSpaceRoles('auditor', spaceA, ['space_auditor']);
  sb.control.addUser('stranger', 'str-pass');
  sb.control.setSpaceRoles('stranger', spaceB, ['space_developer']);
  sb.control.addUser('manager', 'man-pass');
  sb.control.setOrgRoles('manager', org.guid, ['organization_manager']);
});
afterAll(() => sb.stop());

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await request(`${sb.uaaUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': form, ...headers },
    body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

function authorizeQuery(client = CLIENT, state = 'st-1'): URLSearchParams {
  return new URLSearchParams({
    response_type: 'code',
    client_id: client.id,
    redirect_uri: client.redirect_uri,
    scope: SCOPE,
    state,
  });
}

/** Signs in through the form, returns the redirect's query. */
async function login(username: string, password: string, client = CLIENT, state = 'st-1') {
  const q = authorizeQuery(client, state);
  q.set('username', username);
  q.set('password', password);
  q.set('action', 'login');
  const res = await post('/oauth/authorize', q.toString());
  expect(res.status).toBe(302);
  const location = new URL(String(res.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(client.redirect_uri);
  return location.searchParams;
}

async function exchange(code: string, client = CLIENT, redirectUri = client.redirect_uri) {
  const res = await post(
    '/oauth/token',
    new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
    { authorization: basic(client.id, client.secret) },
  );
  return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> };
}

async function userToken(username: string, password: string): Promise<string> {
  const code = (await login(username, password)).get('code') ?? '';
  const res = await exchange(code);
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

describe('sandbox UAA: authorization-code grant (dashboard SSO)', () => {
  it('the CC root names the login server', async () => {
    const root = await ccGet(`${sb.ccUrl}/`);
    expect(root.body.links.login.href).toBe(sb.uaaUrl);
  });

  it('GET /oauth/authorize shows a login form carrying the request, escaped', async () => {
    const res = await request(`${sb.uaaUrl}/oauth/authorize?${authorizeQuery(CLIENT, '"><script>x')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = await res.body.text();
    expect(html).toContain('<form method="post" action="/oauth/authorize">');
    expect(html).toContain('name="username"');
    expect(html).not.toContain('"><script>x');
    expect(html).toContain('&#34;&#62;&#60;script&#62;x');
  });

  it.each([
    ['an unknown client', { client_id: 'nobody' }],
    ['a redirect_uri other than the registered one', { redirect_uri: 'https://evil.example/cb' }],
  ])('refuses %s with an error page, never a redirect', async (_name, change) => {
    const q = authorizeQuery();
    for (const [k, v] of Object.entries(change)) q.set(k, v);
    const res = await request(`${sb.uaaUrl}/oauth/authorize?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    await res.body.text();
  });

  it('signs in and redirects back with a code and the state', async () => {
    const back = await login('dev', 'dev-pass');
    expect(back.get('code')).toMatch(/^[\w-]{8,}$/);
    expect(back.get('state')).toBe('st-1');
  });

  it('answers a wrong password with the form again (401)', async () => {
    const q = authorizeQuery();
    q.set('username', 'dev');
    q.set('password', 'nope');
    q.set('action', 'login');
    const res = await post('/oauth/authorize', q.toString());
    expect(res.status).toBe(401);
    expect(res.text).toContain('role="alert"');
  });

  it('redirects a cancelled login with error=access_denied and the state', async () => {
    const q = authorizeQuery(CLIENT, 'st-cancel');
    q.set('action', 'cancel');
    const res = await post('/oauth/authorize', q.toString());
    expect(res.status).toBe(302);
    const back = new URL(String(res.headers.location)).searchParams;
    expect(back.get('error')).toBe('access_denied');
    expect(back.get('state')).toBe('st-cancel');
    expect(back.has('code')).toBe(false);
  });

  it('exchanges the code once for a user token with the granted scopes', async () => {
    const code = (await login('dev', 'dev-pass')).get('code') ?? '';
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', scope: SCOPE });
    const claims = decodeJwt(first.body.access_token as string);
    expect(claims).toMatchObject({ user_name: 'dev', grant_type: 'authorization_code', cid: CLIENT.id });
    const replay = await exchange(code);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('refuses a code issued to another client, or with another redirect_uri', async () => {
    const foreign = (await login('dev', 'dev-pass', OTHER)).get('code') ?? '';
    expect((await exchange(foreign, CLIENT)).body.error).toBe('invalid_grant');
    const code = (await login('dev', 'dev-pass')).get('code') ?? '';
    expect((await exchange(code, CLIENT, 'https://dash.example/elsewhere')).body.error).toBe('invalid_grant');
  });

  it('refuses the grant without the client secret', async () => {
    const code = (await login('dev', 'dev-pass')).get('code') ?? '';
    const res = await exchange(code, { ...CLIENT, secret: 'wrong' });
    expect(res.status).toBe(401);
  });
});

describe('sandbox CC: GET /v3/service_instances/:guid/permissions', () => {
  const permissions = (token: string, guid = INSTANCE) =>
    ccGet(`${sb.ccUrl}/v3/service_instances/${guid}/permissions`, token);

  it('answers read and manage from the user token roles', async () => {
    const cases: Array<[string, string, { read: boolean; manage: boolean }]> = [
      ['dev', 'dev-pass', { read: true, manage: true }],
      ['auditor', 'aud-pass', { read: true, manage: false }],
      ['manager', 'man-pass', { read: true, manage: false }],
      ['stranger', 'str-pass', { read: false, manage: false }],
    ];
    for (const [user, password, expected] of cases) {
      const res = await permissions(await userToken(user, password));
      expect(res.status, user).toBe(200);
      expect(res.body, user).toEqual(expected);
    }
  });

  it('follows a removed role at once', async () => {
    sb.control.addUser('leaver', 'leave-pass');
    sb.control.setSpaceRoles('leaver', spaceA, ['space_developer', 'space_auditor']);
    const token = await userToken('leaver', 'leave-pass');
    sb.control.removeRole('leaver', spaceA, 'space_developer');
    expect((await permissions(token)).body).toEqual({ read: true, manage: false });
    sb.control.removeRole('leaver', spaceA, 'space_auditor');
    expect((await permissions(token)).body).toEqual({ read: false, manage: false });
  });

  it('lets an admin read-only client read, answers 404 for an unknown instance, 401 without a token', async () => {
    const admin = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
    expect((await permissions(admin)).body).toEqual({ read: true, manage: false });
    const unknown = await permissions(admin, '00000000-0000-4000-8000-00000000dead');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].title).toBe('CF-ResourceNotFound');
    expect((await ccGet(`${sb.ccUrl}/v3/service_instances/${INSTANCE}/permissions`)).status).toBe(401);
  });

  it('keeps the read-all endpoints closed to a dashboard user token', async () => {
    const token = await userToken('dev', 'dev-pass');
    expect((await ccGet(`${sb.ccUrl}/v3/apps`, token)).status).toBe(401);
  });
});

describe('sandbox CC: GET /v3/service_credential_bindings (service keys)', () => {
  it('lists the keys of an instance by name, filtered by service_instance_guids and type', async () => {
    const key = '5f0d0b8e-7b5a-4a36-9d8c-3f9b1b2b7a10';
    sb.control.registerServiceKey({ guid: key, name: 'prometheus', serviceInstanceGuid: INSTANCE });
    const admin = await clientToken(sb.uaaUrl, sb.admin.clientId, sb.admin.clientSecret);
    const res = await ccGet(
      `${sb.ccUrl}/v3/service_credential_bindings?service_instance_guids=${INSTANCE}&type=key`,
      admin,
    );
    expect(res.status).toBe(200);
    expect(res.body.resources).toEqual([
      expect.objectContaining({
        guid: key,
        name: 'prometheus',
        type: 'key',
        created_at: expect.stringMatching(/Z$/),
        relationships: { service_instance: { data: { guid: INSTANCE } } },
      }),
    ]);
    const other = await ccGet(
      `${sb.ccUrl}/v3/service_credential_bindings?service_instance_guids=nope`,
      admin,
    );
    expect(other.body.resources).toEqual([]);
  });
});

describe('sandbox control API: users, roles, service instances, dashboard clients', () => {
  async function control(method: string, path: string, body?: unknown) {
    const res = await request(`${sb.controlUrl}${path}`, {
      method: method as 'GET',
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  }

  it('adds a user, sets and removes roles, registers an instance', async () => {
    const guid = '7c9d7a5e-0f54-4a0b-9d62-2d6d2b0c0a77';
    expect(
      (await control('POST', '/_sandbox/users', { username: 'http-user', password: 'pw' })).body,
    ).toMatchObject({ username: 'http-user', guid: expect.any(String) });
    expect(
      (await control('POST', '/_sandbox/service_instances', { guid, name: 'm2', spaceGuid: spaceB })).status,
    ).toBe(200);
    expect(
      (await control('PUT', `/_sandbox/users/http-user/spaces/${spaceB}/roles`, { roles: ['space_manager'] }))
        .status,
    ).toBe(200);
    expect(
      (
        await control('PUT', `/_sandbox/users/http-user/orgs/${orgGuid}/roles`, {
          roles: ['organization_user'],
        })
      ).status,
    ).toBe(200);
    expect(
      (await control('PUT', `/_sandbox/users/http-user/spaces/${spaceB}/roles`, { roles: ['root'] })).status,
    ).toBe(400);
    const token = await userToken('http-user', 'pw');
    expect((await ccGet(`${sb.ccUrl}/v3/service_instances/${guid}/permissions`, token)).body.read).toBe(true);
    expect((await control('DELETE', `/_sandbox/users/http-user/roles/${spaceB}/space_manager`)).status).toBe(
      200,
    );
    expect((await ccGet(`${sb.ccUrl}/v3/service_instances/${guid}/permissions`, token)).body.read).toBe(
      false,
    );
    expect(
      (
        await control('POST', '/_sandbox/dashboard_clients', {
          id: 'c3',
          secret: 's',
          redirect_uri: 'https://x/cb',
        })
      ).status,
    ).toBe(200);
  });
});
