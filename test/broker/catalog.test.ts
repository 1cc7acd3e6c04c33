import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudController } from './support/cc.ts';
import { SCRAPER_PUBLIC_URL, startTestBroker, type TestBroker } from './support/harness.ts';

type Json = Record<string, unknown>;

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

let broker: TestBroker;
let cc: CloudController;
let catalog: { services: Json[] };

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
  const reply = await cc.request('GET', '/v2/catalog');
  expect(reply.status).toBe(200);
  catalog = reply.body as unknown as { services: Json[] };
});
afterAll(() => broker?.close());

const plans = () => catalog.services.flatMap((s) => s.plans as Json[]);

/** Keywords whose meaning is the same in draft-04 (what the CC checks against) and later drafts (ajv). */
const PORTABLE_KEYWORDS = new Set([
  '$schema',
  'type',
  'title',
  'description',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'enum',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minProperties',
  'maxProperties',
  'items',
  'minItems',
  'maxItems',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
]);

/** Walks every subschema: draft-04-compatible keywords only, `required` never empty (draft-04 forbids it), no $ref. */
function nonPortable(schema: unknown, at = '#'): string[] {
  if (!schema || typeof schema !== 'object') return [`${at}: not a schema`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(schema as Json)) {
    if (!PORTABLE_KEYWORDS.has(key)) problems.push(`${at}/${key}: keyword not portable to draft-04`);
    if (key === 'required' && (!Array.isArray(value) || value.length === 0))
      problems.push(`${at}/required: empty`);
    if (key === 'properties' || key === 'patternProperties') {
      for (const [name, sub] of Object.entries(value as Json))
        problems.push(...nonPortable(sub, `${at}/${key}/${name}`));
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      for (const [i, sub] of (value as unknown[]).entries())
        problems.push(...nonPortable(sub, `${at}/${key}/${i}`));
    } else if ((key === 'not' || key === 'items') && typeof value === 'object') {
      problems.push(...nonPortable(value, `${at}/${key}`));
    } else if (key === 'additionalProperties' && typeof value === 'object') {
      problems.push(...nonPortable(value, `${at}/${key}`));
    }
  }
  return problems;
}

function schemasOf(plan: Json): Array<[string, Json]> {
  const s = plan.schemas as Record<string, Record<string, { parameters: Json }>>;
  return [
    ['service_instance.create', s.service_instance!.create!.parameters],
    ['service_instance.update', s.service_instance!.update!.parameters],
    ['service_binding.create', s.service_binding!.create!.parameters],
  ];
}

describe('GET /v2/catalog, by the rules of cf create-service-broker', () => {
  it('has one service with the required fields, flags, tags and metadata', () => {
    expect(catalog.services).toHaveLength(1);
    const service = catalog.services[0]!;
    const { catalog: ids } = broker.config.broker;
    expect(service).toMatchObject({
      id: ids.serviceId,
      name: ids.serviceName,
      description: expect.any(String),
      bindable: true,
      instances_retrievable: true,
      bindings_retrievable: true,
      plan_updateable: true,
      tags: expect.arrayContaining(['prometheus', 'metrics']),
      metadata: { displayName: expect.any(String), documentationUrl: ids.documentationUrl },
    });
    expect(service.name).toMatch(/^[a-z0-9-]+$/);
    expect(service.plans).toHaveLength(1);
    expect(plans()[0]).toMatchObject({
      id: ids.planId,
      name: ids.planName,
      description: expect.any(String),
      free: true,
    });
    expect(plans()[0]!.name).toMatch(/^[a-z0-9-]+$/);
  });

  it('has unique service and plan ids', () => {
    const all = [...catalog.services.map((s) => s.id), ...plans().map((p) => p.id)];
    expect(new Set(all).size).toBe(all.length);
  });

  it('has maintenance_info with only version (semver) and description', () => {
    for (const plan of plans()) {
      const info = plan.maintenance_info as Json;
      expect(Object.keys(info).every((k) => k === 'version' || k === 'description')).toBe(true);
      expect(info.version).toMatch(
        /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
      );
    }
  });

  it('publishes valid JSON Schemas: $schema draft-04, portable keywords, no $ref, under 64 KB, compiling in ajv', () => {
    for (const plan of plans()) {
      for (const [name, schema] of schemasOf(plan)) {
        expect(schema.$schema, name).toBe('http://json-schema.org/draft-04/schema#');
        const text = JSON.stringify(schema);
        expect(Buffer.byteLength(text), name).toBeLessThan(64 * 1024);
        expect(text, name).not.toContain('"$ref"');
        expect(nonPortable(schema), name).toEqual([]);
        const strict = new Ajv({ strict: true, strictTypes: false, validateSchema: false });
        addFormats(strict);
        const validate = strict.compile(schema);
        // What the CC does after the metaschema check: apply the schema to {} (it must not blow up).
        expect(validate({}), name).toBe(true);
        const { $schema: _, ...body } = schema;
        const meta = new Ajv();
        expect(meta.validateSchema(body), `${name}: ${JSON.stringify(meta.errors)}`).toBe(true);
      }
    }
  });

  it('takes ids and names from the configuration', async () => {
    const other = await startTestBroker({
      env: { CATALOG_SERVICE_ID: 'svc-id-x', CATALOG_PLAN_ID: 'plan-id-y', CATALOG_SERVICE_NAME: 'prom-two' },
    });
    try {
      const occ = new CloudController(other.url, other.config.broker.catalog);
      const reply = await occ.request('GET', '/v2/catalog');
      const service = (reply.body.services as Json[])[0]!;
      expect(service).toMatchObject({ id: 'svc-id-x', name: 'prom-two' });
      expect((service.plans as Json[])[0]).toMatchObject({ id: 'plan-id-y' });
      expect((await occ.provision(randomUUID())).status).toBe(201);
    } finally {
      await other.close();
    }
  });
});

describe('dashboard_client (dashboard SSO)', () => {
  it('is absent without DASHBOARD_CLIENT_ID/SECRET: no default secret is ever advertised', () => {
    expect(catalog.services[0]).not.toHaveProperty('dashboard_client');
  });

  it('carries the configured client with the callback on the scraper public URL', async () => {
    const other = await startTestBroker({
      env: {
        DASHBOARD_CLIENT_ID: 'promregator-dashboard',
        DASHBOARD_CLIENT_SECRET: 'dash-secret-0123456789',
      },
    });
    try {
      const occ = new CloudController(other.url, other.config.broker.catalog);
      const service = ((await occ.request('GET', '/v2/catalog')).body.services as Json[])[0]!;
      expect(service.dashboard_client).toEqual({
        id: 'promregator-dashboard',
        secret: 'dash-secret-0123456789',
        redirect_uri: `${SCRAPER_PUBLIC_URL}/dashboard/callback`,
      });
    } finally {
      await other.close();
    }
  });
});

describe('the published schemas are what validates requests', () => {
  const samples: Json[] = [
    {},
    { path: '/metrics' },
    { path: 'metrics' },
    { path: '/a/../b' },
    { scheme: 'http' },
    { scheme: 'gopher' },
    { route: 'my-app.example.com' },
    { route: '[' },
    { labels: { team: 'x', _ok: 'y' } },
    { labels: { instance: 'x' } },
    { labels: { __x: 'x' } },
    { honor_labels: false },
    { scrape_timeout_ms: 100 },
    { scrape_timeout_ms: 600000 },
    { scrape_timeout_ms: 600001 },
    { auth: { type: 'none' } },
    { auth: { type: 'binding' } },
    { auth: { type: 'basic', username: 'u', password: 'p' } },
    { auth: { type: 'basic', username: 'u' } },
    { auth: { type: 'oauth2', token_url: 'https://uaa/oauth/token', client_id: 'c', client_secret: 's' } },
    {
      auth: {
        type: 'oauth2',
        token_url: 'https://uaa/oauth/token',
        client_id: 'c',
        client_secret: 's',
        scopes: [],
      },
    },
    { auth: { type: 'oauth2', token_url: 'uaa', client_id: 'c', client_secret: 's' } },
    { unknown: 1 },
  ];

  it.each(samples.map((s) => [JSON.stringify(s), s] as const))(
    'broker and catalog schema agree on %s (instance and binding)',
    async (_name, parameters) => {
      const plan = plans()[0]!;
      const ajv = new Ajv({ strict: false, validateSchema: false });
      addFormats(ajv);
      const [, instanceSchema] = schemasOf(plan)[0]!;
      const [, bindingSchema] = schemasOf(plan)[2]!;
      const instanceId = randomUUID();
      const provision = await cc.provision(instanceId, parameters);
      expect(provision.status === 201, 'instance').toBe(ajv.validate(instanceSchema, parameters));
      if (provision.status !== 201) expect((await cc.provision(instanceId)).status).toBe(201);
      const bind = await cc.bindApp(instanceId, randomUUID(), parameters);
      expect(bind.status === 201, 'binding').toBe(ajv.validate(bindingSchema, parameters));
    },
  );
});
