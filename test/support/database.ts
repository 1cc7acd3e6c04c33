import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { inject } from 'vitest';
import { connectDatabase, type Knex } from '../../common/db/connect.ts';
import { migrateToLatest } from '../../common/db/migrate.ts';

export interface TestDatabase {
  url: string;
  db: Knex;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, migrated database on the run's PostgreSQL server, so test files never see each other's rows. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const url = withDatabase(adminUrl, name);
  const db = connectDatabase({ url, poolMax: 10, acquireTimeoutMs: 5_000 });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      const cleanup = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await cleanup.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.destroy();
    },
  };
}
