import { randomUUID } from 'node:crypto';
import { cfContext, type OsbClient } from '../local/osb-client.ts';
import type { Sandbox } from '../sandbox/index.ts';

export interface BenchSpace {
  guid: string;
  /** `promregator_up ... 1` lines the merged output has once every instance is discovered and up. */
  instances: number;
  /** `Authorization` header of the space's service key. */
  authorization: string;
}

/**
 * One space of `apps` × `instances` payload-mode apps (~`payloadBytes` of realistic series each),
 * registered as an app developer would, through the broker: a service instance, every app bound
 * (`auth: none`, so targets need no credentials) and a service key whose credentials the bench scrapes
 * with.
 */
export async function registerSpace(
  sandbox: Sandbox,
  osb: OsbClient,
  catalog: { serviceId: string; planId: string },
  spec: {
    org: { guid: string; name: string };
    name: string;
    apps: number;
    instances: number;
    payloadBytes: number;
  },
): Promise<BenchSpace> {
  const c = sandbox.control;
  const space = c.createSpace(spec.org.guid, spec.name);
  const context = cfContext({
    orgGuid: spec.org.guid,
    orgName: spec.org.name,
    spaceGuid: space.guid,
    spaceName: space.name,
  });
  const ids = { service_id: catalog.serviceId, plan_id: catalog.planId };
  const instanceId = randomUUID();
  const expect = (what: string, status: number) => {
    if (status !== 201) throw new Error(`${what}: broker answered ${status}`);
  };
  const provision = await osb.call('PUT', `/v2/service_instances/${instanceId}`, {
    ...ids,
    organization_guid: spec.org.guid,
    space_guid: space.guid,
    context: { ...context, instance_name: 'metrics', instance_annotations: {} },
  });
  expect('provision', provision.status);
  for (let a = 0; a < spec.apps; a++) {
    const app = c.createApp({
      spaceGuid: space.guid,
      name: `${spec.name}-app-${a}`,
      instances: spec.instances,
      metrics: { format: 'payload', payloadBytes: spec.payloadBytes },
    });
    const bind = await osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
      {
        ...ids,
        app_guid: app.guid,
        bind_resource: { app_guid: app.guid, space_guid: space.guid, app_annotations: {} },
        context,
        parameters: { auth: { type: 'none' } },
      },
    );
    expect('bind', bind.status);
  }
  const key = await osb.call('PUT', `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`, {
    ...ids,
    bind_resource: { credential_client_id: 'cc_service_key_client' },
    context,
  });
  expect('service key', key.status);
  const credentials = key.body.credentials as { username: string; password: string };
  return {
    guid: space.guid,
    instances: spec.apps * spec.instances,
    authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
  };
}
