import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudController } from './support/cc.ts';
import { SCRAPER_PUBLIC_URL, startTestBroker, type TestBroker } from './support/harness.ts';

let broker: TestBroker;
let cc: CloudController;

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
});
afterAll(() => broker?.close());

const path = (id: string) => `/v2/service_instances/${id}`;

describe('PUT /v2/service_instances/:id (cf create-service)', () => {
  it('answers 201 {} for a new instance, 200 {} for an identical repeat, 409 for different attributes', async () => {
    const id = randomUUID();
    const created = await cc.provision(id, { path: '/actuator/prometheus' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({});
    const again = await cc.provision(id, { path: '/actuator/prometheus' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({});
    const other = await cc.provision(id, { path: '/other' });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ description: expect.stringContaining(id) });
    expect(other.body).not.toHaveProperty('error');
  });

  it('counts an identical repeat without maintenance_info as identical', async () => {
    const id = randomUUID();
    expect((await cc.provision(id)).status).toBe(201);
    const body = cc.provisionBody();
    delete (body as Partial<typeof body>).maintenance_info;
    expect((await cc.request('PUT', path(id), { body })).status).toBe(200);
  });

  it.each([
    ['organization_guid', undefined],
    ['organization_guid', ''],
    ['space_guid', undefined],
    ['space_guid', ''],
  ] as const)(
    'answers 400 naming %s when it is missing at the top level (%j), even though the context carries it',
    async (field, value) => {
      const id = randomUUID();
      const body: Record<string, unknown> = { ...cc.provisionBody(), [field]: value };
      expect((body.context as Record<string, unknown>)[field]).toEqual(expect.any(String));
      const reply = await cc.request('PUT', path(id), { body });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ description: `${field}: is required` });
      expect(await broker.db('service_instances').where({ id }).first()).toBeUndefined();
    },
  );

  it('answers 400 naming organization_guid when it is not a string', async () => {
    const body = { ...cc.provisionBody(), organization_guid: 42 };
    const reply = await cc.request('PUT', path(randomUUID()), { body });
    expect(reply.status).toBe(400);
    expect(reply.body.description).toMatch(/^organization_guid: /);
  });

  it('ignores unknown fields', async () => {
    const body = {
      ...cc.provisionBody(),
      future_field: { x: 1 },
      context: { ...cc.context(), new_thing: 1 },
    };
    expect((await cc.request('PUT', path(randomUUID()), { body })).status).toBe(201);
  });

  const badRequests: Array<[string, (b: Record<string, unknown>) => void, RegExp]> = [
    ['missing service_id', (b) => delete b.service_id, /service_id/],
    ['empty service_id', (b) => (b.service_id = ''), /service_id/],
    ['unknown service_id', (b) => (b.service_id = 'nope'), /service_id.*unknown/],
    ['missing plan_id', (b) => delete b.plan_id, /plan_id/],
    ['empty plan_id', (b) => (b.plan_id = ''), /plan_id/],
    ['unknown plan_id', (b) => (b.plan_id = 'nope'), /plan_id.*unknown/],
    [
      'missing organization_guid (top level and context)',
      (b) => {
        delete b.organization_guid;
        b.context = { ...(b.context as object), organization_guid: '' };
      },
      /organization_guid/,
    ],
    [
      'missing space_guid (top level and context)',
      (b) => {
        b.space_guid = '';
        delete (b.context as Record<string, unknown>).space_guid;
      },
      /space_guid/,
    ],
    ['non-object parameters', (b) => (b.parameters = 'x'), /parameters: must be an object/],
    [
      'parameters failing the schema',
      (b) => (b.parameters = { path: 'metrics' }),
      /parameters\.path: must start with "\/"/,
    ],
    ['unknown parameter (typo)', (b) => (b.parameters = { pth: '/x' }), /parameters\.pth: unknown field/],
    [
      'auth in instance parameters',
      (b) => (b.parameters = { auth: { type: 'none' } }),
      /parameters\.auth: unknown field/,
    ],
    ['reserved label', (b) => (b.parameters = { labels: { job: 'x' } }), /parameters\.labels\.job/],
    [
      'timeout out of range',
      (b) => (b.parameters = { scrape_timeout_ms: 99 }),
      /parameters\.scrape_timeout_ms/,
    ],
    [
      'a route default with a backreference',
      (b) => (b.parameters = { route: '(a+)\\1\\.example\\.com' }),
      /^parameters\.route: a backreference \(\\1\) is not supported$/,
    ],
  ];
  it.each(badRequests)(
    'answers 400 with a description for %s, and stores nothing',
    async (_name, mutate, message) => {
      const id = randomUUID();
      const body = structuredClone(cc.provisionBody()) as Record<string, unknown>;
      mutate(body);
      const reply = await cc.request('PUT', path(id), { body });
      expect(reply.status).toBe(400);
      expect(Object.keys(reply.body)).toEqual(['description']);
      expect(reply.body.description).toMatch(message);
      expect(await broker.db('service_instances').where({ id }).first()).toBeUndefined();
    },
  );

  it('answers 422 MaintenanceInfoConflict for another maintenance_info.version', async () => {
    const id = randomUUID();
    const reply = await cc.provision(id, undefined, { maintenance_info: { version: '0.9.0' } });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({ error: 'MaintenanceInfoConflict', description: expect.any(String) });
  });

  it('treats maintenance_info without version as absent', async () => {
    const reply = await cc.provision(randomUUID(), undefined, { maintenance_info: { description: 'x' } });
    expect(reply.status).toBe(201);
  });

  it('never answers 202, with or without accepts_incomplete', async () => {
    const body = cc.provisionBody();
    const reply = await cc.request('PUT', path(randomUUID()), { body, noAcceptsIncomplete: true });
    expect(reply.status).toBe(201);
  });
});

describe('GET /v2/service_instances/:id', () => {
  it('returns service_id, plan_id, parameters and maintenance_info', async () => {
    const id = randomUUID();
    await cc.provision(id, { scheme: 'http', labels: { team: 'a' } });
    const reply = await cc.request('GET', path(id));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      service_id: broker.config.broker.catalog.serviceId,
      plan_id: broker.config.broker.catalog.planId,
      parameters: { scheme: 'http', labels: { team: 'a' } },
      maintenance_info: { version: '1.0.0' },
    });
  });

  it('answers 404 with a description for an unknown instance', async () => {
    const reply = await cc.request('GET', path(randomUUID()));
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ description: expect.any(String) });
  });
});

describe('dashboard_url (with a dashboard client configured)', () => {
  it('is answered on 201 and on the identical 200, and by GET', async () => {
    const other = await startTestBroker({
      db: broker.db,
      env: {
        DASHBOARD_CLIENT_ID: 'promregator-dashboard',
        DASHBOARD_CLIENT_SECRET: 'dash-secret-0123456789',
      },
    });
    try {
      const occ = new CloudController(other.url, other.config.broker.catalog);
      const id = randomUUID();
      const expected = { dashboard_url: `${SCRAPER_PUBLIC_URL}/dashboard/instances/${id}` };
      const created = await occ.provision(id);
      expect(created.status).toBe(201);
      expect(created.body).toEqual(expected);
      const again = await occ.provision(id);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(expected);
      const got = await occ.request('GET', path(id));
      expect(got.body).toMatchObject(expected);
    } finally {
      await other.close();
    }
  });

  it('is absent without a dashboard client', async () => {
    const id = randomUUID();
    expect((await cc.provision(id)).body).toEqual({});
    expect((await cc.request('GET', path(id))).body).not.toHaveProperty('dashboard_url');
  });
});

describe('PATCH /v2/service_instances/:id (cf update-service)', () => {
  it('answers 200 {}, merges parameters, keeps them when {} is sent', async () => {
    const id = randomUUID();
    await cc.provision(id, { path: '/a', scheme: 'http' });
    expect((await cc.update(id, { path: '/b' })).body).toEqual({});
    expect((await cc.request('GET', path(id))).body.parameters).toEqual({ path: '/b', scheme: 'http' });
    const keep = await cc.update(id, {});
    expect(keep.status).toBe(200);
    expect((await cc.request('GET', path(id))).body.parameters).toEqual({ path: '/b', scheme: 'http' });
  });

  it('keeps plan and parameters when plan_id and parameters are missing', async () => {
    const id = randomUUID();
    await cc.provision(id, { path: '/a' });
    const body: Record<string, unknown> = cc.updateBody();
    delete body.plan_id;
    delete body.parameters;
    expect((await cc.request('PATCH', path(id), { body })).status).toBe(200);
    const after = await cc.request('GET', path(id));
    expect(after.body).toMatchObject({
      plan_id: broker.config.broker.catalog.planId,
      parameters: { path: '/a' },
    });
  });

  it('makes a later identical PUT of the updated attributes a 200, of the old ones a 409', async () => {
    const id = randomUUID();
    await cc.provision(id, { path: '/a' });
    await cc.update(id, { path: '/b' });
    expect((await cc.provision(id, { path: '/b' })).status).toBe(200);
    expect((await cc.provision(id, { path: '/a' })).status).toBe(409);
  });

  it('answers 400 for an unknown plan or bad parameters, 404 for an unknown instance, 422 for stale maintenance_info', async () => {
    const id = randomUUID();
    await cc.provision(id);
    expect((await cc.update(id, {}, { plan_id: 'other' })).status).toBe(400);
    const bad = await cc.update(id, { scheme: 'ftp' });
    expect(bad.status).toBe(400);
    expect(bad.body.description).toMatch(/parameters\.scheme: must be one of https, http/);
    const lookahead = await cc.update(id, { route: '/^(?!admin)/' });
    expect(lookahead.status).toBe(400);
    expect(lookahead.body).toEqual({
      description: 'parameters.route: a negative lookahead (?!…) is not supported',
    });
    expect((await cc.update(randomUUID(), {})).status).toBe(404);
    const stale = await cc.update(id, {}, { maintenance_info: { version: '2.0.0' } });
    expect(stale.status).toBe(422);
    expect(stale.body.error).toBe('MaintenanceInfoConflict');
  });
});

describe('DELETE /v2/service_instances/:id (cf delete-service)', () => {
  it('answers 200 {}, then 410 {}; last_operation goes 200 succeeded → 410; never seen → 404', async () => {
    const id = randomUUID();
    await cc.provision(id);
    const op = await cc.request('GET', `${path(id)}/last_operation`);
    expect(op.status).toBe(200);
    expect(op.body).toEqual({ state: 'succeeded' });
    const deleted = await cc.deprovision(id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    const again = await cc.deprovision(id);
    expect(again.status).toBe(410);
    expect(again.body).toEqual({});
    expect((await cc.request('GET', `${path(id)}/last_operation`)).status).toBe(410);
    expect((await cc.request('GET', path(id))).status).toBe(404);
    const never = await cc.request('GET', `${path(randomUUID())}/last_operation`);
    expect(never.status).toBe(404);
    expect(never.body).toEqual({ description: expect.any(String) });
  });

  it('answers 410 to orphan mitigation for an id never stored', async () => {
    const reply = await cc.deprovision(randomUUID());
    expect(reply.status).toBe(410);
    expect(reply.body).toEqual({});
  });

  it('answers 400 when service_id or plan_id is missing or empty in the query', async () => {
    const id = randomUUID();
    await cc.provision(id);
    const { serviceId, planId } = broker.config.broker.catalog;
    for (const query of [
      `plan_id=${planId}`,
      `service_id=${serviceId}`,
      `plan_id=&service_id=${serviceId}`,
      '',
    ]) {
      const reply = await cc.request('DELETE', `${path(id)}?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.description).toMatch(/_id/);
    }
    expect((await cc.request('GET', path(id))).status).toBe(200);
  });

  it('deletes the bindings with the instance and tombstones them', async () => {
    const id = randomUUID();
    const bindingId = randomUUID();
    const keyId = randomUUID();
    await cc.provision(id);
    expect((await cc.bindApp(id, bindingId)).status).toBe(201);
    expect((await cc.createKey(id, keyId)).status).toBe(201);
    expect((await cc.deprovision(id)).status).toBe(200);
    expect(await broker.db('service_bindings').where({ instance_id: id })).toEqual([]);
    const op = await cc.request('GET', `${path(id)}/service_bindings/${bindingId}/last_operation`);
    expect(op.status).toBe(410);
  });
});
