import type { Knex } from 'knex';

/**
 * The schema is the contract between broker (writer) and scraper (reader).
 * - Parameters are stored as given minus secrets; secrets live encrypted in `secrets` (AES-GCM, key
 *   derived from CREDENTIALS_KEY). Service-key passwords are stored only as a salted scrypt hash.
 * - `request_digest` is a keyed hash of the attributes that decide "identical PUT" (OSB 200 vs 409), so
 *   the comparison never needs the plaintext secrets.
 * - Every change notifies channel `promregator_changes`, so scrapers pick up new bindings in seconds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_instances', (t) => {
    t.text('id').primary();
    t.text('service_id').notNullable();
    t.text('plan_id').notNullable();
    t.text('organization_guid').notNullable();
    t.text('space_guid').notNullable();
    t.text('organization_name');
    t.text('space_name');
    t.text('instance_name');
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.text('maintenance_version');
    t.text('request_digest').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('service_bindings', (t) => {
    t.text('id').primary();
    t.text('instance_id').notNullable().references('id').inTable('service_instances').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['app', 'key']);
    t.text('app_guid');
    t.text('organization_guid');
    t.text('space_guid');
    t.text('organization_name');
    t.text('space_name');
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.text('secrets');
    t.text('key_username').unique();
    t.text('key_password_hash');
    // Random per-key input to the derived password: a key re-created under the same id gets a new one.
    t.text('key_salt');
    t.text('request_digest').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['instance_id']);
    t.index(['app_guid']);
  });
  // Remembers deleted ids so last_operation can answer 410 (gone) rather than 404 (never seen).
  await knex.schema.createTable('deleted_resources', (t) => {
    t.text('kind').notNullable().checkIn(['instance', 'binding']);
    t.text('id').notNullable();
    t.timestamp('deleted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['kind', 'id']);
  });

  await knex.raw(
    `ALTER TABLE service_bindings ADD CONSTRAINT service_bindings_kind_shape CHECK (
       (kind = 'app' AND app_guid IS NOT NULL AND key_password_hash IS NULL) OR
       (kind = 'key' AND app_guid IS NULL AND key_username IS NOT NULL AND key_password_hash IS NOT NULL))`,
  );

  await knex.raw(`
    CREATE FUNCTION promregator_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('promregator_changes', TG_TABLE_NAME);
      RETURN NULL;
    END $$;
    CREATE TRIGGER service_instances_changed AFTER INSERT OR UPDATE OR DELETE ON service_instances
      FOR EACH STATEMENT EXECUTE FUNCTION promregator_notify_change();
    CREATE TRIGGER service_bindings_changed AFTER INSERT OR UPDATE OR DELETE ON service_bindings
      FOR EACH STATEMENT EXECUTE FUNCTION promregator_notify_change();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('deleted_resources');
  await knex.schema.dropTable('service_bindings');
  await knex.schema.dropTable('service_instances');
  await knex.raw('DROP FUNCTION promregator_notify_change() CASCADE');
}
