import type { Knex } from 'knex';
import type pg from 'pg';
import type { BindingsSnapshot } from '../bindings/types.ts';
import type { AppFacts } from './app-facts.ts';
import { buildView } from './build-view.ts';
import { createDiscovererLock, DISCOVERER_LOCK_KEY } from './discoverer-lock.ts';
import { createDiscovery, type DiscoveryDeps } from './discovery.ts';
import { DiscoveryError } from './errors.ts';
import { createRouteMatchers } from './route-choice.ts';
import type { Discovery, DiscoveryEngine, DiscoveryView, StoredView, ViewChange } from './types.ts';
import { createViewStore, type LoadedView } from './view-store.ts';

export interface SharedDiscoveryDeps extends Omit<DiscoveryDeps, 'initial' | 'persist'> {
  db: Knex;
  /** For the dedicated lock + LISTEN connection. */
  databaseUrl: string;
  ssl?: pg.ClientConfig['ssl'];
  /** How often an instance without the discoverer lock tries to take it. */
  leaderRetryMs: number;
  /** Names this instance in the stored view (which instance discovered it). */
  name: string;
}

export interface SharedDiscovery extends Discovery {
  isDiscoverer(): boolean;
}

/**
 * One discoverer per database: the instance holding the advisory lock runs the discovery engine, starting
 * from the stored view, and writes every change set; the others serve the stored view, loaded at start
 * and on each notification, and never ask the CC anything. A lone instance is simply the discoverer.
 */
export function createSharedDiscovery(deps: SharedDiscoveryDeps): SharedDiscovery {
  const routeMatchers = createRouteMatchers();
  const log = deps.logger;
  const clock = deps.clock ?? Date.now;
  const m = deps.metrics;
  const store = createViewStore(deps.db);
  let engine: DiscoveryEngine | undefined;
  let leadership: Promise<void> | undefined;
  let stopped = false;

  // The view this instance serves while it is not the discoverer.
  let facts = new Map<string, AppFacts | null>();
  let meta: Omit<StoredView, 'facts'> = { refreshedAt: 0, eventsReadAt: 0, feedUp: false, feed: undefined };
  let version = -1;
  let generation = 0;
  let cached: { snapshot: BindingsSnapshot; generation: number; view: DiscoveryView } | undefined;

  function apply(loaded: LoadedView, replace: boolean): void {
    // A load's map is its own: taken as it is, not copied (a full load is every bound app).
    if (replace) facts = loaded.facts;
    else for (const [g, f] of loaded.facts) facts.set(g, f);
    meta = {
      refreshedAt: loaded.refreshedAt,
      eventsReadAt: loaded.eventsReadAt,
      feedUp: loaded.feedUp,
      feed: loaded.feed,
    };
    version = loaded.version;
    generation++;
  }

  // Loads run one at a time; a request during one runs one more after it.
  let loading: Promise<void> | undefined;
  let again: 'full' | 'since' | undefined;
  function reload(kind: 'full' | 'since'): Promise<void> {
    if (loading) {
      again = again === 'full' || kind === 'full' ? 'full' : 'since';
      return loading;
    }
    loading = (async () => {
      let next: typeof again = kind;
      while (next && !stopped && !engine) {
        again = undefined;
        try {
          const whole = next === 'full' || version < 0;
          apply(whole ? await store.load() : await store.loadSince(version), next === 'full');
          // A whole view read leaves every row's objects behind, promoted while the rows arrived.
          if (whole) deps.collect?.();
        } catch (error) {
          log.warn(
            { err: (error as Error).message },
            'discovery: could not load the stored view, serving the last one',
          );
        }
        next = again;
      }
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  async function write(change: ViewChange): Promise<void> {
    const pid = lock.pid();
    if (pid === undefined || !lock.isLeader()) {
      throw new DiscoveryError('VIEW_WRITE_FAILED', 'this instance is not the discoverer');
    }
    version = await store.write(
      change,
      pid,
      DISCOVERER_LOCK_KEY,
      deps.name,
      deps.bindings.snapshot().targets,
    );
  }

  async function becomeDiscoverer(): Promise<void> {
    // The freshest stored view: ours may lag the last notification of the previous discoverer.
    await loading;
    try {
      apply(await store.load(), true);
    } catch (error) {
      log.warn(
        { err: (error as Error).message },
        'discovery: stored view unreadable, starting from the one held',
      );
    }
    if (stopped || !lock.isLeader() || engine) return;
    const initial: StoredView = { facts, ...meta };
    const e = createDiscovery({ ...deps, initial, persist: write });
    engine = e;
    log.info(
      { apps: facts.size, refreshedAt: meta.refreshedAt },
      'discovery: discovering, from the stored view',
    );
    await e.start();
  }

  function stepDown(): void {
    const e = engine;
    engine = undefined;
    if (!e) return;
    // Keep serving what it knew until the stored view says otherwise.
    const { facts: known, ...rest } = e.stored();
    facts = new Map(known);
    meta = rest;
    generation++;
    void e.stop().then(() => reload('full'));
  }

  const lock = createDiscovererLock({
    databaseUrl: deps.databaseUrl,
    ...(deps.ssl !== undefined && { ssl: deps.ssl }),
    logger: log,
    retryMs: deps.leaderRetryMs,
    onLeadership(leader) {
      m?.leader?.set(leader ? 1 : 0);
      if (leader) {
        leadership = becomeDiscoverer().catch((error: unknown) => {
          log.error({ err: (error as Error).message }, 'discovery: could not start discovering');
        });
      } else stepDown();
    },
    onNotify(payload) {
      if (engine) return; // our own write
      void reload(payload.endsWith(':full') ? 'full' : 'since');
    },
    onConnected() {
      if (!engine) void reload('full');
    },
  });

  function followerView(): DiscoveryView {
    const now = clock();
    const snapshot = deps.bindings.snapshot();
    if (!cached || cached.snapshot !== snapshot || cached.generation !== generation) {
      cached = {
        snapshot,
        generation,
        view: buildView(snapshot.targets, facts, meta.refreshedAt, routeMatchers),
      };
    }
    const freshAt = Math.max(meta.refreshedAt, meta.feedUp ? meta.eventsReadAt : 0);
    m?.viewAgeSeconds?.set(freshAt ? (now - freshAt) / 1000 : 0);
    m?.feedUp?.set(meta.feedUp ? 1 : 0);
    return cached.view;
  }

  return {
    async start() {
      m?.leader?.set(0);
      await reload('full');
      await lock.start();
      await leadership;
    },
    view: () => (engine ? engine.view() : followerView()),
    hasRun: () => (engine ? engine.hasRun() : meta.refreshedAt > 0),
    instanceStates: (appGuid) =>
      engine ? engine.instanceStates(appGuid) : Promise.resolve(facts.get(appGuid)?.states),
    isDiscoverer: () => engine !== undefined,
    async stop() {
      stopped = true;
      await leadership;
      await engine?.stop();
      await lock.stop();
      await loading;
    },
  };
}
