import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../broker/server.ts';
import { buildConfig, type Config } from '../../common/config/index.ts';
import { createLogger } from '../../common/logging.ts';
import { SecretKeys } from '../../common/secrets.ts';
import { cfContext, OsbClient, type SpaceContext } from '../../local/osb-client.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { startScraper } from '../../scraper/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { eventually } from '../support/eventually.ts';

const KEY_A = 'rotation-test-key-A-0123456789';
const KEY_B = 'rotation-test-key-B-0123456789';
const logger = createLogger({ level: 'silent', name: 'rotation' });

/** Broker and scraper of one configuration over the shared database: "restarting both apps". */
async function startApps(database: TestDatabase, sandbox: Sandbox, env: Record<string, string>) {
  const base = buildConfig('local', {
    env: {
      DATABASE_URL: database.url,
      BROKER_USERNAME: 'broker-user',
      BROKER_PASSWORD: 'broker-pass',
      CF_API_URL: sandbox.ccUrl,
      CF_CLIENT_ID: sandbox.admin.clientId,
      CF_CLIENT_SECRET: sandbox.admin.clientSecret,
      CF_SKIP_SSL_VALIDATION: 'true',
      SCRAPE_CONNECT_TO: sandbox.routerAddress,
      LOG_LEVEL: 'silent',
      DISCOVERY_TTL_MS: '1000',
      ...env,
    },
  });
  const scraper = await startScraper({ config: base, db: database.db, logger, port: 0 });
  const config: Config = { ...base, scraperPublicUrl: scraper.url };
  const broker = await startBroker({ config, db: database.db, logger, port: 0 });
  return {
    scraperUrl: scraper.url,
    osb: new OsbClient(broker.url, 'broker-user', 'broker-pass'),
    async stop() {
      await broker.close();
      await scraper.close();
    },
  };
}
type Apps = Awaited<ReturnType<typeof startApps>>;
type Credentials = Record<string, string>;

describe('rotating CREDENTIALS_KEY', () => {
  let database: TestDatabase;
  let sandbox: Sandbox;
  let apps: Apps | undefined;
  let space: SpaceContext;
  const instanceId = randomUUID();
  const before: {
    key?: Credentials;
    derivedAppGuid?: string;
    derivedBindingId?: string;
    derived?: Credentials;
  } = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startSandbox();
    const c = sandbox.control;
    const org = c.createOrg('org-rotation');
    const s = c.createSpace(org.guid, 'space-rotation');
    space = { orgGuid: org.guid, orgName: org.name, spaceGuid: s.guid, spaceName: s.name };
  });
  afterAll(async () => {
    await apps?.stop();
    await sandbox?.stop();
    await database?.drop();
  });

  async function restart(env: Record<string, string>): Promise<Apps> {
    await apps?.stop();
    apps = await startApps(database, sandbox, env);
    return apps;
  }

  async function bindApp(name: string, parameters: Record<string, unknown>) {
    const auth = (parameters.auth as { type: 'basic'; username: string; password: string }) ?? {
      type: 'none',
    };
    const app = sandbox.control.createApp({ spaceGuid: space.spaceGuid, name, auth });
    const bindingId = randomUUID();
    const res = await apps!.osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${bindingId}`,
      {
        ...ids(),
        app_guid: app.guid,
        bind_resource: { app_guid: app.guid, space_guid: space.spaceGuid },
        context: cfContext(space),
        parameters,
      },
    );
    expect(res.status).toBe(201);
    const credentials = res.body.credentials as Credentials;
    // The app checks what it found in VCAP_SERVICES, as a real one does.
    if (credentials.password !== undefined) {
      sandbox.control.setAppAuth(app.guid, {
        type: 'basic',
        username: credentials.username!,
        password: credentials.password!,
      });
    }
    return { appGuid: app.guid, bindingId, credentials };
  }

  async function createKey(): Promise<Credentials> {
    const res = await apps!.osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
      {
        ...ids(),
        bind_resource: {},
        context: cfContext(space),
      },
    );
    expect(res.status).toBe(201);
    return res.body.credentials as Credentials;
  }

  const ids = () => ({
    service_id: 'a4b5c6d0-6e0f-4f8a-9c57-1d0e5f3b7a21',
    plan_id: '3f1c9b2e-8d47-4a6b-b0f5-7c2e9d4a1b63',
  });

  /** `promregator_up` per app name, as the key sees the space; the status when it is refused. */
  async function upByApp(key: Credentials): Promise<Record<string, string> | number> {
    const auth = Buffer.from(`${key.username}:${key.password}`).toString('base64');
    const res = await request(`${apps!.scraperUrl}/v1/spaces/${space.spaceGuid}/metrics`, {
      headers: { authorization: `Basic ${auth}` },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return res.statusCode;
    const up: Record<string, string> = {};
    for (const line of text.split('\n')) {
      const m = /^promregator_up\{.*app_name="([^"]+)".*\} (\d)/.exec(line);
      if (m) up[m[1]!] = m[2]!;
    }
    return up;
  }

  /** Waits until the key sees every app in `want` with that up value; reports the last answer if not. */
  async function untilUp(key: Credentials, want: Record<string, string>): Promise<void> {
    await eventually(async () => {
      const up = await upByApp(key);
      const ok = typeof up === 'object' && Object.entries(want).every(([app, v]) => up[app] === v);
      if (!ok) throw new Error(JSON.stringify(up));
      return true;
    });
  }

  it('everything issued before a rotation keeps working; new credentials use the new key', async () => {
    await restart({ CREDENTIALS_KEY: KEY_A });
    const provision = await apps!.osb.call('PUT', `/v2/service_instances/${instanceId}`, {
      ...ids(),
      organization_guid: space.orgGuid,
      space_guid: space.spaceGuid,
      context: cfContext(space, { instance_name: 'metrics' }),
    });
    expect(provision.status).toBe(201);
    const derived = await bindApp('derived-a', {});
    // Its password is the developer's own secret, stored encrypted: re-encrypted under the new key.
    await bindApp('basic-a', { auth: { type: 'basic', username: 'u', password: 'p:w' } });
    before.key = await createKey();
    before.derived = derived.credentials;
    before.derivedBindingId = derived.bindingId;
    await untilUp(before.key!, { 'derived-a': '1', 'basic-a': '1' });

    await restart({ CREDENTIALS_KEY: KEY_B, CREDENTIALS_KEY_PREVIOUS: KEY_A });
    const after = await bindApp('derived-b', {});
    const newKey = await createKey();
    expect(after.credentials.password).not.toBe(before.derived.password);
    await untilUp(before.key!, { 'derived-a': '1', 'basic-a': '1', 'derived-b': '1' });
    expect(await upByApp(newKey)).toMatchObject({ 'derived-a': '1', 'derived-b': '1' });

    // The broker returns the credentials the app and Prometheus already hold, not new ones.
    const reread = await apps!.osb.call(
      'GET',
      `/v2/service_instances/${instanceId}/service_bindings/${before.derivedBindingId}`,
    );
    expect((reread.body.credentials as Credentials).password).toBe(before.derived.password);

    // What could be moved is under the new key now: encrypted secrets and request digests.
    const b = new SecretKeys(KEY_B);
    const rows = (await database.db('service_bindings').select('secrets', 'credentials_key_id')) as {
      secrets: string | null;
      credentials_key_id: string;
    }[];
    for (const row of rows) if (row.secrets) expect(row.secrets.startsWith(`v2.${b.currentId}.`)).toBe(true);
    expect(new Set(rows.map((r) => r.credentials_key_id)).size).toBe(2);

    // Once the previous key is removed, only what was issued under it stops working.
    await restart({ CREDENTIALS_KEY: KEY_B });
    expect(await upByApp(before.key!)).toBe(401);
    await untilUp(newKey, { 'basic-a': '1', 'derived-b': '1' });
    expect(await upByApp(newKey)).not.toHaveProperty('derived-a');
  });
});
