import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudController } from './support/cc.ts';
import { startTestBroker, type TestBroker } from './support/harness.ts';

let broker: TestBroker;
let cc: CloudController;

beforeAll(async () => {
  broker = await startTestBroker();
  cc = new CloudController(broker.url, broker.config.broker.catalog);
});
afterAll(() => broker?.close());

/** Every row of every table of the schema, as text: a secret in any column shows up here. */
async function everythingStored(): Promise<string> {
  const tables = (await broker.db('pg_tables').where({ schemaname: 'public' }).select('tablename')) as {
    tablename: string;
  }[];
  const dumps: string[] = [];
  for (const { tablename } of tables) {
    const rows = await broker.db.raw(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
    for (const r of rows.rows as { row: string }[]) dumps.push(r.row);
  }
  return dumps.join('\n');
}

describe('no plaintext secret at rest or in logs', () => {
  it('stores no credential of app bindings or service keys in any column, and logs none', async () => {
    const instanceId = randomUUID();
    expect((await cc.provision(instanceId)).status).toBe(201);
    const basicPassword = `basic-pw-${randomUUID()}`;
    const clientSecret = `oauth-cs-${randomUUID()}`;

    const basic = await cc.bindApp(instanceId, randomUUID(), {
      auth: { type: 'basic', username: 'scraper', password: basicPassword },
    });
    const oauth = await cc.bindApp(instanceId, randomUUID(), {
      auth: {
        type: 'oauth2',
        token_url: 'https://uaa.example.com/oauth/token',
        client_id: 'metrics-client',
        client_secret: clientSecret,
      },
    });
    const bindingId = randomUUID();
    const binding = await cc.bindApp(instanceId, bindingId);
    const keyId = randomUUID();
    const key = await cc.createKey(instanceId, keyId);
    // Repeats and reads go through the same code paths that return secrets again.
    await cc.createKey(instanceId, keyId);
    await cc.request('GET', `/v2/service_instances/${instanceId}/service_bindings/${keyId}`);
    await cc.request('GET', `/v2/service_instances/${instanceId}/service_bindings/${bindingId}`);
    for (const reply of [basic, oauth, binding, key]) expect(reply.status).toBe(201);

    const bindingPassword = (binding.body.credentials as Record<string, string>).password!;
    const keyPassword = (key.body.credentials as Record<string, string>).password!;
    const secrets = {
      basicPassword,
      clientSecret,
      bindingPassword,
      keyPassword,
      brokerPassword: broker.config.broker.password,
      credentialsKey: broker.config.credentialsKey,
    };
    const stored = await everythingStored();
    expect(stored).toContain(instanceId); // the dump really holds the rows
    expect(stored).toContain('metrics-client');
    const logs = broker.logs();
    expect(logs).toContain(instanceId);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(stored.includes(secret), `${name} in the database`).toBe(false);
      expect(logs.includes(secret), `${name} in the logs`).toBe(false);
      expect(stored.includes(Buffer.from(secret).toString('base64')), `${name} base64 in the database`).toBe(
        false,
      );
    }
  });

  it('keeps secrets out of error bodies and logs when a request with secrets fails', async () => {
    const instanceId = randomUUID();
    await cc.provision(instanceId);
    const secret = `failing-secret-${randomUUID()}`;
    const bindingId = randomUUID();
    await cc.bindApp(instanceId, bindingId, { auth: { type: 'basic', username: 'u', password: 'first' } });
    const conflict = await cc.bindApp(instanceId, bindingId, {
      auth: { type: 'basic', username: 'u', password: secret },
    });
    expect(conflict.status).toBe(409);
    const invalid = await cc.bindApp(instanceId, randomUUID(), {
      auth: { type: 'basic', username: 'u', password: secret, typo: true },
    });
    expect(invalid.status).toBe(400);
    for (const reply of [conflict, invalid]) expect(reply.text).not.toContain(secret);
    expect(broker.logs()).not.toContain(secret);
  });
});
