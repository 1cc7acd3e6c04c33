import { randomUUID } from 'node:crypto';
import { BROKER_PASSWORD, BROKER_USERNAME } from './harness.ts';

/** Requests shaped exactly as the Cloud Controller sends them (OSB.md, "What the Cloud Controller sends"). */

export const ORG_GUID = '8a2b5c1e-0d0f-4b7e-9c5e-1f2a3b4c5d6e';
export const SPACE_GUID = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';
export const APP_GUID = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';
export const USER_GUID = '683ea748-3092-4ff4-b656-39cacc4d5360';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when it was not JSON. */
  body: Record<string, unknown>;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body text, sent as is (malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string | undefined>;
  /** Omit ?accepts_incomplete=true (the CC always sends it on PUT/PATCH/DELETE). */
  noAcceptsIncomplete?: boolean;
}

export function basic(username = BROKER_USERNAME, password = BROKER_PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function originatingIdentity(userId = USER_GUID): string {
  return `cloudfoundry ${Buffer.from(JSON.stringify({ user_id: userId })).toString('base64')}`;
}

export class CloudController {
  constructor(
    readonly baseUrl: string,
    readonly catalogIds: { serviceId: string; planId: string },
  ) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const writes = method === 'PUT' || method === 'PATCH' || method === 'DELETE';
    let url = this.baseUrl + path;
    if (writes && !options.noAcceptsIncomplete)
      url += `${url.includes('?') ? '&' : '?'}accepts_incomplete=true`;
    const headers: Record<string, string> = {};
    const defaults: Record<string, string | undefined> = {
      Authorization: basic(),
      'X-Broker-Api-Version': '2.15',
      'X-Broker-API-Request-Identity': randomUUID(),
      'X-Broker-API-Originating-Identity': originatingIdentity(),
      Accept: 'application/json',
      ...(options.body !== undefined || options.rawBody !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...options.headers,
    };
    for (const [k, v] of Object.entries(defaults)) if (v !== undefined) headers[k] = v;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(url, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined as unknown as Record<string, unknown>;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  context(extra: Record<string, unknown> = {}) {
    return {
      platform: 'cloudfoundry',
      organization_guid: ORG_GUID,
      space_guid: SPACE_GUID,
      organization_name: 'my-org',
      space_name: 'my-space',
      organization_annotations: {},
      space_annotations: {},
      ...extra,
    };
  }

  /** `cf create-service promregator standard NAME [-c parameters]` */
  provisionBody(parameters?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return {
      service_id: this.catalogIds.serviceId,
      plan_id: this.catalogIds.planId,
      organization_guid: ORG_GUID,
      space_guid: SPACE_GUID,
      context: this.context({ instance_name: 'metrics', instance_annotations: {} }),
      ...(parameters && { parameters }),
      maintenance_info: { version: '1.0.0' },
      ...extra,
    };
  }

  provision(id: string, parameters?: Record<string, unknown>, extra?: Record<string, unknown>) {
    return this.request('PUT', `/v2/service_instances/${id}`, {
      body: this.provisionBody(parameters, extra),
    });
  }

  /** `cf update-service`: plan_id always, parameters {} when none given, previous_values. */
  updateBody(parameters: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return {
      service_id: this.catalogIds.serviceId,
      plan_id: this.catalogIds.planId,
      parameters,
      previous_values: {
        plan_id: this.catalogIds.planId,
        service_id: this.catalogIds.serviceId,
        organization_id: ORG_GUID,
        space_id: SPACE_GUID,
        maintenance_info: { version: '1.0.0' },
      },
      context: this.context({ instance_name: 'metrics' }),
      ...extra,
    };
  }

  update(id: string, parameters?: Record<string, unknown>, extra?: Record<string, unknown>) {
    return this.request('PATCH', `/v2/service_instances/${id}`, { body: this.updateBody(parameters, extra) });
  }

  /** `cf bind-service APP NAME [-c parameters]` */
  bindAppBody(parameters?: Record<string, unknown>, appGuid = APP_GUID) {
    return {
      service_id: this.catalogIds.serviceId,
      plan_id: this.catalogIds.planId,
      app_guid: appGuid,
      bind_resource: { app_guid: appGuid, space_guid: SPACE_GUID, app_annotations: {} },
      context: this.context(),
      ...(parameters && { parameters }),
    };
  }

  bindApp(instanceId: string, bindingId: string, parameters?: Record<string, unknown>, appGuid?: string) {
    return this.request('PUT', `/v2/service_instances/${instanceId}/service_bindings/${bindingId}`, {
      body: this.bindAppBody(parameters, appGuid),
    });
  }

  /** `cf create-service-key NAME KEY`: no app_guid; bind_resource {} or the CC's credential client. */
  keyBody(parameters?: Record<string, unknown>) {
    return {
      service_id: this.catalogIds.serviceId,
      plan_id: this.catalogIds.planId,
      bind_resource: { credential_client_id: 'cc_service_key_client' },
      context: this.context(),
      ...(parameters && { parameters }),
    };
  }

  createKey(instanceId: string, bindingId: string, parameters?: Record<string, unknown>) {
    return this.request('PUT', `/v2/service_instances/${instanceId}/service_bindings/${bindingId}`, {
      body: this.keyBody(parameters),
    });
  }

  /** `cf delete-service` / unbind / delete-service-key: ids in the query, no body. */
  deleteQuery() {
    return `plan_id=${this.catalogIds.planId}&service_id=${this.catalogIds.serviceId}`;
  }

  deprovision(id: string) {
    return this.request('DELETE', `/v2/service_instances/${id}?${this.deleteQuery()}`);
  }

  unbind(instanceId: string, bindingId: string) {
    return this.request(
      'DELETE',
      `/v2/service_instances/${instanceId}/service_bindings/${bindingId}?${this.deleteQuery()}`,
    );
  }
}
