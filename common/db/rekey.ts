import type { Knex } from 'knex';
import { isLegacyScryptHash, verifyLegacyScrypt } from '../legacy-scrypt.ts';
import type { Logger } from '../logging.ts';
import type { SecretKeys } from '../secrets.ts';
import { joinSecrets } from '../targets.ts';

/** Arbitrary but fixed, distinct from the migration lock: every broker and scraper instance takes it. */
const REKEY_LOCK_ID = 727_002;

type Json = Record<string, unknown>;

interface InstanceRow {
  id: string;
  service_id: string;
  plan_id: string;
  organization_guid: string;
  space_guid: string;
  parameters: Json;
  request_digest: string;
}

interface BindingRow {
  id: string;
  instance_id: string;
  kind: 'app' | 'key';
  app_guid: string | null;
  parameters: Json;
  secrets: string | null;
  key_password_hash: string | null;
  key_salt: string | null;
  request_digest: string;
  credentials_key_id: string | null;
}

export interface RekeyReport {
  instances: number;
  bindings: number;
  /** Rows holding something no configured key opens: they keep working only if that key comes back. */
  unreadable: number;
}

/**
 * Brings what is stored under an older CREDENTIALS_KEY (or in an older format) onto the current key, at
 * start, so removing the previous key later breaks only what cannot be moved:
 * - encrypted parameter secrets are re-encrypted under the current key;
 * - request digests (identical-PUT detection) are recomputed under the current key, once the stored one
 *   is proven to be the digest of the stored attributes under an older key;
 * - bindings from before key ids existed get the id of the key their credentials were issued under
 *   (found by the key that opens their secrets, verifies their digest or, for old service keys, their
 *   scrypt hash);
 * - scrypt service-key hashes become keyed digests under the issuing key.
 * Derived credentials stay under their issuing key: apps and Prometheus configurations hold them.
 * Runs in one transaction under an advisory lock; a second instance starting at once finds nothing to do.
 */
export async function rekeyStoredSecrets(db: Knex, keys: SecretKeys, logger: Logger): Promise<RekeyReport> {
  const report: RekeyReport = { instances: 0, bindings: 0, unreadable: 0 };
  await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [REKEY_LOCK_ID]);
    const instances = (await trx('service_instances').select(
      'id',
      'service_id',
      'plan_id',
      'organization_guid',
      'space_guid',
      'parameters',
      'request_digest',
    )) as InstanceRow[];
    for (const row of instances) {
      const { service_id, plan_id, organization_guid, space_guid, parameters } = row;
      const digest = rekeyedDigest(
        keys,
        { service_id, plan_id, organization_guid, space_guid, parameters },
        row,
      );
      if (digest === undefined) continue;
      await trx('service_instances').where({ id: row.id }).update({ request_digest: digest });
      report.instances++;
    }

    const bindings = (await trx('service_bindings').select(
      'id',
      'instance_id',
      'kind',
      'app_guid',
      'parameters',
      'secrets',
      'key_password_hash',
      'key_salt',
      'request_digest',
      'credentials_key_id',
    )) as BindingRow[];
    for (const row of bindings) {
      const update = await rekeyBinding(keys, row);
      if (update === 'unreadable') {
        report.unreadable++;
        logger.warn({ bindingId: row.id }, 'binding holds secrets no configured credentials key opens');
        continue;
      }
      if (Object.keys(update).length === 0) continue;
      await trx('service_bindings').where({ id: row.id }).update(update);
      report.bindings++;
    }
  });
  if (report.instances + report.bindings > 0) {
    logger.info({ ...report }, 'stored secrets moved to the current credentials key');
  }
  return report;
}

/** The digest under the current key, when the stored one verifies under an older key; else undefined. */
function rekeyedDigest(
  keys: SecretKeys,
  value: unknown,
  row: { request_digest: string },
): string | undefined {
  const keyId = keys.digestKeyId(value, row.request_digest);
  return keyId !== undefined && keyId !== keys.currentId ? keys.requestDigest(value) : undefined;
}

async function rekeyBinding(keys: SecretKeys, row: BindingRow): Promise<Partial<BindingRow> | 'unreadable'> {
  const update: Partial<BindingRow> = {};
  let secrets: Json | undefined;
  let sealedUnder: string | undefined;
  if (row.secrets !== null) {
    try {
      const opened = keys.open(row.secrets);
      secrets = JSON.parse(opened.plaintext) as Json;
      sealedUnder = opened.keyId;
    } catch {
      return 'unreadable';
    }
    if (sealedUnder !== keys.currentId || !row.secrets.startsWith('v2.')) {
      update.secrets = keys.encrypt(JSON.stringify(secrets));
    }
  }
  const digestValue = {
    instance_id: row.instance_id,
    kind: row.kind,
    app_guid: row.app_guid,
    parameters: joinSecrets(row.parameters, secrets),
  };
  const digestKey = keys.digestKeyId(digestValue, row.request_digest);
  if (digestKey !== undefined && digestKey !== keys.currentId)
    update.request_digest = keys.requestDigest(digestValue);

  let issuedUnder = row.credentials_key_id;
  if (issuedUnder === null) {
    // Secrets were sealed and the digest taken at bind time, under the key that issued the credentials.
    issuedUnder = sealedUnder ?? digestKey ?? (await legacyKeyOwner(keys, row)) ?? keys.currentId;
    update.credentials_key_id = issuedUnder;
  }
  if (row.kind === 'key' && row.key_password_hash !== null && isLegacyScryptHash(row.key_password_hash)) {
    if (keys.has(issuedUnder)) {
      const password = keys.serviceKeyPassword(row.id, row.key_salt ?? '', issuedUnder);
      update.key_password_hash = keys.keyPasswordVerifier(password, issuedUnder);
    }
  }
  return update;
}

/**
 * For a service key stored before key ids existed whose digest no configured key verifies: the key whose
 * derived password its scrypt hash accepts. With one configured key nothing else is possible.
 */
async function legacyKeyOwner(keys: SecretKeys, row: BindingRow): Promise<string | undefined> {
  if (row.kind !== 'key' || row.key_password_hash === null || !isLegacyScryptHash(row.key_password_hash)) {
    return undefined;
  }
  if (keys.ids.length === 1) return keys.currentId;
  for (const keyId of keys.ids) {
    const password = keys.serviceKeyPassword(row.id, row.key_salt ?? '', keyId);
    if (await verifyLegacyScrypt(password, row.key_password_hash)) return keyId;
  }
  return undefined;
}
