import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/logging.ts';
import { SecretKeys } from '../../../common/secrets.ts';
import { type BindingsStore, createBindingsStore } from '../../../scraper/bindings/index.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { insertAppBinding, insertInstance, insertServiceKey, waitFor } from './rows.ts';

const logger = createLogger({ level: 'silent', name: 'test' });
const keys = new SecretKeys('bindings-test-key');

let tdb: TestDatabase;
const stores: BindingsStore[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb.drop();
});
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.stop()));
  await tdb.db('service_bindings').delete();
  await tdb.db('service_instances').delete();
});

function store(overrides: { resyncMs?: number; databaseUrl?: string; startTimeoutMs?: number } = {}) {
  const s = createBindingsStore({
    db: tdb.db,
    databaseUrl: overrides.databaseUrl ?? tdb.url,
    keys,
    logger,
    resyncMs: overrides.resyncMs ?? 60_000,
    ...(overrides.startTimeoutMs !== undefined && { startTimeoutMs: overrides.startTimeoutMs }),
  });
  stores.push(s);
  return s;
}

describe('bindings store', () => {
  it('loads targets with instance defaults and decrypted secrets, keys and instances at start', async () => {
    const spaceGuid = randomUUID();
    const instanceId = await insertInstance(tdb.db, {
      spaceGuid,
      parameters: { path: '/actuator/prometheus', labels: { team: 'a' } },
    });
    const basic = await insertAppBinding(tdb.db, keys, {
      instanceId,
      appGuid: 'app-1',
      parameters: { auth: { type: 'basic', username: 'u', password: 'p@ss' }, labels: { env: 'x' } },
    });
    const plain = await insertAppBinding(tdb.db, keys, { instanceId, appGuid: 'app-2', parameters: {} });
    await insertServiceKey(tdb.db, keys, { instanceId, username: 'key-user', password: 'key-pass' });
    const secrets = await tdb.db('service_bindings').where('id', basic).first('secrets', 'parameters');
    expect(JSON.stringify(secrets.parameters)).not.toContain('p@ss');

    const s = store();
    await s.start();
    const snap = s.snapshot();
    expect(s.isHealthy()).toBe(true);
    expect(snap.targets.map((t) => t.bindingId)).toEqual([basic, plain]);
    const first = snap.targets[0]!;
    expect(first.path).toBe('/actuator/prometheus');
    expect(first.auth).toEqual({ type: 'basic', username: 'u', password: 'p@ss' });
    expect(first.labels).toEqual({ team: 'a', env: 'x' });
    expect(snap.targets[1]!.auth).toEqual({ type: 'binding', ...keys.bindingCredentials(plain) });
    const key = snap.keys.get('key-user')!;
    expect(key.instanceId).toBe(instanceId);
    expect(keys.checkKeyPassword('key-pass', key.passwordHash, key.keyId)).toBe(true);
    expect(snap.instances.get(instanceId)).toMatchObject({ id: instanceId, spaceGuid, spaceName: 'space' });
  });

  it('picks up an insert and a delete within a second through NOTIFY, without a resync', async () => {
    const instanceId = await insertInstance(tdb.db);
    const s = store({ resyncMs: 3_600_000 });
    await s.start();
    const changes: number[] = [];
    s.onChange((snap) => changes.push(snap.targets.length));
    // The LISTEN connection is set up in the background; give it a moment before measuring.
    await waitFor(() => s.isHealthy());
    await new Promise((r) => setTimeout(r, 200));

    let started = Date.now();
    const id = await insertAppBinding(tdb.db, keys, { instanceId, appGuid: 'app-new' });
    await waitFor(() => s.snapshot().targets.some((t) => t.bindingId === id), 1_000);
    const insertMs = Date.now() - started;

    started = Date.now();
    await tdb.db('service_bindings').where('id', id).delete();
    await waitFor(() => s.snapshot().targets.length === 0, 1_000);
    const deleteMs = Date.now() - started;
    expect(insertMs).toBeLessThan(1_000);
    expect(deleteMs).toBeLessThan(1_000);
    expect(changes).toEqual([1, 0]);
  });

  it('finds a change by periodic resync when no notification arrives', async () => {
    const instanceId = await insertInstance(tdb.db);
    // A LISTEN connection that can never connect: only the resync can see the change.
    const s = store({ resyncMs: 200, databaseUrl: 'postgres://nobody:x@127.0.0.1:1/none' });
    await s.start();
    await insertAppBinding(tdb.db, keys, { instanceId, appGuid: 'app-resync' });
    await waitFor(() => s.snapshot().targets.length === 1, 2_000);
  });

  it('skips a binding whose secrets cannot be decrypted and keeps the others', async () => {
    const instanceId = await insertInstance(tdb.db);
    const other = new SecretKeys('another-key');
    await insertAppBinding(tdb.db, other, {
      instanceId,
      appGuid: 'bad',
      parameters: { auth: { type: 'basic', username: 'u', password: 'p' } },
    });
    const good = await insertAppBinding(tdb.db, keys, { instanceId, appGuid: 'good' });
    const s = store();
    await s.start();
    expect(s.snapshot().targets.map((t) => t.bindingId)).toEqual([good]);
  });

  it('gives up starting after the start timeout when the database is unreachable', async () => {
    const { connectDatabase } = await import('../../../common/db/connect.ts');
    const dead = connectDatabase({
      url: 'postgres://x:y@127.0.0.1:1/none',
      poolMax: 1,
      acquireTimeoutMs: 200,
    });
    const s = createBindingsStore({
      db: dead,
      databaseUrl: 'postgres://x:y@127.0.0.1:1/none',
      keys,
      logger,
      resyncMs: 60_000,
      startTimeoutMs: 600,
      backoff: { baseMs: 50, maxMs: 100 },
    });
    stores.push(s);
    await expect(s.start()).rejects.toMatchObject({ code: 'BINDINGS_START_TIMEOUT' });
    expect(s.isHealthy()).toBe(false);
    expect(s.snapshot().targets).toEqual([]);
    await dead.destroy();
  });
});
