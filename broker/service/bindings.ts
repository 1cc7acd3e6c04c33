import { RetiredKeyError, randomSecret } from '../../common/secrets.ts';
import { splitSecrets } from '../../common/targets.ts';
import { OSB_ERRORS, OsbError } from '../osb/errors.ts';
import type {
  BindDetails,
  BindingDetails,
  CreateResult,
  DeleteResult,
  JsonObject,
  ResourceStatus,
} from '../osb/types.ts';
import { appBindingCredentials, serviceKeyCredentials } from './credentials.ts';
import type { BindingRow, InstanceRow, ServiceDeps } from './deps.ts';
import { checkPlan } from './plan-checks.ts';
import { checkTenantUrls } from './tenant-urls.ts';
import { addTombstones, hasTombstone } from './tombstones.ts';

const TABLE = 'service_bindings';
const INSTANCE_COLUMNS = [
  'id',
  'organization_guid',
  'space_guid',
  'organization_name',
  'space_name',
  'instance_name',
] as const;
type InstanceView = Pick<InstanceRow, (typeof INSTANCE_COLUMNS)[number]>;

function notFound(instanceId: string, bindingId: string): OsbError {
  return new OsbError(
    OSB_ERRORS.bindingNotFound,
    `service binding ${bindingId} of service instance ${instanceId} does not exist`,
  );
}

function credentialsOf(deps: ServiceDeps, row: BindingRow, instance: InstanceView): JsonObject {
  const keyId = row.credentials_key_id ?? deps.keys.currentId;
  try {
    if (row.kind === 'app') return appBindingCredentials(deps.keys, row.id, keyId, row.parameters);
    return serviceKeyCredentials({
      keys: deps.keys,
      keyId,
      scraperPublicUrl: deps.scraperPublicUrl,
      bindingId: row.id,
      username: row.key_username ?? '',
      salt: row.key_salt ?? '',
      instance,
    });
  } catch (error) {
    // Issued under a key the operator has since removed: nothing can derive these credentials again.
    if (error instanceof RetiredKeyError) {
      return { notice: 'issued under a retired credentials key: bind again (or create a new service key)' };
    }
    throw error;
  }
}

/**
 * An app binding when an app guid is given, else a service key. Secrets in the parameters are stored
 * encrypted; a key's password only as a keyed digest (it is derived from the stored salt when returned).
 */
export async function bind(
  deps: ServiceDeps,
  instanceId: string,
  bindingId: string,
  details: BindDetails,
): Promise<CreateResult & Pick<BindingDetails, 'credentials'>> {
  checkPlan(deps.catalog, details.service_id, details.plan_id);
  deps.validators.binding(details.parameters);
  await checkTenantUrls(deps.outbound, details.parameters);
  const kind = details.app_guid === undefined ? 'key' : 'app';
  const { open, secrets } = splitSecrets(details.parameters);
  const attributes = {
    instance_id: instanceId,
    kind,
    app_guid: details.app_guid ?? null,
    parameters: details.parameters,
  };
  const digest = deps.keys.requestDigest(attributes);
  const key = kind === 'key' ? newServiceKey(deps, bindingId) : undefined;

  return deps.db.transaction(async (trx) => {
    // KEY SHARE: concurrent binds proceed together, a concurrent deprovision waits for them (or they for it).
    const instance = (await trx('service_instances')
      .where({ id: instanceId })
      .forKeyShare()
      .first(INSTANCE_COLUMNS)) as InstanceView | undefined;
    if (!instance) {
      throw new OsbError(
        OSB_ERRORS.unknownInstanceForBinding,
        `instance_id: service instance ${instanceId} does not exist`,
      );
    }
    const { context } = details;
    const row = {
      id: bindingId,
      instance_id: instanceId,
      kind,
      app_guid: details.app_guid ?? null,
      organization_guid: context.organization_guid ?? instance.organization_guid,
      space_guid: details.space_guid ?? context.space_guid ?? instance.space_guid,
      organization_name: context.organization_name ?? instance.organization_name,
      space_name: context.space_name ?? instance.space_name,
      parameters: open,
      secrets: secrets ? deps.keys.encrypt(JSON.stringify(secrets)) : null,
      key_username: key?.username ?? null,
      key_password_hash: key?.passwordHash ?? null,
      key_salt: key?.salt ?? null,
      request_digest: digest,
      credentials_key_id: deps.keys.currentId,
    };
    const inserted = (await trx(TABLE).insert(row).onConflict('id').ignore().returning('*')) as BindingRow[];
    const created = inserted[0];
    if (created) return { alreadyExists: false, credentials: credentialsOf(deps, created, instance) };
    const existing = (await trx(TABLE).where({ id: bindingId }).first()) as BindingRow | undefined;
    // Any configured key: a digest taken before a key rotation still recognises the identical request.
    if (existing && deps.keys.digestMatches(attributes, existing.request_digest)) {
      return { alreadyExists: true, credentials: credentialsOf(deps, existing, instance) };
    }
    throw new OsbError(
      OSB_ERRORS.bindingConflict,
      `service binding ${bindingId} already exists with different attributes`,
    );
  });
}

function newServiceKey(deps: ServiceDeps, bindingId: string) {
  const salt = randomSecret(16);
  const password = deps.keys.serviceKeyPassword(bindingId, salt);
  // Random, so the user name reveals nothing and stays unique even when a key id is reused.
  return { username: `key-${randomSecret(12)}`, salt, passwordHash: deps.keys.keyPasswordVerifier(password) };
}

export async function getBinding(
  deps: ServiceDeps,
  instanceId: string,
  bindingId: string,
): Promise<BindingDetails> {
  const row = (await deps.db(TABLE).where({ id: bindingId, instance_id: instanceId }).first()) as
    | BindingRow
    | undefined;
  const instance = (await deps.db('service_instances').where({ id: instanceId }).first(INSTANCE_COLUMNS)) as
    | InstanceView
    | undefined;
  if (!row || !instance) throw notFound(instanceId, bindingId);
  return { credentials: credentialsOf(deps, row, instance), parameters: row.parameters };
}

export async function unbind(
  deps: ServiceDeps,
  instanceId: string,
  bindingId: string,
): Promise<DeleteResult> {
  return deps.db.transaction(async (trx) => {
    const deleted = await trx(TABLE)
      .where({ id: bindingId, instance_id: instanceId })
      .delete()
      .returning('id');
    if (deleted.length === 0) return { existed: false };
    await addTombstones(trx, 'binding', [bindingId]);
    return { existed: true };
  });
}

export async function bindingStatus(
  deps: ServiceDeps,
  instanceId: string,
  bindingId: string,
): Promise<ResourceStatus> {
  if (await deps.db(TABLE).where({ id: bindingId, instance_id: instanceId }).first('id')) return 'exists';
  if (await hasTombstone(deps.db, 'binding', bindingId)) return 'deleted';
  throw notFound(instanceId, bindingId);
}
