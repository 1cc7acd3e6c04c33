import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/index.ts';

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
