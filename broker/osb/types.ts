/**
 * Wire-shaped inputs (snake_case, as the Cloud Controller sends them, after parse-request.ts has checked
 * their structure) and semantic outputs of the broker contract. Unknown wire fields are dropped.
 */

export type JsonObject = Record<string, unknown>;

/** The `context` object of the `cloudfoundry` platform profile; every field optional on the wire. */
export interface CloudFoundryContext {
  platform?: string;
  organization_guid?: string;
  space_guid?: string;
  organization_name?: string;
  space_name?: string;
  instance_name?: string;
}

export interface ProvisionDetails {
  service_id: string;
  plan_id: string;
  /** Top-level value, else the context's. */
  organization_guid: string;
  space_guid: string;
  context: CloudFoundryContext;
  parameters: JsonObject;
  /** Absent when the request had none, or one without `version`. */
  maintenance_info?: { version: string };
}

export interface UpdateDetails {
  service_id: string;
  /** Absent: keep the plan. */
  plan_id?: string;
  /** Absent: keep the parameters. Present: merged over the stored ones, key by key. */
  parameters?: JsonObject;
  context: CloudFoundryContext;
  maintenance_info?: { version: string };
}

export interface DeleteDetails {
  service_id: string;
  plan_id: string;
}

export interface BindDetails {
  service_id: string;
  plan_id: string;
  /** `bind_resource.app_guid`, else the deprecated top-level `app_guid`; absent for a service key. */
  app_guid?: string;
  /** `bind_resource.space_guid`, when sent. */
  space_guid?: string;
  context: CloudFoundryContext;
  parameters: JsonObject;
}

export interface InstanceDetails {
  serviceId: string;
  planId: string;
  parameters: JsonObject;
  maintenanceVersion?: string;
  /** Absolute URL of the instance's dashboard, when the dashboard is configured. */
  dashboardUrl?: string;
}

export interface BindingDetails {
  credentials: JsonObject;
  /** The parameters as stored: secrets are never returned. */
  parameters: JsonObject;
}

export interface CreateResult {
  /** True when the same id already existed with identical attributes (200 instead of 201). */
  alreadyExists: boolean;
}

export interface ProvisionResult extends CreateResult {
  /** Absolute URL of the instance's dashboard, when the dashboard is configured (OSB `dashboard_url`). */
  dashboardUrl?: string;
}

export interface DeleteResult {
  /** False when the id was unknown (410). */
  existed: boolean;
}

/** Operations are synchronous: a resource either exists or was deleted; never seen is a 404 error. */
export type ResourceStatus = 'exists' | 'deleted';
