import knexFactory, { type Knex } from 'knex';
import type { DatabaseConfig } from '../config/types.ts';
import type { Logger } from '../logging.ts';

export type { Knex } from 'knex';

/**
 * A knex instance over node-postgres. Connections are acquired lazily, so an app starts (and answers
 * 503) while the database is down, and recovers by itself when it returns: the pool simply acquires a
 * new connection on the next request.
 */
export function connectDatabase(
  config: Pick<DatabaseConfig, 'url' | 'ssl' | 'poolMax' | 'acquireTimeoutMs'>,
  logger?: Logger,
): Knex {
  if (!config.url) throw new Error('connectDatabase: no database URL');
  const connection: Knex.PgConnectionConfig = {
    connectionString: config.url,
    // A dead server must not hang a request for the OS's TCP timeout.
    connectionTimeoutMillis: config.acquireTimeoutMs,
    keepAlive: true,
    ...(config.ssl && { ssl: config.ssl }),
  };
  return knexFactory({
    client: 'pg',
    connection,
    pool: {
      min: 0,
      max: config.poolMax,
      // Discards connections the server closed (restart, failover) before handing them out again.
      afterCreate: (
        conn: { on: (event: string, cb: () => void) => void },
        done: (err: Error | null, c: unknown) => void,
      ) => {
        conn.on('error', () => {});
        done(null, conn);
      },
      idleTimeoutMillis: 30_000,
    },
    acquireConnectionTimeout: config.acquireTimeoutMs,
    // knex would print outage noise to stdout; route it through our (redacting) logger instead.
    log: {
      warn: (message: unknown) => logger?.warn({ knex: String(message) }, 'database warning'),
      error: (message: unknown) => logger?.warn({ knex: String(message) }, 'database error'),
      deprecate: () => {},
      debug: () => {},
    },
  });
}
