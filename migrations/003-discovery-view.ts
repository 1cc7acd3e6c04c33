import type { Knex } from 'knex';

/**
 * The discovery view one scraper instance (the discoverer, holder of an advisory lock) writes and every
 * instance serves: facts per bound app (null: the CC does not know it), the outcome per binding, and one
 * state row (last full discovery, event-feed cursor, a version bumped per change set so readers load only
 * rows newer than what they hold).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('discovery_apps', (t) => {
    t.text('app_guid').primary();
    t.jsonb('facts');
    t.bigInteger('version').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['version']);
  });
  await knex.schema.createTable('discovery_targets', (t) => {
    t.text('binding_id').primary();
    t.text('app_guid').notNullable();
    t.text('status').notNullable();
    t.bigInteger('version').notNullable();
  });
  await knex.schema.createTable('discovery_state', (t) => {
    t.smallint('id').primary();
    t.bigInteger('version').notNullable().defaultTo(0);
    /** Clock ms of the last full discovery; 0 before the first. */
    t.bigInteger('refreshed_at').notNullable().defaultTo(0);
    t.bigInteger('events_read_at').notNullable().defaultTo(0);
    t.jsonb('feed_cursor');
    t.boolean('feed_up').notNullable().defaultTo(false);
    t.text('discoverer');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex('discovery_state').insert({ id: 1 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('discovery_state');
  await knex.schema.dropTable('discovery_targets');
  await knex.schema.dropTable('discovery_apps');
}
