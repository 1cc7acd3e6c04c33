import type { Logger } from '../../common/logging.ts';
import type { BindingsSnapshot, BindingsStore } from '../bindings/types.ts';
import type { CloudControllerClient } from '../cf/types.ts';
import type { AppFacts } from './app-facts.ts';
import { buildView } from './build-view.ts';
import { fetchAppFacts } from './fetch-app-facts.ts';
import { createInstanceStatesCache } from './instance-states.ts';
import { createRouteMatchers } from './route-choice.ts';
import type { Discovery, DiscoveryMetrics, DiscoveryView } from './types.ts';

export interface DiscoveryDeps {
  cc: CloudControllerClient;
  bindings: BindingsStore;
  logger: Logger;
  /** Age after which view() starts a background full refresh. */
  ttlMs: number;
  /** GUIDs per CC filter. */
  guidsPerRequest: number;
  metrics?: DiscoveryMetrics;
  clock?: () => number;
  /** CC page size. Default 5000 (the maximum). */
  perPage?: number;
  /** Batches in flight at once. Default 4. */
  concurrency?: number;
  /** How long process stats are reused. Default 5 s. */
  instanceStatesTtlMs?: number;
  /** First retry delay after a failed discovery, doubled up to the TTL. Default 1 s. */
  retryMs?: number;
}

type Kind = 'full' | 'incremental';

export function createDiscovery(deps: DiscoveryDeps): Discovery {
  const clock = deps.clock ?? Date.now;
  const log = deps.logger;
  const fetchOptions = {
    guidsPerRequest: Math.max(1, deps.guidsPerRequest),
    perPage: deps.perPage ?? 5_000,
    concurrency: deps.concurrency ?? 4,
  };
  const retryMs = deps.retryMs ?? 1_000;
  const routeMatchers = createRouteMatchers();
  const states = createInstanceStatesCache({
    cc: deps.cc,
    logger: log,
    clock,
    ttlMs: deps.instanceStatesTtlMs ?? 5_000,
  });

  /** null: the CC did not return the app. Kept across failures: this is the last good view. */
  const facts = new Map<string, AppFacts | null>();
  let refreshedAt = 0;
  let ran = false;
  let stopped = false;
  let full: Promise<void> | undefined;
  /** GUIDs the running full refresh covers: a binding change during it must not fetch them twice. */
  let fullGuids = new Set<string>();
  let nextFullAttemptAt = 0;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const pending = new Set<string>();
  let incrementalTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let cached: { snapshot: BindingsSnapshot; version: number; view: DiscoveryView } | undefined;
  let version = 0;

  function appGuids(snapshot: BindingsSnapshot): string[] {
    return [...new Set(snapshot.targets.map((t) => t.appGuid))];
  }

  async function discover(guids: string[], kind: Kind): Promise<Map<string, AppFacts>> {
    const started = clock();
    try {
      const found = await fetchAppFacts(deps.cc, guids, fetchOptions);
      deps.metrics?.runs.inc({ kind, outcome: 'ok' });
      log.debug({ kind, apps: guids.length, found: found.size, ms: clock() - started }, 'discovery done');
      return found;
    } catch (error) {
      deps.metrics?.runs.inc({ kind, outcome: 'error' });
      throw error;
    }
  }

  function record(guids: readonly string[], found: Map<string, AppFacts>): void {
    for (const guid of guids) facts.set(guid, found.get(guid) ?? null);
    version++;
  }

  /** Full refresh of every bound app; on failure the previous facts stay and a retry is scheduled. */
  function refreshAll(): Promise<void> {
    full ??= (async () => {
      const snapshot = deps.bindings.snapshot();
      const guids = appGuids(snapshot);
      fullGuids = new Set(guids);
      try {
        const found = await discover(guids, 'full');
        if (stopped) return;
        const bound = new Set(appGuids(deps.bindings.snapshot()));
        record(guids, found);
        for (const guid of facts.keys()) if (!bound.has(guid)) facts.delete(guid);
        refreshedAt = clock();
        ran = true;
        failures = 0;
      } catch (error) {
        failures++;
        const wait = Math.min(deps.ttlMs, retryMs * 2 ** Math.min(failures - 1, 10));
        nextFullAttemptAt = clock() + wait;
        log.warn(
          { err: (error as Error).message, retryInMs: wait },
          'discovery failed, keeping the last good view',
        );
        scheduleRetry(wait);
      }
    })().finally(() => {
      full = undefined;
      fullGuids = new Set();
    });
    return full;
  }

  function scheduleRetry(wait: number): void {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void refreshAll();
    }, wait);
    retryTimer.unref();
  }

  /** New bindings: discover only the apps not known yet, batched, so they appear without a full refresh. */
  function onBindingsChange(snapshot: BindingsSnapshot): void {
    for (const guid of appGuids(snapshot)) if (!facts.has(guid) && !fullGuids.has(guid)) pending.add(guid);
    if (pending.size > 0) void runIncremental();
  }

  let incremental: Promise<void> | undefined;
  function runIncremental(): Promise<void> {
    if (incremental || stopped) return incremental ?? Promise.resolve();
    const guids = [...pending];
    pending.clear();
    incremental = discover(guids, 'incremental')
      .then((found) => {
        if (!stopped) record(guids, found);
      })
      .catch((error: unknown) => {
        for (const g of guids) if (!facts.has(g)) pending.add(g);
        log.warn({ err: (error as Error).message, apps: guids.length }, 'discovery of new bindings failed');
        if (!incrementalTimer && !stopped) {
          incrementalTimer = setTimeout(() => {
            incrementalTimer = undefined;
            void runIncremental();
          }, retryMs);
          incrementalTimer.unref();
        }
      })
      .finally(() => {
        incremental = undefined;
        if (pending.size > 0 && !incrementalTimer) void runIncremental();
      });
    return incremental;
  }

  return {
    async start() {
      unsubscribe = deps.bindings.onChange(onBindingsChange);
      await refreshAll();
    },
    view() {
      const now = clock();
      if (!stopped && !full && now - refreshedAt >= deps.ttlMs && now >= nextFullAttemptAt) void refreshAll();
      const snapshot = deps.bindings.snapshot();
      if (!cached || cached.snapshot !== snapshot || cached.version !== version) {
        cached = { snapshot, version, view: buildView(snapshot.targets, facts, refreshedAt, routeMatchers) };
      } else if (cached.view.refreshedAt !== refreshedAt) {
        cached = { ...cached, view: { ...cached.view, refreshedAt } };
      }
      deps.metrics?.viewAgeSeconds?.set(refreshedAt ? (now - refreshedAt) / 1000 : 0);
      return cached.view;
    },
    hasRun: () => ran,
    instanceStates(appGuid) {
      const known = facts.get(appGuid);
      return states.get(appGuid, known?.processGuid);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (retryTimer) clearTimeout(retryTimer);
      if (incrementalTimer) clearTimeout(incrementalTimer);
      await Promise.allSettled([full, incremental]);
    },
  };
}
