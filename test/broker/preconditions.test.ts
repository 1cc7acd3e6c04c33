import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, CloudController, USER_GUID } from './support/cc.ts';
import { startTestBroker, type TestBroker } from './support/harness.ts';

let broker: TestBroker;
let cc: CloudController;

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
});
afterAll(() => broker?.close());

function expectJsonObject(reply: { headers: Headers; body: unknown }) {
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(reply.body).toBeTypeOf('object');
  expect(Array.isArray(reply.body)).toBe(false);
}

/** Every /v2 endpoint with the request the CC sends, for checks that apply to all of them. */
function endpoints(): Array<[string, string, unknown]> {
  const i = randomUUID();
  const b = randomUUID();
  const q = `?${cc.deleteQuery()}`;
  return [
    ['GET', '/v2/catalog', undefined],
    ['PUT', `/v2/service_instances/${i}`, cc.provisionBody()],
    ['GET', `/v2/service_instances/${i}`, undefined],
    ['PATCH', `/v2/service_instances/${i}`, cc.updateBody()],
    ['DELETE', `/v2/service_instances/${i}${q}`, undefined],
    ['GET', `/v2/service_instances/${i}/last_operation`, undefined],
    ['PUT', `/v2/service_instances/${i}/service_bindings/${b}`, cc.bindAppBody()],
    ['GET', `/v2/service_instances/${i}/service_bindings/${b}`, undefined],
    ['DELETE', `/v2/service_instances/${i}/service_bindings/${b}${q}`, undefined],
    ['GET', `/v2/service_instances/${i}/service_bindings/${b}/last_operation`, undefined],
  ];
}

describe('X-Broker-API-Version (checked first: 412)', () => {
  const versions: Array<[string, string | undefined, number]> = [
    ['missing', undefined, 412],
    ['empty', '', 412],
    ['old 2.12', '2.12', 412],
    ['new 2.18', '2.18', 412],
    ['new 3.0', '3.0', 412],
    ['garbage', 'latest', 412],
    ['patch-level garbage', '2.15.x', 412],
    ['2.13', '2.13', 200],
    ['2.15 (what the CC sends)', '2.15', 200],
    ['2.17', '2.17', 200],
  ];
  it.each(versions)('%s (%s) → %i', async (_name, version, status) => {
    const reply = await cc.request('GET', '/v2/catalog', { headers: { 'X-Broker-Api-Version': version } });
    expect(reply.status).toBe(status);
    expectJsonObject(reply);
    if (status === 412) expect(reply.body).toEqual({ description: expect.stringMatching(/2\.13.*2\.17/) });
  });

  it('applies to every endpoint, even with wrong credentials and a malformed body', async () => {
    for (const [method, path] of endpoints()) {
      const reply = await cc.request(method, path, {
        headers: { 'X-Broker-Api-Version': '2.12', Authorization: basic('x', 'y') },
        ...(method === 'GET' ? {} : { rawBody: '{not json' }),
      });
      expect(reply.status, `${method} ${path}`).toBe(412);
      expectJsonObject(reply);
    }
  });
});

describe('basic auth (second: 401)', () => {
  const credentials: Array<[string, string | undefined]> = [
    ['missing', undefined],
    ['wrong password', basic(undefined, 'wrong')],
    ['wrong user', basic('admin')],
    ['empty', basic('', '')],
    ['bearer token', 'Bearer abc'],
    ['no colon', `Basic ${Buffer.from('cc-broker-user').toString('base64')}`],
  ];
  it.each(credentials)('%s → 401 on every endpoint', async (_name, authorization) => {
    for (const [method, path, body] of endpoints()) {
      const reply = await cc.request(method, path, { headers: { Authorization: authorization }, body });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expectJsonObject(reply);
      expect(reply.body).toEqual({ description: expect.any(String) });
    }
  });

  it('is checked before the body: a malformed body with wrong credentials is a 401', async () => {
    const reply = await cc.request('PUT', `/v2/service_instances/${randomUUID()}`, {
      headers: { Authorization: basic('x', 'y') },
      rawBody: '{not json',
    });
    expect(reply.status).toBe(401);
  });
});

describe('body and identifiers (third: 400)', () => {
  it('answers 400 {description} for a malformed JSON body', async () => {
    const reply = await cc.request('PUT', `/v2/service_instances/${randomUUID()}`, {
      rawBody: '{"service_id": ',
    });
    expect(reply.status).toBe(400);
    expectJsonObject(reply);
    expect(reply.body).toEqual({ description: 'request body: not valid JSON' });
  });

  it('answers 400 for a body that is JSON but not an object', async () => {
    const reply = await cc.request('PUT', `/v2/service_instances/${randomUUID()}`, { rawBody: '[1,2]' });
    expect(reply.status).toBe(400);
    expect(reply.body.description).toMatch(/JSON object/);
  });

  it('answers 400 for a PUT without a body', async () => {
    const reply = await cc.request('PUT', `/v2/service_instances/${randomUUID()}`);
    expect(reply.status).toBe(400);
    expect(reply.body.description).toMatch(/service_id/);
  });

  const emptyIds: Array<[string, string, string, unknown]> = [
    ['PUT', '/v2/service_instances/', 'instance_id', 'provision'],
    ['GET', '/v2/service_instances/', 'instance_id', undefined],
    ['PATCH', '/v2/service_instances/', 'instance_id', 'update'],
    ['DELETE', '/v2/service_instances/?QUERY', 'instance_id', undefined],
    ['GET', '/v2/service_instances//last_operation', 'instance_id', undefined],
    ['PUT', '/v2/service_instances/I/service_bindings/', 'binding_id', 'bind'],
    ['PUT', '/v2/service_instances//service_bindings/B', 'instance_id', 'bind'],
    ['GET', '/v2/service_instances/I/service_bindings/', 'binding_id', undefined],
    ['DELETE', '/v2/service_instances/I/service_bindings/?QUERY', 'binding_id', undefined],
    ['GET', '/v2/service_instances/I/service_bindings//last_operation', 'binding_id', undefined],
  ];
  it.each(emptyIds)('%s %s (empty id) → 400 naming %s', async (method, template, field, bodyKind) => {
    const path = template
      .replace('I', randomUUID())
      .replace('B', randomUUID())
      .replace('QUERY', cc.deleteQuery());
    const body =
      bodyKind === 'provision'
        ? cc.provisionBody()
        : bodyKind === 'update'
          ? cc.updateBody()
          : bodyKind === 'bind'
            ? cc.bindAppBody()
            : undefined;
    const reply = await cc.request(method, path, { body });
    expect(reply.status).toBe(400);
    expect(reply.body.description).toContain(field);
  });
});

describe('every response is a JSON object', () => {
  it('answers 404 JSON for unknown routes (with and without /v2)', async () => {
    for (const path of ['/', '/nope', '/v2/nope', '/v2/catalog/extra', '/v2/service_instances/a/b/c']) {
      const reply = await cc.request('GET', path);
      expect(reply.status, path).toBe(404);
      expectJsonObject(reply);
      expect(reply.body).toEqual({ description: expect.any(String) });
    }
  });

  it('answers 405 JSON with Allow for a wrong method', async () => {
    const reply = await cc.request('POST', '/v2/catalog', { body: {} });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET');
    expectJsonObject(reply);
    const binding = await cc.request('PATCH', `/v2/service_instances/${randomUUID()}/service_bindings/x`, {
      body: {},
    });
    expect(binding.status).toBe(405);
    expect(binding.headers.get('allow')).toBe('PUT, GET, DELETE');
  });
});

describe('request identity and originating identity', () => {
  it('echoes X-Broker-API-Request-Identity on success and on errors', async () => {
    for (const headers of [{}, { 'X-Broker-Api-Version': '1.0' }, { Authorization: basic('a', 'b') }]) {
      const id = randomUUID();
      const reply = await cc.request('GET', '/v2/catalog', {
        headers: { ...headers, 'X-Broker-API-Request-Identity': id },
      });
      expect(reply.headers.get('x-broker-api-request-identity')).toBe(id);
    }
  });

  it('logs the decoded originating user id with the request, never the credentials', async () => {
    const id = randomUUID();
    await cc.request('GET', '/v2/catalog', { headers: { 'X-Broker-API-Request-Identity': id } });
    const line = broker
      .logs()
      .split('\n')
      .find((l) => l.includes(id));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({
      requestId: id,
      userId: USER_GUID,
      status: 200,
      path: '/v2/catalog',
    });
    expect(broker.logs()).not.toContain(broker.config.broker.password);
  });
});

describe('body size', () => {
  it('answers 413 JSON for a body over 1 MB', async () => {
    const reply = await cc.request('PUT', `/v2/service_instances/${randomUUID()}`, {
      body: { ...cc.provisionBody(), padding: 'x'.repeat(1_100_000) },
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({ description: expect.any(String) });
  });
});
