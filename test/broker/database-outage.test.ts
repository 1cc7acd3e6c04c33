import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Knex } from '../../common/db/connect.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../common/db/embedded.ts';
import { migrateToLatest } from '../../common/db/migrate.ts';
import { CloudController, type Reply } from './support/cc.ts';
import { startTestBroker, type TestBroker } from './support/harness.ts';

// A server of our own: stopping the run's shared server would break every other test file.
let server: EmbeddedDatabase;
let db: Knex;
let broker: TestBroker;
let cc: CloudController;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  db = connectDatabase({ url: server.url, poolMax: 4, acquireTimeoutMs: 1_000 });
  await migrateToLatest(db);
  broker = await startTestBroker({ db, databaseUrl: server.url });
  cc = new CloudController(broker.url, broker.config.broker.catalog);
}, 120_000);

afterAll(async () => {
  await broker?.close();
  await db?.destroy();
  await server?.destroy();
});

async function eventually(
  attempt: () => Promise<Reply>,
  ok: (r: Reply) => boolean,
  ms = 20_000,
): Promise<Reply> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await attempt();
    if (ok(reply) || Date.now() > deadline) return reply;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('database outage', () => {
  it('answers 503 with an OSB error body while the database is down, and recovers by itself', async () => {
    const instanceId = randomUUID();
    expect((await cc.provision(instanceId)).status).toBe(201);

    await server.stop();
    const requests: Array<() => Promise<Reply>> = [
      () => cc.provision(randomUUID()),
      () => cc.request('GET', `/v2/service_instances/${instanceId}`),
      () => cc.bindApp(instanceId, randomUUID()),
      () => cc.deprovision(instanceId),
      () => cc.request('GET', `/v2/service_instances/${instanceId}/last_operation`),
    ];
    for (const request of requests) {
      const reply = await request();
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toEqual({ description: expect.stringMatching(/database/) });
    }
    // The catalog needs no database.
    expect((await cc.request('GET', '/v2/catalog')).status).toBe(200);
    expect(broker.logs()).toContain('DATABASE_UNAVAILABLE');

    await server.start();
    const after = await eventually(
      () => cc.request('GET', `/v2/service_instances/${instanceId}`),
      (r) => r.status !== 503,
    );
    expect(after.status).toBe(200);
    expect((await cc.provision(randomUUID())).status).toBe(201);
  }, 90_000);
});
