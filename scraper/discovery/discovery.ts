import type { Logger } from '../../common/logging.ts';
import type { BindingsSnapshot, BindingsStore } from '../bindings/types.ts';
import type { CloudControllerClient } from '../cf/types.ts';
import type { AppFacts } from './app-facts.ts';
import { buildView } from './build-view.ts';
import { createChangeQueue } from './change-queue.ts';

import { createEventFeed, type FeedChanges } from './event-feed.ts';
import { fetchAppFacts } from './fetch-app-facts.ts';
import { createInstanceStatesCache, fetchInstanceStates } from './instance-states.ts';
import { createRouteMatchers } from './route-choice.ts';
import type { DiscoveryEngine, DiscoveryMetrics, DiscoveryView, StoredView, ViewChange } from './types.ts';

export interface EventsOptions {
  /** How often the audit event feed is read. */
  intervalMs: number;
  /** Full discovery interval while the feed is read: the safety net for anything the feed did not say. */
  fullMs: number;
  /** Default 10 s. */
  overlapSeconds?: number;
  /** Pages of 1,000 events read at most per poll before it counts as a gap. Default 20. */
  maxPages?: number;
  /** Process-stats requests per poll at most (one per app whose instance crashed). Default 20. */
  statesPerPoll?: number;
}

export interface DiscoveryDeps {
  cc: CloudControllerClient;
  bindings: BindingsStore;
  logger: Logger;
  /** Age after which view() starts a background full refresh (while the event feed is not read). */
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
  /** Follow the CC's audit events after a full discovery. Absent: TTL refresh only. */
  events?: EventsOptions;
  /** Start from this view (a stored one) instead of from nothing. */
  initial?: StoredView;
  /** Gets every change of the view, one call at a time; a failed call is retried with the next change. */
  persist?: (change: ViewChange) => Promise<void>;
  /**
   * Runs a full garbage collection soon (a no-op without --expose-gc). Called after a full discovery's
   * fetch and after its write: each leaves tens of MB of CC JSON, SQL and row objects that V8 has
   * promoted to the old generation, which would otherwise stay resident until its next major GC.
   */
  collect?: () => void;
}

type Kind = 'full' | 'incremental' | 'events';

/**
 * The discoverer: a full discovery, then either the TTL refresh or, with `events`, a read of the audit
 * event feed every interval that re-reads only the bound apps the events name. When the feed cannot be
 * read the TTL refresh takes over (and says so), until a full discovery finds the feed readable again.
 */
export function createDiscovery(deps: DiscoveryDeps): DiscoveryEngine {
  const clock = deps.clock ?? Date.now;
  const log = deps.logger;
  const m = deps.metrics;
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
  const events = deps.events;
  const feed = events
    ? createEventFeed(deps.cc, {
        overlapSeconds: events.overlapSeconds ?? 10,
        // Pages of 1,000: a burst parsed a page at a time keeps the discoverer's peak memory low;
        // a quiet poll is one request whatever the page size.
        perPage: 1_000,
        maxPages: events.maxPages ?? 20,
        clock,
      })
    : undefined;

  /** null: the CC did not return the app. Kept across failures: this is the last good view. */
  const facts = new Map<string, AppFacts | null>(deps.initial?.facts ?? []);
  let refreshedAt = deps.initial?.refreshedAt ?? 0;
  let eventsReadAt = deps.initial?.eventsReadAt ?? 0;
  let feedUp = false;
  if (feed && deps.initial?.feed) feed.restore(deps.initial.feed);
  let ran = refreshedAt > 0;
  let stopped = false;
  let full: Promise<void> | undefined;
  /** GUIDs the running full refresh covers: a binding change during it must not fetch them twice. */
  let fullGuids = new Set<string>();
  let nextFullAttemptAt = 0;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const pending = new Set<string>();
  let incrementalTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let cached: { snapshot: BindingsSnapshot; version: number; view: DiscoveryView } | undefined;
  let version = 0;

  function appGuids(snapshot: BindingsSnapshot): string[] {
    return [...new Set(snapshot.targets.map((t) => t.appGuid))];
  }

  function fullInterval(): number {
    return events && feedUp ? events.fullMs : deps.ttlMs;
  }

  function setFeedUp(up: boolean, reason?: string): void {
    if (!events) return;
    if (up !== feedUp) {
      if (up) log.info('audit event feed readable: refreshing by change');
      else
        log.warn(
          { reason, ttlMs: deps.ttlMs },
          'audit event feed unavailable: falling back to a full discovery every TTL',
        );
    }
    feedUp = up;
    m?.feedUp?.set(up ? 1 : 0);
  }

  async function discover(guids: string[], kind: Kind): Promise<Map<string, AppFacts>> {
    const started = clock();
    try {
      const found = guids.length
        ? await fetchAppFacts(deps.cc, guids, {
            ...fetchOptions,
            ...(deps.collect && { betweenSlices: deps.collect }),
          })
        : new Map();
      m?.runs.inc({ kind, outcome: 'ok' });
      log.debug({ kind, apps: guids.length, found: found.size, ms: clock() - started }, 'discovery done');
      return found;
    } catch (error) {
      m?.runs.inc({ kind, outcome: 'error' });
      throw error;
    }
  }

  function record(guids: readonly string[], found: Map<string, AppFacts>, kind: Kind): void {
    for (const guid of guids) facts.set(guid, found.get(guid) ?? null);
    queue.changed(guids, kind);
    version++;
  }

  function stored(): StoredView {
    return { facts, refreshedAt, eventsReadAt, feed: feed?.cursor(), feedUp };
  }

  const queue = createChangeQueue({
    persist: deps.persist,
    logger: log,
    current: stored,
    stopped: () => stopped,
  });
  const flush = () => queue.flush();

  /** Full refresh of every bound app; on failure the previous facts stay and a retry is scheduled. */
  function refreshAll(): Promise<void> {
    full ??= (async () => {
      if (feed) {
        // Before the full read: what happens during it is then read from the feed afterwards.
        try {
          await feed.mark();
          setFeedUp(true);
        } catch (error) {
          setFeedUp(false, (error as Error).message);
        }
      }
      const snapshot = deps.bindings.snapshot();
      const guids = appGuids(snapshot);
      fullGuids = new Set(guids);
      try {
        const found = await discover(guids, 'full');
        if (stopped) return;
        const bound = new Set(appGuids(deps.bindings.snapshot()));
        record(guids, found, 'full');
        for (const guid of facts.keys()) {
          if (bound.has(guid)) continue;
          facts.delete(guid);
          queue.removed(guid);
        }
        refreshedAt = clock();
        if (feedUp) eventsReadAt = refreshedAt;
        ran = true;
        failures = 0;
        deps.collect?.();
        void flush().then(() => deps.collect?.());
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

  /** The bound apps an event read names: targets directly, and the apps on named routes. */
  function affected(changes: FeedChanges): string[] {
    const bound = new Set(appGuids(deps.bindings.snapshot()));
    const out = new Set<string>();
    for (const g of changes.apps) if (bound.has(g)) out.add(g);
    if (changes.routes.size > 0) {
      for (const [g, f] of facts) {
        if (f?.routes.some((r) => r.guid !== undefined && changes.routes.has(r.guid))) out.add(g);
      }
    }
    return [...out];
  }

  /** One read of the feed, then one batched re-read of the apps it names. */
  function poll(): Promise<void> {
    if (!feed || polling || full || stopped) return polling ?? Promise.resolve();
    polling = (async () => {
      const before = feed.cursor();
      let changes: FeedChanges;
      try {
        changes = await feed.read();
      } catch (error) {
        m?.runs.inc({ kind: 'events', outcome: 'error' });
        setFeedUp(false, (error as Error).message);
        void refreshAll(); // the feed may have missed something: nothing stays silently stale
        return;
      }
      m?.eventsRead?.inc(changes.events);
      const guids = affected(changes);
      try {
        const found = await discover(guids, 'events');
        const crashed = [...changes.instancesChanged]
          .filter((g) => found.has(g))
          .slice(0, events?.statesPerPoll ?? 20);
        await Promise.all(
          crashed.map(async (g) => {
            const f = found.get(g)!;
            const s = await fetchInstanceStates(deps.cc, g, f.processGuid).catch(() => undefined);
            if (s) f.states = s;
          }),
        );
        if (stopped) return;
        if (guids.length > 0) record(guids, found, 'events');
        eventsReadAt = clock();
        void flush();
      } catch (error) {
        feed.restore(before); // read these events again next time
        log.warn({ err: (error as Error).message, apps: guids.length }, 'discovery of changed apps failed');
      }
    })().finally(() => {
      polling = undefined;
    });
    return polling;
  }

  function tick(): void {
    if (stopped || full) return;
    const now = clock();
    if (now - refreshedAt >= fullInterval() && now >= nextFullAttemptAt) void refreshAll();
    else if (feedUp) void poll();
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
        if (stopped) return;
        record(guids, found, 'incremental');
        void flush();
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
      if (events) {
        pollTimer = setInterval(tick, events.intervalMs);
        pollTimer.unref();
      }
      const initial = deps.initial;
      // A stored view whose feed was read recently continues from its cursor, not from scratch.
      const resumable =
        initial !== undefined &&
        initial.refreshedAt > 0 &&
        clock() - initial.refreshedAt < (events && initial.feedUp ? events.fullMs : deps.ttlMs) &&
        (!events || (initial.feedUp && initial.feed !== undefined));
      if (!resumable) return refreshAll();
      if (events) setFeedUp(true);
      onBindingsChange(deps.bindings.snapshot());
      await poll();
    },
    view() {
      const now = clock();
      if (!stopped && !full && now - refreshedAt >= fullInterval() && now >= nextFullAttemptAt) {
        void refreshAll();
      }
      const snapshot = deps.bindings.snapshot();
      if (!cached || cached.snapshot !== snapshot || cached.version !== version) {
        cached = { snapshot, version, view: buildView(snapshot.targets, facts, refreshedAt, routeMatchers) };
      } else if (cached.view.refreshedAt !== refreshedAt) {
        cached = { ...cached, view: { ...cached.view, refreshedAt } };
      }
      const freshAt = Math.max(refreshedAt, feedUp ? eventsReadAt : 0);
      m?.viewAgeSeconds?.set(freshAt ? (now - freshAt) / 1000 : 0);
      return cached.view;
    },
    hasRun: () => ran,
    instanceStates(appGuid) {
      const known = facts.get(appGuid);
      if (known?.states) return Promise.resolve(known.states);
      // While the feed reports crashes, a scrape never costs a CC request.
      if (feedUp) return Promise.resolve(undefined);
      return states.get(appGuid, known?.processGuid);
    },
    feedUp: () => feedUp,
    stored,
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (retryTimer) clearTimeout(retryTimer);
      if (incrementalTimer) clearTimeout(incrementalTimer);
      if (pollTimer) clearInterval(pollTimer);
      await Promise.allSettled([full, incremental, polling, queue.inFlight()]);
    },
  };
}
