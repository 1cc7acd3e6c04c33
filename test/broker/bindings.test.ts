import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SecretKeys } from '../../common/secrets.ts';
import { APP_GUID, CloudController, ORG_GUID, SPACE_GUID } from './support/cc.ts';
import { CREDENTIALS_KEY, SCRAPER_PUBLIC_URL, startTestBroker, type TestBroker } from './support/harness.ts';

let broker: TestBroker;
let cc: CloudController;
const keys = new SecretKeys(CREDENTIALS_KEY);

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
});
afterAll(() => broker?.close());

const bindingPath = (i: string, b: string) => `/v2/service_instances/${i}/service_bindings/${b}`;

async function newInstance(parameters?: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  expect((await cc.provision(id, parameters)).status).toBe(201);
  return id;
}

describe('app binding (cf bind-service)', () => {
  it('answers 201 with per-binding basic-auth credentials, 200 with the same for an identical repeat, 409 otherwise', async () => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    const created = await cc.bindApp(instanceId, bindingId, { path: '/actuator/prometheus' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      credentials: { auth_type: 'basic', ...keys.bindingCredentials(bindingId) },
    });
    const again = await cc.bindApp(instanceId, bindingId, { path: '/actuator/prometheus' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    const differentParameters = await cc.bindApp(instanceId, bindingId, { path: '/other' });
    expect(differentParameters.status).toBe(409);
    expect(differentParameters.body).toEqual({ description: expect.any(String) });
    const differentApp = await cc.bindApp(
      instanceId,
      bindingId,
      { path: '/actuator/prometheus' },
      randomUUID(),
    );
    expect(differentApp.status).toBe(409);
  });

  it('stores the target definition: app guid, org/space from context, parameters without secrets', async () => {
    const instanceId = await newInstance({ scheme: 'http' });
    const bindingId = randomUUID();
    const parameters = {
      path: '/m',
      route: '^my-app\\..*$',
      labels: { team: 'blue' },
      honor_labels: true,
      scrape_timeout_ms: 5000,
      auth: { type: 'basic', username: 'scraper', password: 'app-secret-1' },
    };
    expect((await cc.bindApp(instanceId, bindingId, parameters)).status).toBe(201);
    const row = await broker.db('service_bindings').where({ id: bindingId }).first();
    expect(row).toMatchObject({
      instance_id: instanceId,
      kind: 'app',
      app_guid: APP_GUID,
      organization_guid: ORG_GUID,
      space_guid: SPACE_GUID,
      organization_name: 'my-org',
      space_name: 'my-space',
      parameters: { ...parameters, auth: { type: 'basic', username: 'scraper' } },
      key_password_hash: null,
    });
    expect(JSON.parse(keys.decrypt(row.secrets))).toEqual({ password: 'app-secret-1' });
  });

  it('returns no secret for user-supplied auth types', async () => {
    const instanceId = await newInstance();
    const oauth = {
      type: 'oauth2',
      token_url: 'https://uaa.example.com/oauth/token',
      client_id: 'c',
      client_secret: 'oauth-secret-1',
      scopes: ['metrics.read'],
    };
    const reply = await cc.bindApp(instanceId, randomUUID(), { auth: oauth });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ credentials: { auth_type: 'oauth2' } });
    const none = await cc.bindApp(instanceId, randomUUID(), { auth: { type: 'none' } });
    expect(none.body).toEqual({ credentials: { auth_type: 'none' } });
  });

  it('accepts the deprecated top-level app_guid alone', async () => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    const body: Record<string, unknown> = cc.bindAppBody();
    delete body.bind_resource;
    expect((await cc.request('PUT', bindingPath(instanceId, bindingId), { body })).status).toBe(201);
    expect(await broker.db('service_bindings').where({ id: bindingId }).first('kind', 'app_guid')).toEqual({
      kind: 'app',
      app_guid: APP_GUID,
    });
  });

  it('GET returns credentials and parameters (without secrets); 404 for unknown or foreign ids', async () => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    await cc.bindApp(instanceId, bindingId, {
      auth: { type: 'basic', username: 'u', password: 'app-secret-2' },
    });
    const reply = await cc.request('GET', bindingPath(instanceId, bindingId));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      credentials: { auth_type: 'basic' },
      parameters: { auth: { type: 'basic', username: 'u' } },
    });
    expect((await cc.request('GET', bindingPath(instanceId, randomUUID()))).status).toBe(404);
    const foreign = await cc.request('GET', bindingPath(await newInstance(), bindingId));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ description: expect.any(String) });
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['relative path', { path: 'metrics' }, /parameters\.path: must start with "\/"/],
    ['URL as path', { path: 'https://evil.example.com/metrics' }, /parameters\.path: must start with "\/"/],
    ['host via //', { path: '//evil.example.com/metrics' }, /parameters\.path: must be a path, not a URL/],
    ['dot-dot', { path: '/a/../b' }, /parameters\.path: must not contain "\.\."/],
    ['control character', { path: '/a\u0007' }, /parameters\.path: must not contain control characters/],
    ['scheme', { scheme: 'ftp' }, /parameters\.scheme: must be one of https, http/],
    [
      'route regex that does not compile',
      { route: 'app-(' },
      /parameters\.route: not a valid regular expression \(Unterminated group\)/,
    ],
    ['empty route', { route: '' }, /parameters\.route/],
    ['route over 1024 characters', { route: `${'a'.repeat(1025)}.example.com` }, /parameters\.route: /],
    [
      'auth type',
      { auth: { type: 'digest' } },
      /parameters\.auth\.type: must be one of binding, none, basic, oauth2/,
    ],
    [
      'basic without password',
      { auth: { type: 'basic', username: 'u' } },
      /parameters\.auth\.password: is required/,
    ],
    [
      'oauth2 token_url not http(s)',
      { auth: { type: 'oauth2', token_url: 'ftp://x/token', client_id: 'c', client_secret: 's' } },
      /parameters\.auth\.token_url: must be an http or https URL/,
    ],
    ['label name', { labels: { 'bad-name': 'x' } }, /parameters\.labels\.bad-name: label names must match/],
    ['__ label', { labels: { __name__: 'x' } }, /parameters\.labels\.__name__: .*"__"/],
    ['reserved label', { labels: { app_name: 'x' } }, /parameters\.labels\.app_name: .*reserved|app_name/],
    ['label value not a string', { labels: { team: 1 } }, /parameters\.labels\.team: must be string/],
    ['honor_labels', { honor_labels: 'yes' }, /parameters\.honor_labels: must be boolean/],
    ['timeout too small', { scrape_timeout_ms: 99 }, /parameters\.scrape_timeout_ms: must be >= 100/],
    ['timeout too large', { scrape_timeout_ms: 600001 }, /parameters\.scrape_timeout_ms: must be <= 600000/],
    ['typo', { scrape_timeout: 1000 }, /parameters\.scrape_timeout: unknown field/],
  ];
  it.each(bad)(
    'answers 400 naming field and rule for %s, and stores nothing',
    async (_name, parameters, message) => {
      const instanceId = await newInstance();
      const bindingId = randomUUID();
      const reply = await cc.bindApp(instanceId, bindingId, parameters);
      expect(reply.status).toBe(400);
      expect(Object.keys(reply.body)).toEqual(['description']);
      expect(reply.body.description).toMatch(message);
      expect(await broker.db('service_bindings').where({ id: bindingId }).first()).toBeUndefined();
    },
  );

  // What RE2 cannot run is refused at bind, naming the construct, rather than matching nothing later.
  it.each([
    ['(a+)\\1', 'a backreference (\\1) is not supported'],
    ['/^(x)-\\1\\./', 'a backreference (\\1) is not supported'],
    ['(?<n>x)\\k<n>\\.example\\.com', 'a backreference (\\k<n>) is not supported'],
    ['my-app(?=\\.apps)\\..*', 'a lookahead (?=…) is not supported'],
    ['/^(?!admin-)/', 'a negative lookahead (?!…) is not supported'],
    ['/(?<=blue-)app/', 'a lookbehind (?<=…) is not supported'],
    ['/(?<!blue-)app$/i', 'a negative lookbehind (?<!…) is not supported'],
    ['\\Aapp\\z', 'the escape \\A is not supported'],
    ['app-\\p{L}+', 'the escape \\p needs the u flag (/…/u)'],
    ['[[:alpha:]]+\\.example\\.com', 'a POSIX class ([:alpha:]) is not supported'],
    ['a{1001}', 'not supported by the linear-time engine (invalid repetition size: {1001})'],
  ])('answers 400 naming route and the construct for %s', async (route, problem) => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    const reply = await cc.bindApp(instanceId, bindingId, { route });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ description: `parameters.route: ${problem}` });
    expect(await broker.db('service_bindings').where({ id: bindingId }).first()).toBeUndefined();
  });

  it.each([
    'my-app.apps.example.com',
    '/^my-app-blue\\./',
    'second.apps.example.com/v2',
    '(second|first)\\..*',
    '/(a|a)*$/',
    '((a*)*)*b',
  ])('accepts route %s', async (route) => {
    const reply = await cc.bindApp(await newInstance(), randomUUID(), { route });
    expect(reply.status).toBe(201);
  });

  it('never echoes a secret parameter in an error', async () => {
    const instanceId = await newInstance();
    const reply = await cc.bindApp(instanceId, randomUUID(), {
      auth: { type: 'basic', username: 'u', password: 'echo-me-not', extra: 1 },
    });
    expect(reply.status).toBe(400);
    expect(reply.text).not.toContain('echo-me-not');
  });

  it('answers 400 for an unknown instance, missing or unknown service_id/plan_id', async () => {
    const unknown = await cc.bindApp(randomUUID(), randomUUID());
    expect(unknown.status).toBe(400);
    expect(unknown.body.description).toMatch(/instance_id/);
    const instanceId = await newInstance();
    for (const [field, value] of [
      ['service_id', undefined],
      ['service_id', ''],
      ['service_id', 'other'],
      ['plan_id', undefined],
      ['plan_id', 'other'],
    ] as const) {
      const body: Record<string, unknown> = { ...cc.bindAppBody(), [field]: value };
      const reply = await cc.request('PUT', bindingPath(instanceId, randomUUID()), { body });
      expect(reply.status, `${field}=${value}`).toBe(400);
      expect(reply.body.description).toContain(field);
    }
  });
});

describe('service key (cf create-service-key)', () => {
  for (const bindResource of [{ credential_client_id: 'cc_service_key_client' }, {}]) {
    it(`returns URL, discovery URL, username, password and a working prometheus.yml (bind_resource ${JSON.stringify(bindResource)})`, async () => {
      const instanceId = await newInstance();
      const keyId = randomUUID();
      const body = { ...cc.keyBody(), bind_resource: bindResource };
      const reply = await cc.request('PUT', bindingPath(instanceId, keyId), { body });
      expect(reply.status).toBe(201);
      const credentials = reply.body.credentials as Record<string, string>;
      expect(credentials).toMatchObject({
        url: `${SCRAPER_PUBLIC_URL}/v1/spaces/${SPACE_GUID}/metrics`,
        discovery_url: `${SCRAPER_PUBLIC_URL}/v1/discovery`,
        username: expect.any(String),
        password: expect.any(String),
        space_guid: SPACE_GUID,
        instance_id: instanceId,
        prometheus_yml: expect.any(String),
      });
      expect(credentials.password!.length).toBeGreaterThanOrEqual(32);

      const yml = parseYaml(credentials.prometheus_yml!) as {
        scrape_configs: Array<Record<string, unknown>>;
      };
      expect(yml.scrape_configs).toHaveLength(1);
      const job = yml.scrape_configs[0]!;
      const url = new URL(credentials.url!);
      expect(job).toEqual({
        job_name: 'promregator-metrics',
        scheme: url.protocol.replace(':', ''),
        metrics_path: url.pathname,
        static_configs: [{ targets: [`${url.hostname}:443`] }],
        basic_auth: { username: credentials.username, password: credentials.password },
      });

      const row = await broker.db('service_bindings').where({ id: keyId }).first();
      expect(row).toMatchObject({ kind: 'key', app_guid: null, key_username: credentials.username });
      expect(row.key_password_hash).not.toContain(credentials.password);
      expect(
        keys.checkKeyPassword(credentials.password!, row.key_password_hash, row.credentials_key_id),
      ).toBe(true);
    });
  }

  it('returns the same credentials on an identical repeat and on GET; 409 for different parameters', async () => {
    const instanceId = await newInstance();
    const keyId = randomUUID();
    const created = await cc.createKey(instanceId, keyId);
    const again = await cc.createKey(instanceId, keyId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    const fetched = await cc.request('GET', bindingPath(instanceId, keyId));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ credentials: created.body.credentials, parameters: {} });
    expect((await cc.createKey(instanceId, keyId, { labels: { a: 'b' } })).status).toBe(409);
    // An app binding under the service key's id is a different resource.
    expect((await cc.bindApp(instanceId, keyId)).status).toBe(409);
  });

  it('issues a new password when a deleted key id is created again', async () => {
    const instanceId = await newInstance();
    const keyId = randomUUID();
    const first = await cc.createKey(instanceId, keyId);
    expect((await cc.unbind(instanceId, keyId)).status).toBe(200);
    const second = await cc.createKey(instanceId, keyId);
    expect(second.status).toBe(201);
    const a = first.body.credentials as Record<string, string>;
    const b = second.body.credentials as Record<string, string>;
    expect(b.password).not.toBe(a.password);
  });
});

describe('DELETE binding and last_operation (cf unbind-service, cf delete-service-key)', () => {
  it('answers 200 {}, then 410 {}; last_operation 200 succeeded → 410; never seen → 404', async () => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    await cc.bindApp(instanceId, bindingId);
    const op = await cc.request('GET', `${bindingPath(instanceId, bindingId)}/last_operation`);
    expect(op.status).toBe(200);
    expect(op.body).toEqual({ state: 'succeeded' });
    const deleted = await cc.unbind(instanceId, bindingId);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const again = await cc.unbind(instanceId, bindingId);
    expect(again.status).toBe(410);
    expect(again.body).toEqual({});
    expect((await cc.request('GET', `${bindingPath(instanceId, bindingId)}/last_operation`)).status).toBe(
      410,
    );
    expect((await cc.request('GET', bindingPath(instanceId, bindingId))).status).toBe(404);
    const never = await cc.request('GET', `${bindingPath(instanceId, randomUUID())}/last_operation`);
    expect(never.status).toBe(404);
    expect(never.body).toEqual({ description: expect.any(String) });
  });

  it('answers 410 to orphan mitigation for ids never stored (also under an unknown instance)', async () => {
    expect((await cc.unbind(await newInstance(), randomUUID())).status).toBe(410);
    const reply = await cc.unbind(randomUUID(), randomUUID());
    expect(reply.status).toBe(410);
    expect(reply.body).toEqual({});
  });

  it('answers 400 for missing query ids and keeps the binding', async () => {
    const instanceId = await newInstance();
    const bindingId = randomUUID();
    await cc.bindApp(instanceId, bindingId);
    const reply = await cc.request('DELETE', `${bindingPath(instanceId, bindingId)}?service_id=&plan_id=`);
    expect(reply.status).toBe(400);
    expect(reply.body.description).toMatch(/service_id/);
    expect((await cc.request('GET', bindingPath(instanceId, bindingId))).status).toBe(200);
  });
});
