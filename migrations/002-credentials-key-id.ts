import type { Knex } from 'knex';

/**
 * Which CREDENTIALS_KEY a binding's derived credentials (an app binding's basic-auth password, a service
 * key's password and its verifier) were issued under, so a key rotation keeps serving them until the
 * binding is made again. NULL: issued before this column existed; the start-time rekey finds the key.
 * Service-key verifiers change format in place (`scrypt$…` → `hmac-sha256$…`), also at start.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('service_bindings', (t) => {
    t.text('credentials_key_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('service_bindings', (t) => {
    t.dropColumn('credentials_key_id');
  });
}
