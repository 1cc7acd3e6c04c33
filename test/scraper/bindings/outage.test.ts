import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDatabase, type Knex } from '../../../common/db/connect.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../../common/db/embedded.ts';
import { migrateToLatest } from '../../../common/db/migrate.ts';
import { createLogger } from '../../../common/logging.ts';
import { SecretKeys } from '../../../common/secrets.ts';
import { type BindingsStore, createBindingsStore } from '../../../scraper/bindings/index.ts';
import { insertAppBinding, insertInstance, waitFor } from './rows.ts';

// A server of its own: this test stops and restarts it, which the shared one must never see.
let pg: EmbeddedDatabase;
let db: Knex;
let store: BindingsStore | undefined;
const keys = new SecretKeys('outage-test-key');

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  db = connectDatabase({ url: pg.url, poolMax: 4, acquireTimeoutMs: 1_000 });
  await migrateToLatest(db);
}, 120_000);

afterAll(async () => {
  await store?.stop();
  await db?.destroy();
  await pg?.destroy();
});

it('keeps the last known set while the database is down, reconnects and reloads when it returns', async () => {
  const instanceId = await insertInstance(db);
  const first = await insertAppBinding(db, keys, { instanceId, appGuid: 'app-before' });
  store = createBindingsStore({
    db,
    databaseUrl: pg.url,
    keys,
    logger: createLogger({ level: 'silent', name: 'test' }),
    resyncMs: 300,
    backoff: { baseMs: 100, maxMs: 500 },
  });
  await store.start();
  expect(store.snapshot().targets.map((t) => t.bindingId)).toEqual([first]);

  await pg.stop();
  await waitFor(() => !store!.isHealthy(), 5_000);
  // Several resyncs fail meanwhile; the snapshot stays.
  await new Promise((r) => setTimeout(r, 1_000));
  expect(store.snapshot().targets.map((t) => t.bindingId)).toEqual([first]);

  await pg.start();
  await waitFor(() => store!.isHealthy(), 10_000);
  // LISTEN works again: a new row arrives through NOTIFY (or the resync, whichever is first).
  const second = await insertAppBinding(db, keys, { instanceId, appGuid: 'app-after' });
  await waitFor(() => store!.snapshot().targets.some((t) => t.bindingId === second), 5_000);
  expect(store.snapshot().targets).toHaveLength(2);
}, 60_000);
