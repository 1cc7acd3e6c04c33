import pg from 'pg';
import type { Logger } from '../../common/logging.ts';
import { backoffDelay } from './backoff.ts';

export const CHANGES_CHANNEL = 'promregator_changes';

export interface ChangeListenerDeps {
  databaseUrl: string;
  ssl?: pg.ClientConfig['ssl'];
  logger: Logger;
  /** A notification arrived. */
  onNotify: () => void;
  /** LISTEN is (re-)established: notifications may have been missed while it was down, so reload. */
  onConnected: () => void;
  /** The connection failed or broke. */
  onDisconnected: (error: Error) => void;
  connectTimeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

export interface ChangeListener {
  start(): void;
  stop(): Promise<void>;
}

/**
 * `LISTEN promregator_changes` on a dedicated pg.Client (a pooled connection would be handed back and lose
 * the LISTEN). When the connection breaks it is rebuilt with backoff until stop().
 */
export function createChangeListener(deps: ChangeListenerDeps): ChangeListener {
  const backoff = deps.backoff ?? { baseMs: 200, maxMs: 5_000 };
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let stopped = false;

  function scheduleReconnect(): void {
    if (stopped || timer) return;
    const delay = backoffDelay(attempt++, backoff.baseMs, backoff.maxMs);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
    timer.unref();
  }

  function broken(c: pg.Client, error: Error): void {
    if (client !== c) return; // an old client's late event
    client = undefined;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (stopped) return;
    deps.logger.warn({ err: error.message }, 'bindings: LISTEN connection lost, reconnecting');
    deps.onDisconnected(error);
    scheduleReconnect();
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: deps.databaseUrl,
      connectionTimeoutMillis: deps.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      ...(deps.ssl !== undefined && { ssl: deps.ssl }),
    });
    client = c;
    c.on('error', (err) => broken(c, err));
    c.on('end', () => broken(c, new Error('connection ended')));
    c.on('notification', (msg) => {
      if (msg.channel === CHANGES_CHANNEL) deps.onNotify();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      broken(c, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (stopped || client !== c) return;
    attempt = 0;
    deps.onConnected();
  }

  return {
    start() {
      void connect();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
