import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../common/db/connect.ts';
import { migrateToLatest } from '../../common/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('migrations', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => test.drop());

  it('are safe when several app instances start at once', async () => {
    const apps = Array.from({ length: 5 }, () =>
      connectDatabase({ url: test.url, poolMax: 2, acquireTimeoutMs: 5_000 }),
    );
    await Promise.all(apps.map((db) => migrateToLatest(db)));
    await Promise.all(apps.map((db) => db.destroy()));
    const applied = await test.db('knex_migrations').select('name');
    expect(applied.map((row) => row.name)).toEqual([
      '001-initial',
      '002-credentials-key-id',
      '003-discovery-view',
    ]);
    expect(await test.db.schema.hasTable('service_bindings')).toBe(true);
    expect(await test.db('discovery_state').select('id', 'version')).toEqual([{ id: 1, version: '0' }]);
  });

  it('notify listeners of every change to bindings and instances', async () => {
    const listener = new Client({ connectionString: test.url });
    await listener.connect();
    const received: string[] = [];
    listener.on('notification', (n) => received.push(`${n.channel}:${n.payload}`));
    await listener.query('LISTEN promregator_changes');
    await test.db('service_instances').insert({
      id: 'i1',
      service_id: 's',
      plan_id: 'p',
      organization_guid: 'o',
      space_guid: 'sp',
      request_digest: 'd',
    });
    await test.db('service_instances').where({ id: 'i1' }).delete();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await listener.end();
    // The delete also notifies for service_bindings: its ON DELETE CASCADE runs a statement there.
    expect(received.filter((n) => n === 'promregator_changes:service_instances')).toHaveLength(2);
  });
});
