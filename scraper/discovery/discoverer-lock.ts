import pg from 'pg';
import type { Logger } from '../../common/logging.ts';
import { backoffDelay } from '../bindings/backoff.ts';
import { DISCOVERY_CHANNEL } from './view-store.ts';

/** Arbitrary but fixed, apart from the migration lock: every scraper instance of a database contends for it. */
export const DISCOVERER_LOCK_KEY = 727_003;

export interface DiscovererLockDeps {
  databaseUrl: string;
  ssl?: pg.ClientConfig['ssl'];
  logger: Logger;
  /** How often an instance without the lock tries again. */
  retryMs: number;
  /** This instance became (true) or stopped being (false) the discoverer. */
  onLeadership: (leader: boolean) => void;
  /** A `version:kind` notification about the stored view. */
  onNotify: (payload: string) => void;
  /** The connection is (re-)established: notifications may have been missed meanwhile. */
  onConnected: () => void;
  connectTimeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

export interface DiscovererLock {
  /** Connects and makes the first lock attempt; resolves after it (leader or not), never throws. */
  start(): Promise<void>;
  isLeader(): boolean;
  /** Backend pid of the lock connection (for the fencing check of every write); undefined while down. */
  pid(): number | undefined;
  /** Ends the connection, which releases the lock. */
  stop(): Promise<void>;
}

/**
 * The election: a session advisory lock on one dedicated pg.Client, which also LISTENs for view changes.
 * Postgres releases the lock when the session ends, so a discoverer that dies or loses its connection
 * frees it at once and another instance takes it at its next attempt (every `retryMs`).
 */
export function createDiscovererLock(deps: DiscovererLockDeps): DiscovererLock {
  const backoff = deps.backoff ?? { baseMs: 200, maxMs: 5_000 };
  let client: pg.Client | undefined;
  let backendPid: number | undefined;
  let leader = false;
  let stopped = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let trying = false;

  function setLeader(value: boolean): void {
    if (value === leader) return;
    leader = value;
    deps.onLeadership(value);
  }

  function broken(c: pg.Client, error: Error): void {
    if (client !== c) return;
    client = undefined;
    backendPid = undefined;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (retryTimer) clearInterval(retryTimer);
    retryTimer = undefined;
    if (stopped) return;
    deps.logger.warn({ err: error.message, wasDiscoverer: leader }, 'discovery: lock connection lost');
    setLeader(false);
    if (reconnectTimer) return;
    reconnectTimer = setTimeout(
      () => {
        reconnectTimer = undefined;
        void connect();
      },
      backoffDelay(attempt++, backoff.baseMs, backoff.maxMs),
    );
    reconnectTimer.unref();
  }

  async function tryLock(c: pg.Client): Promise<void> {
    if (trying || leader || client !== c || stopped) return;
    trying = true;
    try {
      const res = await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        DISCOVERER_LOCK_KEY,
      ]);
      if (res.rows[0]?.locked && client === c && !stopped) {
        if (retryTimer) clearInterval(retryTimer);
        retryTimer = undefined;
        deps.logger.info('discovery: this instance is the discoverer');
        setLeader(true);
      }
    } catch (error) {
      broken(c, error instanceof Error ? error : new Error(String(error)));
    } finally {
      trying = false;
    }
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: deps.databaseUrl,
      connectionTimeoutMillis: deps.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      application_name: 'promregator-discoverer',
      ...(deps.ssl !== undefined && { ssl: deps.ssl }),
    });
    client = c;
    c.on('error', (err) => broken(c, err));
    c.on('end', () => broken(c, new Error('connection ended')));
    c.on('notification', (msg) => {
      if (msg.channel === DISCOVERY_CHANNEL) deps.onNotify(msg.payload ?? '');
    });
    try {
      await c.connect();
      const res = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await c.query(`LISTEN ${DISCOVERY_CHANNEL}`);
      if (client !== c) return;
      backendPid = res.rows[0]?.pid;
    } catch (error) {
      broken(c, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    attempt = 0;
    deps.onConnected();
    await tryLock(c);
    if (!leader && client === c && !stopped) {
      retryTimer = setInterval(() => void tryLock(c), deps.retryMs);
      retryTimer.unref();
    }
  }

  return {
    start: () => connect(),
    isLeader: () => leader,
    pid: () => backendPid,
    async stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (retryTimer) clearInterval(retryTimer);
      const c = client;
      client = undefined;
      leader = false;
      await c?.end().catch(() => {});
    },
  };
}
