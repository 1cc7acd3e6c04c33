import { OSB_ERRORS, OsbError } from '../osb/errors.ts';
import type {
  DeleteResult,
  InstanceDetails,
  JsonObject,
  ProvisionDetails,
  ProvisionResult,
  ResourceStatus,
  UpdateDetails,
} from '../osb/types.ts';
import type { InstanceRow, ServiceDeps } from './deps.ts';
import { checkMaintenance, checkPlan, checkService } from './plan-checks.ts';
import { addTombstones, hasTombstone } from './tombstones.ts';

const TABLE = 'service_instances';

/** The attributes that decide whether a repeated PUT is identical (200) or a conflict (409). */
function instanceDigest(
  deps: ServiceDeps,
  a: {
    service_id: string;
    plan_id: string;
    organization_guid: string;
    space_guid: string;
    parameters: JsonObject;
  },
): string {
  const { service_id, plan_id, organization_guid, space_guid, parameters } = a;
  return deps.keys.requestDigest({ service_id, plan_id, organization_guid, space_guid, parameters });
}

/** The dashboard URL grants nothing by itself: the page decides access by SSO and the CC's permissions. */
function dashboardOf(deps: ServiceDeps, id: string): { dashboardUrl?: string } {
  return deps.dashboardBase === undefined
    ? {}
    : { dashboardUrl: deps.dashboardBase + encodeURIComponent(id) };
}

function notFound(id: string): OsbError {
  return new OsbError(OSB_ERRORS.instanceNotFound, `service instance ${id} does not exist`);
}

export async function provisionInstance(
  deps: ServiceDeps,
  id: string,
  details: ProvisionDetails,
): Promise<ProvisionResult> {
  checkPlan(deps.catalog, details.service_id, details.plan_id);
  checkMaintenance(deps.catalog, details.maintenance_info);
  deps.validators.instance(details.parameters);
  const digest = instanceDigest(deps, details);
  const { service_id, plan_id, organization_guid, space_guid, parameters } = details;
  const attributes = { service_id, plan_id, organization_guid, space_guid, parameters };
  const row = {
    id,
    service_id: details.service_id,
    plan_id: details.plan_id,
    organization_guid: details.organization_guid,
    space_guid: details.space_guid,
    organization_name: details.context.organization_name ?? null,
    space_name: details.context.space_name ?? null,
    instance_name: details.context.instance_name ?? null,
    parameters: details.parameters,
    maintenance_version: deps.catalog.maintenanceVersion,
    request_digest: digest,
  };
  return deps.db.transaction(async (trx) => {
    // A concurrent PUT of the same id blocks on the key until the first commits, then inserts nothing:
    // exactly one request creates the row, the others compare against it.
    const inserted = await trx(TABLE).insert(row).onConflict('id').ignore().returning('id');
    if (inserted.length > 0) return { alreadyExists: false, ...dashboardOf(deps, id) };
    const existing = await trx(TABLE).where({ id }).first('request_digest');
    // Any configured key: a digest taken before a key rotation still recognises the identical request.
    if (existing && deps.keys.digestMatches(attributes, existing.request_digest))
      return { alreadyExists: true, ...dashboardOf(deps, id) };
    throw new OsbError(
      OSB_ERRORS.instanceConflict,
      `service instance ${id} already exists with different attributes`,
    );
  });
}

export async function getInstance(deps: ServiceDeps, id: string): Promise<InstanceDetails> {
  const row = (await deps.db(TABLE).where({ id }).first()) as InstanceRow | undefined;
  if (!row) throw notFound(id);
  return {
    serviceId: row.service_id,
    planId: row.plan_id,
    parameters: row.parameters,
    ...(row.maintenance_version !== null && { maintenanceVersion: row.maintenance_version }),
    ...dashboardOf(deps, id),
  };
}

/** Parameters given are merged over the stored ones key by key: the CC sends `{}` when the user gave none. */
export async function updateInstance(deps: ServiceDeps, id: string, details: UpdateDetails): Promise<void> {
  checkService(deps.catalog, details.service_id);
  if (details.plan_id !== undefined) checkPlan(deps.catalog, details.service_id, details.plan_id);
  checkMaintenance(deps.catalog, details.maintenance_info);
  if (details.parameters) deps.validators.instance(details.parameters);
  await deps.db.transaction(async (trx) => {
    const row = (await trx(TABLE).where({ id }).forUpdate().first()) as InstanceRow | undefined;
    if (!row) throw notFound(id);
    const next = {
      service_id: row.service_id,
      plan_id: details.plan_id ?? row.plan_id,
      organization_guid: row.organization_guid,
      space_guid: row.space_guid,
      parameters: { ...row.parameters, ...details.parameters },
    };
    const { context } = details;
    await trx(TABLE)
      .where({ id })
      .update({
        plan_id: next.plan_id,
        parameters: next.parameters,
        request_digest: instanceDigest(deps, next),
        ...(details.maintenance_info && { maintenance_version: details.maintenance_info.version }),
        ...(context.organization_name !== undefined && { organization_name: context.organization_name }),
        ...(context.space_name !== undefined && { space_name: context.space_name }),
        ...(context.instance_name !== undefined && { instance_name: context.instance_name }),
        updated_at: trx.fn.now(),
      });
  });
}

/** Deletes the instance and its bindings, tombstoning all of them, in one transaction. */
export async function deprovisionInstance(deps: ServiceDeps, id: string): Promise<DeleteResult> {
  return deps.db.transaction(async (trx) => {
    // Lock the instance first, so a concurrent bind waits for us instead of deadlocking with us.
    const row = await trx(TABLE).where({ id }).forUpdate().first('id');
    if (!row) return { existed: false };
    const bindings = (await trx('service_bindings').where({ instance_id: id }).select('id')) as {
      id: string;
    }[];
    await addTombstones(
      trx,
      'binding',
      bindings.map((b) => b.id),
    );
    await addTombstones(trx, 'instance', [id]);
    await trx('service_bindings').where({ instance_id: id }).delete();
    await trx(TABLE).where({ id }).delete();
    return { existed: true };
  });
}

export async function instanceStatus(deps: ServiceDeps, id: string): Promise<ResourceStatus> {
  if (await deps.db(TABLE).where({ id }).first('id')) return 'exists';
  if (await hasTombstone(deps.db, 'instance', id)) return 'deleted';
  throw notFound(id);
}
