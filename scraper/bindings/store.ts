import type { Knex } from 'knex';
import type pg from 'pg';
import type { Logger } from '../../common/logging.ts';
import type { SecretKeys } from '../../common/secrets.ts';
import { backoffDelay } from './backoff.ts';
import { createChangeListener } from './change-listener.ts';
import { BindingsError } from './errors.ts';
import { loadSnapshot } from './load-snapshot.ts';
import type { BindingsSnapshot, BindingsStore } from './types.ts';

export interface BindingsStoreDeps {
  db: Knex;
  /** For the dedicated LISTEN connection (the knex pool cannot hold one). */
  databaseUrl: string;
  keys: SecretKeys;
  logger: Logger;
  /** Full reload interval: the safety net for a missed notification. */
  resyncMs: number;
  clock?: () => number;
  /** TLS options for the LISTEN connection, as for the pool. */
  ssl?: pg.ClientConfig['ssl'];
  /** start() gives up after this long without one successful load. Default 30 s. */
  startTimeoutMs?: number;
  /** Notifications come per statement; a burst (a broker transaction) becomes one reload. Default 50 ms. */
  debounceMs?: number;
  /** Reconnect/retry backoff for the LISTEN connection and failed first loads. */
  backoff?: { baseMs: number; maxMs: number };
}

const EMPTY: BindingsSnapshot = { targets: [], keys: new Map(), instances: new Map(), loadedAt: 0 };

export function createBindingsStore(deps: BindingsStoreDeps): BindingsStore {
  const clock = deps.clock ?? Date.now;
  const debounceMs = deps.debounceMs ?? 50;
  const backoff = deps.backoff ?? { baseMs: 200, maxMs: 5_000 };
  const log = deps.logger;
  const listeners = new Set<(s: BindingsSnapshot) => void>();
  let current = EMPTY;
  let fingerprint: string | undefined;
  let healthy = false;
  let stopped = false;
  let loading: Promise<boolean> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let resync: NodeJS.Timeout | undefined;

  /** One load at a time; a request during a load runs one more load after it (it may carry newer rows). */
  function reload(): Promise<boolean> {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      let ok = false;
      do {
        again = false;
        ok = await loadOnce();
      } while (again && !stopped);
      return ok;
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  async function loadOnce(): Promise<boolean> {
    try {
      const loaded = await loadSnapshot(deps.db, deps.keys, log, clock());
      healthy = true;
      if (loaded.fingerprint === fingerprint) {
        current = { ...current, loadedAt: loaded.snapshot.loadedAt };
        return true;
      }
      fingerprint = loaded.fingerprint;
      current = loaded.snapshot;
      log.debug({ targets: current.targets.length, keys: current.keys.size }, 'bindings reloaded');
      for (const listener of listeners) {
        try {
          listener(current);
        } catch (error) {
          log.error({ err: (error as Error).message }, 'bindings: change listener failed');
        }
      }
      return true;
    } catch (error) {
      healthy = false;
      log.warn({ err: (error as Error).message }, 'bindings: reload failed, keeping the last known set');
      return false;
    }
  }

  function scheduleReload(): void {
    if (stopped || debounce) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      void reload();
    }, debounceMs);
    debounce.unref();
  }

  const listener = createChangeListener({
    databaseUrl: deps.databaseUrl,
    ...(deps.ssl !== undefined && { ssl: deps.ssl }),
    logger: log,
    backoff,
    onNotify: scheduleReload,
    onConnected: () => {
      // Also the recovery path after an outage: whatever changed meanwhile was not notified.
      if (fingerprint !== undefined) void reload();
    },
    onDisconnected: () => {
      healthy = false;
    },
  });

  const store: BindingsStore = {
    async start() {
      listener.start();
      resync = setInterval(() => void reload(), deps.resyncMs);
      resync.unref();
      const deadline = clock() + (deps.startTimeoutMs ?? 30_000);
      for (let attempt = 0; ; attempt++) {
        if (stopped) throw new BindingsError('BINDINGS_STOPPED', 'bindings store stopped during start');
        if (await reload()) return;
        const wait = backoffDelay(attempt, backoff.baseMs, backoff.maxMs);
        if (clock() + wait > deadline) {
          await store.stop(); // no reconnecting listener or resync timer left behind by a failed start
          throw new BindingsError('BINDINGS_START_TIMEOUT', 'bindings: database unreachable at start');
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },
    snapshot: () => current,
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    isHealthy: () => healthy,
    async stop() {
      stopped = true;
      if (debounce) clearTimeout(debounce);
      if (resync) clearInterval(resync);
      await listener.stop();
      await loading?.catch(() => {});
    },
  };
  return store;
}
