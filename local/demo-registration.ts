import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { randomSecret } from '../common/secrets.ts';
import type { Sandbox, SandboxApp } from '../sandbox/index.ts';
import { cfContext, type OsbClient, type SpaceContext } from './osb-client.ts';

/**
 * Bind parameters a developer would pass for the demo apps, e.g. the Spring-Boot-like `checkout`:
 * `cf bind-service checkout metrics -c '{"path":"/actuator/prometheus"}'`.
 */
export const DEMO_BIND_PARAMETERS: Readonly<Record<string, Record<string, unknown>>> = {
  checkout: { path: '/actuator/prometheus' },
};

export interface DemoRegistration {
  space: SpaceContext;
  instanceId: string;
  apps: SandboxApp[];
  serviceKey: Record<string, unknown>;
  /** The instance's dashboard and a sandbox user (space developer of its space) to log in with. */
  dashboard?: { url: string; username: string; password: string };
}

/** Creates the UAA client of the catalog's dashboard_client, as the CC does at create-service-broker. */
export async function registerDashboardClient(sandbox: Sandbox, osb: OsbClient): Promise<void> {
  const catalog = await osb.call('GET', '/v2/catalog');
  const client = (catalog.body.services as Array<{ dashboard_client?: unknown }> | undefined)?.[0]
    ?.dashboard_client as { id: string; secret: string; redirect_uri: string } | undefined;
  if (client) sandbox.control.registerDashboardClient(client);
}

async function sandboxToken(sandbox: Sandbox): Promise<string> {
  const basic = Buffer.from(`${sandbox.admin.clientId}:${sandbox.admin.clientSecret}`).toString('base64');
  const response = await request(`${sandbox.uaaUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await response.body.json()) as { access_token: string }).access_token;
}

/** Names come from the Cloud Controller, as the real CC would put them into the OSB context. */
async function spaceContext(sandbox: Sandbox, spaceGuid: string): Promise<SpaceContext> {
  const token = await sandboxToken(sandbox);
  const get = async (path: string) => {
    const response = await request(`${sandbox.ccUrl}${path}`, {
      headers: { authorization: `bearer ${token}` },
    });
    return (await response.body.json()) as {
      name: string;
      relationships?: { organization?: { data?: { guid: string } } };
    };
  };
  const space = await get(`/v3/spaces/${spaceGuid}`);
  const orgGuid = space.relationships?.organization?.data?.guid ?? '';
  const org = await get(`/v3/organizations/${orgGuid}`);
  return { orgGuid, orgName: org.name, spaceGuid, spaceName: space.name };
}

function expectOk(what: string, status: number, expected: number[]): void {
  if (!expected.includes(status)) throw new Error(`demo registration: ${what} answered ${status}`);
}

/**
 * Registers what an app developer would with `cf create-service`, `cf bind-service` (each app of the
 * busiest demo space) and `cf create-service-key`, through the broker's OSB API. Each app is then told its
 * binding credentials, as a real app reads them from VCAP_SERVICES to protect its metrics endpoint.
 */
export async function registerDemo(
  sandbox: Sandbox,
  osb: OsbClient,
  catalog: { serviceId: string; planId: string },
): Promise<DemoRegistration> {
  const apps = sandbox.control.listApps().filter((app) => app.state === 'STARTED' && app.routes.length > 0);
  const bySpace = new Map<string, SandboxApp[]>();
  for (const app of apps) bySpace.set(app.spaceGuid, [...(bySpace.get(app.spaceGuid) ?? []), app]);
  const [spaceGuid, spaceApps] = [...bySpace.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!spaceGuid || !spaceApps)
    throw new Error('demo registration: the sandbox has no started app with a route');
  const space = await spaceContext(sandbox, spaceGuid);

  const ids = { service_id: catalog.serviceId, plan_id: catalog.planId };
  const instanceId = randomUUID();
  const provision = await osb.call('PUT', `/v2/service_instances/${instanceId}`, {
    ...ids,
    organization_guid: space.orgGuid,
    space_guid: space.spaceGuid,
    context: cfContext(space, { instance_name: 'metrics', instance_annotations: {} }),
  });
  expectOk('create-service', provision.status, [201]);
  // The CC knows its service instances; the dashboard asks it who may see this one.
  sandbox.control.registerServiceInstance({ guid: instanceId, name: 'metrics', spaceGuid: space.spaceGuid });
  let dashboard: DemoRegistration['dashboard'];
  if (typeof provision.body.dashboard_url === 'string') {
    const developer = { username: 'developer', password: randomSecret(9) };
    sandbox.control.addUser(developer.username, developer.password);
    sandbox.control.setSpaceRoles(developer.username, space.spaceGuid, ['space_developer']);
    dashboard = { url: provision.body.dashboard_url, ...developer };
  }

  for (const app of spaceApps) {
    const bindingId = randomUUID();
    const bind = await osb.call('PUT', `/v2/service_instances/${instanceId}/service_bindings/${bindingId}`, {
      ...ids,
      app_guid: app.guid,
      bind_resource: { app_guid: app.guid, space_guid: space.spaceGuid, app_annotations: {} },
      context: cfContext(space),
      ...(DEMO_BIND_PARAMETERS[app.name] && { parameters: DEMO_BIND_PARAMETERS[app.name] }),
    });
    expectOk(`bind-service ${app.name}`, bind.status, [201]);
    const credentials = bind.body.credentials as { username?: string; password?: string } | undefined;
    if (credentials?.username && credentials.password) {
      sandbox.control.setAppAuth(app.guid, {
        type: 'basic',
        username: credentials.username,
        password: credentials.password,
      });
    }
  }

  const keyId = randomUUID();
  const key = await osb.call('PUT', `/v2/service_instances/${instanceId}/service_bindings/${keyId}`, {
    ...ids,
    bind_resource: { credential_client_id: 'cc_service_key_client' },
    context: cfContext(space),
  });
  expectOk('create-service-key', key.status, [201]);
  sandbox.control.registerServiceKey({ guid: keyId, name: 'prometheus', serviceInstanceGuid: instanceId });
  return {
    space,
    instanceId,
    apps: spaceApps,
    serviceKey: key.body.credentials as Record<string, unknown>,
    ...(dashboard && { dashboard }),
  };
}

/**
 * The scraper learns of new bindings within a moment (NOTIFY), not instantly: print the curl only once it
 * answers, so the first thing a newcomer copies works.
 */
export async function waitUntilServed(
  serviceKey: Record<string, unknown>,
  timeoutMs = 15_000,
): Promise<void> {
  const authorization = `Basic ${Buffer.from(`${String(serviceKey.username)}:${String(serviceKey.password)}`).toString('base64')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await request(String(serviceKey.url), { headers: { authorization } });
    await response.body.dump();
    if (response.statusCode === 200) return;
    if (Date.now() > deadline)
      throw new Error(`the scraper did not serve the demo space (status ${response.statusCode})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
