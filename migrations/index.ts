import type { Knex } from 'knex';
import * as initial from './001-initial.ts';
import * as credentialsKeyId from './002-credentials-key-id.ts';
import * as discoveryView from './003-discovery-view.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are imported, not discovered on disk, so they run the same under tsx, vitest and compiled
 * output. Append new ones; never edit or reorder a released one.
 */
const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['001-initial', initial],
  ['002-credentials-key-id', credentialsKeyId],
  ['003-discovery-view', discoveryView],
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS.map(([, migration]) => migration),
  getMigrationName: (migration) => MIGRATIONS.find(([, m]) => m === migration)![0],
  getMigration: async (migration) => migration,
};
