import type { Knex } from 'knex';
import type { Logger } from '../../common/logging.ts';
import type { SecretKeys } from '../../common/secrets.ts';
import { resolveTarget, type ScrapeTarget, type StoredAppBinding } from '../../common/targets.ts';
import type { BindingsSnapshot, InstanceRecord, ServiceKeyRecord } from './types.ts';

interface KeyRow {
  id: string;
  instance_id: string;
  key_username: string;
  key_password_hash: string;
  credentials_key_id: string | null;
  created_at: Date | string;
}

interface InstanceRow {
  id: string;
  organization_guid: string;
  space_guid: string;
  organization_name: string | null;
  space_name: string | null;
  instance_name: string | null;
}

export interface LoadedSnapshot {
  snapshot: BindingsSnapshot;
  /** Identical rows give an identical fingerprint: tells a real change from a resync that found nothing new. */
  fingerprint: string;
}

/**
 * Reads every app binding, service key and instance in one repeatable-read transaction, so a binding is
 * never seen without its instance. A binding whose secrets cannot be decrypted (wrong CREDENTIALS_KEY) is
 * left out and logged by id: one bad row must not hide all others.
 */
export async function loadSnapshot(
  db: Knex,
  keys: SecretKeys,
  logger: Logger,
  now: number,
): Promise<LoadedSnapshot> {
  const { apps, keyRows, instanceRows } = await db.transaction(
    async (trx) => {
      const apps: StoredAppBinding[] = await trx('service_bindings as b')
        .join('service_instances as i', 'i.id', 'b.instance_id')
        .where('b.kind', 'app')
        .select(
          'b.id',
          'b.instance_id',
          'b.app_guid',
          'b.parameters',
          'b.secrets',
          'b.credentials_key_id',
          'i.parameters as instance_parameters',
        )
        .orderBy([{ column: 'b.created_at' }, { column: 'b.id' }]);
      const keyRows: KeyRow[] = await trx('service_bindings')
        .where('kind', 'key')
        .select('id', 'instance_id', 'key_username', 'key_password_hash', 'credentials_key_id', 'created_at')
        .orderBy('id');
      const instanceRows: InstanceRow[] = await trx('service_instances')
        .select('id', 'organization_guid', 'space_guid', 'organization_name', 'space_name', 'instance_name')
        .orderBy('id');
      return { apps, keyRows, instanceRows };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );

  const targets: ScrapeTarget[] = [];
  for (const row of apps) {
    try {
      targets.push(resolveTarget(row, keys));
    } catch (error) {
      logger.error({ bindingId: row.id, err: (error as Error).message }, 'binding skipped: cannot resolve');
    }
  }
  const keyMap = new Map<string, ServiceKeyRecord>();
  for (const k of keyRows) {
    keyMap.set(k.key_username, {
      bindingId: k.id,
      instanceId: k.instance_id,
      username: k.key_username,
      passwordHash: k.key_password_hash,
      keyId: k.credentials_key_id ?? keys.currentId,
      createdAt: new Date(k.created_at).getTime(),
    });
  }
  const instances = new Map<string, InstanceRecord>();
  for (const i of instanceRows) {
    instances.set(i.id, {
      id: i.id,
      orgGuid: i.organization_guid,
      spaceGuid: i.space_guid,
      ...(i.organization_name !== null && { orgName: i.organization_name }),
      ...(i.space_name !== null && { spaceName: i.space_name }),
      ...(i.instance_name !== null && { name: i.instance_name }),
    });
  }
  return {
    snapshot: { targets, keys: keyMap, instances, loadedAt: now },
    fingerprint: JSON.stringify([apps, keyRows, instanceRows]),
  };
}
