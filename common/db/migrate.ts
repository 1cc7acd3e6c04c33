import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.ts';
import type { Logger } from '../logging.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

/** Arbitrary but fixed: every instance of broker and scraper takes the same lock. */
const MIGRATION_LOCK_ID = 727_001;

/**
 * Brings the schema up to date. Several app instances start at once on CF; knex's own lock table makes a
 * loser fail instead of wait, so a Postgres advisory lock on one dedicated connection serialises them:
 * the first migrates, the others wait and then find nothing to do.
 */
export async function migrateToLatest(db: Knex): Promise<void> {
  const conn = await db.client.acquireConnection();
  try {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await db.migrate.latest({ migrationSource, tableName: 'knex_migrations' });
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/**
 * On CF the database may come up after the app: wait for it (with backoff) rather than crash-looping.
 * Returns early, without migrating, once `stopped()` says the app is shutting down.
 */
export async function migrateWhenReachable(db: Knex, logger: Logger, stopped: () => boolean): Promise<void> {
  for (let delay = 500; !stopped(); delay = Math.min(delay * 2, 10_000)) {
    try {
      await migrateToLatest(db);
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      logger.warn({ retryInMs: delay }, 'database unavailable; retrying migration');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
