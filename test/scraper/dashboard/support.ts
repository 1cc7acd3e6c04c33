import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { startBroker } from '../../../broker/server.ts';
import { buildConfig, type Config } from '../../../common/config/index.ts';
import { createLogger } from '../../../common/logging.ts';
import { cfContext, OsbClient, type SpaceContext } from '../../../local/osb-client.ts';
import { type Sandbox, type SandboxApp, startSandbox } from '../../../sandbox/index.ts';
import { startScraper } from '../../../scraper/app.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { eventually } from '../../support/eventually.ts';

export const DASHBOARD_CLIENT = { id: 'promregator-dashboard', secret: 'dashboard-secret-0123456789' };

/**
 * The product wired as `npm start` wires it, with a dashboard client registered in the sandbox UAA the
 * way the CC does it at create-service-broker (from the catalog's dashboard_client), a clock the tests
 * can move forward, and one org with two spaces: `home` (an app bound to a service instance, a service
 * key) and `elsewhere`.
 */
export interface DashboardStack {
  sandbox: Sandbox;
  database: TestDatabase;
  scraperUrl: string;
  config: Config;
  instanceId: string;
  app: SandboxApp;
  home: SpaceContext;
  elsewhere: SpaceContext;
  serviceKey: { url: string; username: string; password: string };
  /** Moves the scraper's clock forward. */
  advance(ms: number): void;
  /** A Prometheus scrape of the home space through the service key (what the dashboard then shows). */
  scrape(): Promise<string>;
  /** A sandbox user with the given roles in a space. */
  user(spaceGuid: string, roles: string[]): { username: string; password: string };
  stop(): Promise<void>;
}

export async function startDashboardStack(
  options: { appName?: string; env?: Record<string, string> } = {},
): Promise<DashboardStack> {
  let offset = 0;
  const clock = () => Date.now() + offset;
  const database = await createTestDatabase();
  const sandbox = await startSandbox();
  const env = {
    DATABASE_URL: database.url,
    BROKER_USERNAME: 'broker-user',
    BROKER_PASSWORD: 'broker-pass',
    CREDENTIALS_KEY: 'dashboard-credentials-key-0123456789',
    CF_API_URL: sandbox.ccUrl,
    CF_CLIENT_ID: sandbox.admin.clientId,
    CF_CLIENT_SECRET: sandbox.admin.clientSecret,
    CF_SKIP_SSL_VALIDATION: 'true',
    SCRAPE_CONNECT_TO: sandbox.routerAddress,
    DASHBOARD_CLIENT_ID: DASHBOARD_CLIENT.id,
    DASHBOARD_CLIENT_SECRET: DASHBOARD_CLIENT.secret,
    LOG_LEVEL: 'warn',
    DISCOVERY_TTL_MS: '1000',
    DISCOVERY_RESYNC_MS: '5000',
    ...options.env,
  };
  const base = buildConfig('local', { env });
  const logger = createLogger({ level: base.logLevel, name: 'dashboard-test' });
  const scraper = await startScraper({ config: base, db: database.db, logger, port: 0, clock });
  const config: Config = { ...base, scraperPublicUrl: scraper.url };
  const broker = await startBroker({ config, db: database.db, logger, port: 0 });
  const osb = new OsbClient(broker.url, config.broker.username, config.broker.password);

  // What `cf create-service-broker` does with the catalog's dashboard_client.
  const catalog = await osb.call('GET', '/v2/catalog');
  const service = (catalog.body.services as Array<Record<string, unknown>>)[0];
  sandbox.control.registerDashboardClient(
    service?.dashboard_client as { id: string; secret: string; redirect_uri: string },
  );

  const org = sandbox.control.createOrg('acme');
  const homeSpace = sandbox.control.createSpace(org.guid, 'home');
  const otherSpace = sandbox.control.createSpace(org.guid, 'elsewhere');
  const home = { orgGuid: org.guid, orgName: org.name, spaceGuid: homeSpace.guid, spaceName: homeSpace.name };
  const elsewhere = { ...home, spaceGuid: otherSpace.guid, spaceName: otherSpace.name };
  const app = sandbox.control.createApp({
    spaceGuid: home.spaceGuid,
    name: options.appName ?? 'checkout',
    host: 'checkout',
    instances: 2,
  });

  const ids = { service_id: config.broker.catalog.serviceId, plan_id: config.broker.catalog.planId };
  const instanceId = randomUUID();
  const provisioned = await osb.call('PUT', `/v2/service_instances/${instanceId}`, {
    ...ids,
    organization_guid: home.orgGuid,
    space_guid: home.spaceGuid,
    context: cfContext(home, { instance_name: 'metrics' }),
  });
  if (provisioned.status !== 201) throw new Error(`provision: ${provisioned.status}`);
  sandbox.control.registerServiceInstance({ guid: instanceId, name: 'metrics', spaceGuid: home.spaceGuid });
  const bound = await osb.call(
    'PUT',
    `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
    {
      ...ids,
      app_guid: app.guid,
      bind_resource: { app_guid: app.guid, space_guid: home.spaceGuid },
      context: cfContext(home),
      parameters: { auth: { type: 'none' } },
    },
  );
  if (bound.status !== 201) throw new Error(`bind: ${bound.status}`);
  const keyId = randomUUID();
  const key = await osb.call('PUT', `/v2/service_instances/${instanceId}/service_bindings/${keyId}`, {
    ...ids,
    bind_resource: {},
    context: cfContext(home),
  });
  // The CC keeps the key's name (cf create-service-key metrics prometheus).
  sandbox.control.registerServiceKey({ guid: keyId, name: 'prometheus', serviceInstanceGuid: instanceId });
  const serviceKey = key.body.credentials as { url: string; username: string; password: string };
  const authorization = `Basic ${Buffer.from(`${serviceKey.username}:${serviceKey.password}`).toString('base64')}`;
  const scrape = async () => {
    const res = await request(serviceKey.url, { headers: { authorization } });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`scrape: ${res.statusCode}`);
    return text;
  };
  // Served once the scraper has the binding and discovery has the app.
  await eventually(
    async () => ((await scrape()).includes('promregator_up{') ? true : undefined),
    15_000,
    'first scrape',
  );

  let users = 0;
  return {
    sandbox,
    database,
    scraperUrl: scraper.url,
    config,
    instanceId,
    app,
    home,
    elsewhere,
    serviceKey,
    advance(ms) {
      offset += ms;
    },
    scrape,
    user(spaceGuid, roles) {
      const username = `user-${++users}`;
      const password = `pw-${randomUUID()}`;
      sandbox.control.addUser(username, password);
      sandbox.control.setSpaceRoles(username, spaceGuid, roles);
      return { username, password };
    },
    async stop() {
      await broker.close();
      await scraper.close();
      await sandbox.stop();
      await database.drop();
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A minimal browser for plain HTTP tests: one cookie jar, redirects followed by hand. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.send('GET', url, undefined, headers);
  }

  async send(
    method: 'GET' | 'POST',
    url: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await request(url, {
      method,
      headers: {
        accept: 'text/html',
        ...(cookie && { cookie }),
        ...(body !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }),
        ...headers,
      },
      ...(body !== undefined && { body }),
    });
    const set = res.headers['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  /** Dashboard → UAA form → sign in → callback → dashboard: the redirects a browser follows. */
  async login(dashboardUrl: string, user: { username: string; password: string }): Promise<Reply> {
    const start = await this.get(dashboardUrl);
    if (start.status !== 302) return start;
    const authorize = new URL(String(start.headers.location));
    const form = new URLSearchParams(authorize.searchParams);
    form.set('username', user.username);
    form.set('password', user.password);
    form.set('action', 'login');
    const signedIn = await this.send('POST', `${authorize.origin}/oauth/authorize`, form.toString());
    if (signedIn.status !== 302) return signedIn;
    const callback = await this.get(String(signedIn.headers.location));
    if (callback.status !== 302) return callback;
    return this.get(new URL(String(callback.headers.location), dashboardUrl).toString());
  }
}
