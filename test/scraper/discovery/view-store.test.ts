import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScrapeTarget } from '../../../common/targets.ts';
import type { AppFacts } from '../../../scraper/discovery/app-facts.ts';
import { DISCOVERER_LOCK_KEY } from '../../../scraper/discovery/discoverer-lock.ts';
import type { ViewChange } from '../../../scraper/discovery/types.ts';
import { createViewStore } from '../../../scraper/discovery/view-store.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

// More apps than one read or insert chunk holds: the view must come back whole, exactly as written.
const APPS = 2_500;
const SPACES = 25;

function factsOf(i: number): AppFacts {
  const s = i % SPACES;
  return {
    guid: `app-${String(i).padStart(5, '0')}`,
    name: `app-${i}`,
    state: i % 7 === 0 ? 'STOPPED' : 'STARTED',
    space: { guid: `space-${s}`, name: `space ${s}` },
    org: { guid: 'org-1', name: 'org' },
    routes: [{ host: `app-${i}.example.com`, path: '', protocol: 'http', internal: false, port: undefined }],
    instances: 1 + (i % 4),
    processGuid: `process-${i}`,
  };
}

function targetOf(f: AppFacts): ScrapeTarget {
  return {
    bindingId: `binding-${f.guid}`,
    instanceId: 'instance-1',
    appGuid: f.guid,
    path: '/metrics',
    scheme: 'https',
    auth: { type: 'none' },
    labels: {},
    honorLabels: false,
  };
}

describe('discovery view store', () => {
  let tdb: TestDatabase;
  let lock: pg.Client;
  let pid: number;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    lock = new pg.Client({ connectionString: tdb.url });
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [DISCOVERER_LOCK_KEY]);
    pid = (await lock.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  });
  afterAll(async () => {
    await lock?.end();
    await tdb?.drop();
  });

  const all = Array.from({ length: APPS }, (_, i) => factsOf(i));
  const facts = new Map<string, AppFacts | null>(all.map((f) => [f.guid, f]));
  facts.set('gone-app', null);
  const targets = [...facts.keys()].map((guid) =>
    targetOf(facts.get(guid) ?? { ...factsOf(0), guid, space: undefined }),
  );
  const change = (kind: ViewChange['kind'], changed: ViewChange['changed']): ViewChange => ({
    kind,
    changed,
    removed: [],
    facts,
    refreshedAt: 1_000,
    eventsReadAt: 2_000,
    feed: { since: '2026-01-01T00:00:00Z', seen: ['e1'] },
    feedUp: true,
  });

  it('a full write of more apps than one chunk loads back whole, one space object per space', async () => {
    const store = createViewStore(tdb.db);
    const version = await store.write(change('full', facts), pid, DISCOVERER_LOCK_KEY, 'me', targets);
    const loaded = await store.load();
    expect(loaded.version).toBe(version);
    expect(loaded.facts.size).toBe(APPS + 1);
    expect(loaded.facts.get('gone-app')).toBeNull();
    for (const f of all) expect(loaded.facts.get(f.guid)).toEqual(f);
    expect(loaded.facts.get(all[0]!.guid)!.space).toBe(loaded.facts.get(all[SPACES]!.guid)!.space);
    expect(loaded).toMatchObject({ refreshedAt: 1_000, eventsReadAt: 2_000, feedUp: true, discoverer: 'me' });
    // One outcome per binding, from chunks of targets.
    const outcomes = await tdb.db('discovery_targets').select('status');
    expect(outcomes).toHaveLength(APPS + 1);
    expect(outcomes.filter((o) => o.status === 'app-stopped')).toHaveLength(Math.ceil(APPS / 7));
    expect(outcomes.filter((o) => o.status === 'app-not-found')).toHaveLength(1);
  });

  it('loadSince returns only the rows written after a version', async () => {
    const store = createViewStore(tdb.db);
    const before = (await store.load()).version;
    const scaled = { ...all[1_234]!, instances: 9 };
    facts.set(scaled.guid, scaled);
    const version = await store.write(
      change('events', new Map([[scaled.guid, scaled]])),
      pid,
      DISCOVERER_LOCK_KEY,
      'me',
      targets,
    );
    const since = await store.loadSince(before);
    expect(since.version).toBe(version);
    expect([...since.facts]).toEqual([[scaled.guid, scaled]]);
    expect((await store.load()).facts.get(scaled.guid)).toEqual(scaled);
  });
});
