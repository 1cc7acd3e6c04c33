import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';

const form = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('sandbox UAA', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ tokenLifetimeSeconds: 120 });
  });
  afterAll(() => sb.stop());

  async function token(headers: Record<string, string>, body: string, query = '') {
    const res = await request(`${sb.uaaUrl}/oauth/token${query}`, {
      method: 'POST',
      headers: { 'content-type': form, ...headers },
      body,
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (await res.body.json()) as Record<string, unknown>,
    };
  }

  it('issues an RS256 client-credentials JWT with UAA claims, verifiable with /token_keys', async () => {
    const res = await token(
      { authorization: basic(sb.admin.clientId, sb.admin.clientSecret) },
      'grant_type=client_credentials',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', scope: 'cloud_controller.admin_read_only' });
    expect(res.body.expires_in).toBe(120);
    expect(res.body.refresh_token).toBeUndefined();
    const jwt = res.body.access_token as string;
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({
      sub: sb.admin.clientId,
      client_id: sb.admin.clientId,
      cid: sb.admin.clientId,
      azp: sb.admin.clientId,
      grant_type: 'client_credentials',
      scope: ['cloud_controller.admin_read_only'],
      iss: `${sb.uaaUrl}/oauth/token`,
      zid: 'uaa',
      jti: res.body.jti,
    });
    expect(claims.aud).toContain('cloud_controller');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(120);

    const keys = (await (await request(`${sb.uaaUrl}/token_keys`)).body.json()) as {
      keys: Array<Record<string, string>>;
    };
    const key = keys.keys[0];
    expect(key).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig', kid: decodeProtectedHeader(jwt).kid });
    expect(key?.value).toContain('BEGIN PUBLIC KEY');
    await expect(jwtVerify(jwt, await importSPKI(key?.value ?? '', 'RS256'))).resolves.toBeTruthy();
  });

  it('accepts client credentials in the form body too', async () => {
    const body = `grant_type=client_credentials&client_id=${sb.auditor.clientId}&client_secret=${sb.auditor.clientSecret}`;
    const res = await token({}, body);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('cloud_controller.global_auditor');
  });

  it('password grant with client cf and an empty secret returns a user token and a refresh token', async () => {
    const res = await token(
      { authorization: 'Basic Y2Y6' },
      `grant_type=password&username=${sb.user.username}&password=${encodeURIComponent(sb.user.password)}`,
    );
    expect(res.status).toBe(200);
    expect(typeof res.body.refresh_token).toBe('string');
    const claims = decodeJwt(res.body.access_token as string);
    expect(claims).toMatchObject({ grant_type: 'password', client_id: 'cf', user_name: sb.user.username });
    expect(claims.scope).toContain('cloud_controller.admin');
    const refreshed = await token(
      { authorization: 'Basic Y2Y6' },
      `grant_type=refresh_token&refresh_token=${res.body.refresh_token}`,
    );
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string).user_name).toBe(sb.user.username);
  });

  it.each([
    [
      'wrong secret',
      { authorization: basic('sandbox-admin', 'nope') },
      'grant_type=client_credentials',
      401,
      'invalid_client',
    ],
    [
      'unknown client',
      { authorization: basic('ghost', 'x') },
      'grant_type=client_credentials',
      401,
      'invalid_client',
    ],
    ['no client auth', {}, 'grant_type=client_credentials', 401, 'unauthorized'],
    [
      'bad user password',
      { authorization: 'Basic Y2Y6' },
      'grant_type=password&username=sandbox-user&password=x',
      401,
      'unauthorized',
    ],
    ['unknown grant', { authorization: 'Basic Y2Y6' }, 'grant_type=magic', 400, 'unsupported_grant_type'],
  ])('refuses %s', async (_, headers, body, status, error) => {
    const res = await token(headers as Record<string, string>, body);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(typeof res.body.error_description).toBe('string');
  });

  it('narrows a client-credentials token to a requested scope, refusing scopes the client lacks', async () => {
    sb.control.addClient('two-scopes', 's', ['cloud_controller.admin_read_only', 'metrics.Read']);
    const auth = { authorization: basic('two-scopes', 's') };
    const narrowed = await token(auth, 'grant_type=client_credentials&scope=metrics.Read');
    expect(narrowed.body.scope).toBe('metrics.Read');
    const refused = await token(auth, 'grant_type=client_credentials&scope=cloud_controller.admin');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_scope');
  });

  it('answers 406 to parameters in the query string', async () => {
    const res = await token(
      { authorization: basic(sb.admin.clientId, sb.admin.clientSecret) },
      '',
      '?grant_type=client_credentials',
    );
    expect(res.status).toBe(406);
  });

  it('refuses every client while told to', async () => {
    sb.control.refuseUaa(true);
    try {
      const res = await token(
        { authorization: basic(sb.admin.clientId, sb.admin.clientSecret) },
        'grant_type=client_credentials',
      );
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    } finally {
      sb.control.refuseUaa(false);
    }
  });

  it('counts token requests under their own key, outside the CC total', async () => {
    sb.control.resetRequestCounts();
    await token(
      { authorization: basic(sb.admin.clientId, sb.admin.clientSecret) },
      'grant_type=client_credentials',
    );
    expect(sb.control.requestCounts()).toEqual({ 'POST /oauth/token': 1, total: 0 });
  });
});
