import { badRequest } from './errors.ts';
import type {
  BindDetails,
  CloudFoundryContext,
  DeleteDetails,
  JsonObject,
  ProvisionDetails,
  UpdateDetails,
} from './types.ts';

/**
 * Turns untrusted request bodies and query strings into the wire-shaped details of the contract, or a 400
 * naming the field. Only structure is checked here; catalog membership and parameter rules are the
 * service's. An empty string counts as missing; unknown fields are dropped.
 */

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(source: JsonObject, key: string, prefix = ''): string | undefined {
  const value = source[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest(`${prefix}${key}: must be a string`);
  return value;
}

function requiredString(source: JsonObject, key: string): string {
  const value = optionalString(source, key);
  if (value === undefined) throw badRequest(`${key}: is required`);
  return value;
}

function optionalObject(source: JsonObject, key: string): JsonObject | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw badRequest(`${key}: must be an object`);
  return value;
}

function body(value: unknown): JsonObject {
  if (value === undefined) return {};
  if (!isObject(value)) throw badRequest('request body: must be a JSON object');
  return value;
}

/** A path identifier; an empty one (`/v2/service_instances/`) is a client error, not an unknown route. */
export function requireId(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw badRequest(`${name}: is required`);
  return value;
}

const CONTEXT_FIELDS = [
  'platform',
  'organization_guid',
  'space_guid',
  'organization_name',
  'space_name',
  'instance_name',
] as const;

function context(source: JsonObject): CloudFoundryContext {
  const raw = optionalObject(source, 'context') ?? {};
  const result: CloudFoundryContext = {};
  for (const key of CONTEXT_FIELDS) {
    const value = optionalString(raw, key, 'context.');
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** A `maintenance_info` without `version` counts as absent. */
function maintenanceInfo(source: JsonObject): { version: string } | undefined {
  const raw = optionalObject(source, 'maintenance_info');
  const version = raw && optionalString(raw, 'version', 'maintenance_info.');
  return version === undefined ? undefined : { version };
}

export function parseProvision(raw: unknown): ProvisionDetails {
  const source = body(raw);
  const serviceId = requiredString(source, 'service_id');
  const planId = requiredString(source, 'plan_id');
  // Required at the top level by the OSB spec even though `context` carries the same guids.
  const organizationGuid = requiredString(source, 'organization_guid');
  const spaceGuid = requiredString(source, 'space_guid');
  const ctx = context(source);
  const maintenance = maintenanceInfo(source);
  return {
    service_id: serviceId,
    plan_id: planId,
    organization_guid: organizationGuid,
    space_guid: spaceGuid,
    context: ctx,
    parameters: optionalObject(source, 'parameters') ?? {},
    ...(maintenance && { maintenance_info: maintenance }),
  };
}

export function parseUpdate(raw: unknown): UpdateDetails {
  const source = body(raw);
  const serviceId = requiredString(source, 'service_id');
  const planId = optionalString(source, 'plan_id');
  const parameters = optionalObject(source, 'parameters');
  const maintenance = maintenanceInfo(source);
  return {
    service_id: serviceId,
    ...(planId !== undefined && { plan_id: planId }),
    ...(parameters !== undefined && { parameters }),
    context: context(source),
    ...(maintenance && { maintenance_info: maintenance }),
  };
}

export function parseBind(raw: unknown): BindDetails {
  const source = body(raw);
  const serviceId = requiredString(source, 'service_id');
  const planId = requiredString(source, 'plan_id');
  const resource = optionalObject(source, 'bind_resource') ?? {};
  const appGuid =
    optionalString(resource, 'app_guid', 'bind_resource.') ?? optionalString(source, 'app_guid');
  const spaceGuid = optionalString(resource, 'space_guid', 'bind_resource.');
  return {
    service_id: serviceId,
    plan_id: planId,
    ...(appGuid !== undefined && { app_guid: appGuid }),
    ...(spaceGuid !== undefined && { space_guid: spaceGuid }),
    context: context(source),
    parameters: optionalObject(source, 'parameters') ?? {},
  };
}

/** DELETE carries its ids in the query string; a repeated parameter is as wrong as a missing one. */
export function parseDelete(query: Readonly<Record<string, unknown>>): DeleteDetails {
  const single = (key: string): string => {
    const value = query[key];
    if (Array.isArray(value)) throw badRequest(`${key}: must be given once`);
    if (typeof value !== 'string' || value === '') throw badRequest(`${key}: query parameter is required`);
    return value;
  };
  return { service_id: single('service_id'), plan_id: single('plan_id') };
}
