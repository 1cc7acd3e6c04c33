import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { buildConfig, type Config } from '../../../../common/config/index.ts';
import { connectDatabase } from '../../../../common/db/connect.ts';
import { createLogger } from '../../../../common/logging.ts';
import type { HostResolver } from '../../../../common/outbound/policy.ts';
import { randomSecret, SecretKeys } from '../../../../common/secrets.ts';
import { splitSecrets as splitTargetSecrets } from '../../../../common/targets.ts';
import { type Sandbox, startSandbox } from '../../../../sandbox/index.ts';
import { type RunningScraper, startScraper } from '../../../../scraper/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../support/database.ts';
import { fakeDns } from '../../../support/fake-dns.ts';

export interface ScraperFixture {
  sandbox: Sandbox;
  database: TestDatabase;
  config: Readonly<Config>;
  keys: SecretKeys;
  scraper: RunningScraper;
  /** A service instance row, as the broker stores it. */
  addInstance(space: {
    orgGuid: string;
    orgName: string;
    spaceGuid: string;
    spaceName: string;
  }): Promise<string>;
  /** An app binding row (secret parameters encrypted, as the broker does). */
  bindApp(instanceId: string, appGuid: string, parameters?: Record<string, unknown>): Promise<string>;
  /** A sandbox org and space, a service instance in it and one service key: the usual test start. */
  addKeyedSpace(
    orgName: string,
    spaceName: string,
  ): Promise<{ spaceGuid: string; instanceId: string; authorization: string }>;
  /** A service key row: only the salted hash of the password is stored. */
  addKey(instanceId: string): Promise<{ username: string; password: string; authorization: string }>;
  unbind(bindingId: string): Promise<void>;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }>;
  /** Another scraper instance on the same database and sandbox (closed by stop()). */
  addReplica(env?: Record<string, string>): Promise<RunningScraper>;
  /** GET against a given scraper instance. */
  getAt(
    scraper: RunningScraper,
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }>;
  stop(): Promise<void>;
}

export const ENV_DEFAULTS = {
  BROKER_USERNAME: 'broker-user',
  BROKER_PASSWORD: 'broker-pass',
  CREDENTIALS_KEY: 'scraper-test-credentials-key-0123',
  CF_SKIP_SSL_VALIDATION: 'true',
  LOG_LEVEL: 'warn',
  DISCOVERY_TTL_MS: '1000',
  DISCOVERY_RESYNC_MS: '5000',
  // The sandbox UAA, a token endpoint of oauth2 bindings, lives on loopback.
  OUTBOUND_ALLOW_PRIVATE: 'true',
  DISCOVERY_EVENTS_MS: '300',
  DISCOVERY_LEADER_RETRY_MS: '300',
} as const;

/** The env a scraper needs against this sandbox and database. */
export function scraperEnv(sandbox: Sandbox, database: TestDatabase, extra: Record<string, string> = {}) {
  return {
    ...ENV_DEFAULTS,
    DATABASE_URL: database.url,
    CF_API_URL: sandbox.ccUrl,
    CF_CLIENT_ID: sandbox.admin.clientId,
    CF_CLIENT_SECRET: sandbox.admin.clientSecret,
    SCRAPE_CONNECT_TO: sandbox.routerAddress,
    ...extra,
  };
}

/**
 * Real sandbox, real PostgreSQL, real scraper in-process; rows inserted the way the broker stores them.
 * Token URL hosts resolve through `resolveHost` (default: localhost only), never through a DNS server.
 */
export async function startScraperFixture(
  env: Record<string, string> = {},
  options: { resolveHost?: HostResolver } = {},
): Promise<ScraperFixture> {
  const database = await createTestDatabase();
  const sandbox = await startSandbox();
  const config = buildConfig('scraper', { env: scraperEnv(sandbox, database, env) });
  const keys = new SecretKeys(config.credentialsKey);
  const logger = createLogger({ level: config.logLevel, name: 'scraper-test' });
  const resolveHost = options.resolveHost ?? fakeDns({ localhost: ['127.0.0.1', '::1'] }).resolve;
  const scraper = await startScraper({ config, db: database.db, logger, port: 0, resolveHost });
  const db = database.db;
  const replicas: RunningScraper[] = [];
  const fixture: ScraperFixture = {
    sandbox,
    database,
    config,
    keys,
    scraper,
    async addInstance(space) {
      const id = randomUUID();
      await db('service_instances').insert({
        id,
        service_id: 'svc',
        plan_id: 'plan',
        organization_guid: space.orgGuid,
        organization_name: space.orgName,
        space_guid: space.spaceGuid,
        space_name: space.spaceName,
        parameters: JSON.stringify({}),
        request_digest: 'digest',
      });
      return id;
    },
    async addKeyedSpace(orgName, spaceName) {
      const org = sandbox.control.createOrg(orgName);
      const space = sandbox.control.createSpace(org.guid, spaceName);
      const instanceId = await fixture.addInstance({
        orgGuid: org.guid,
        orgName: org.name,
        spaceGuid: space.guid,
        spaceName: space.name,
      });
      const { authorization } = await fixture.addKey(instanceId);
      return { spaceGuid: space.guid, instanceId, authorization };
    },
    async bindApp(instanceId, appGuid, parameters = {}) {
      const id = randomUUID();
      const { open, secrets } = splitTargetSecrets(parameters);
      await db('service_bindings').insert({
        id,
        instance_id: instanceId,
        kind: 'app',
        app_guid: appGuid,
        parameters: JSON.stringify(open),
        secrets: secrets ? keys.encrypt(JSON.stringify(secrets)) : null,
        request_digest: 'digest',
      });
      return id;
    },
    async addKey(instanceId) {
      const id = randomUUID();
      const salt = randomSecret(12);
      const username = `key-${id.slice(0, 8)}`;
      const password = keys.serviceKeyPassword(id, salt);
      await db('service_bindings').insert({
        id,
        instance_id: instanceId,
        kind: 'key',
        key_username: username,
        key_password_hash: keys.keyPasswordVerifier(password),
        credentials_key_id: keys.currentId,
        key_salt: salt,
        request_digest: 'digest',
      });
      const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      return { username, password, authorization };
    },
    async unbind(bindingId) {
      await db('service_bindings').where('id', bindingId).delete();
    },
    async get(path, headers = {}) {
      return fixture.getAt(scraper, path, headers);
    },
    async getAt(target, path, headers = {}) {
      const res = await request(`${target.url}${path}`, { headers });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    },
    async addReplica(extra = {}) {
      const replicaConfig = buildConfig('scraper', {
        env: scraperEnv(sandbox, database, { ...env, ...extra }),
      });
      // Its own pool, as another app instance would have.
      const pool = connectDatabase({ url: database.url, poolMax: 4, acquireTimeoutMs: 5_000 });
      const replica = await startScraper({ config: replicaConfig, db: pool, logger, port: 0 });
      let closing: Promise<void> | undefined;
      const handle: RunningScraper = {
        url: replica.url,
        close: (graceMs) => {
          closing ??= replica.close(graceMs).then(() => pool.destroy());
          return closing;
        },
      };
      replicas.push(handle);
      return handle;
    },
    async stop() {
      await Promise.all(replicas.map((r) => r.close(1_000)));
      await scraper.close(1_000);
      await sandbox.stop();
      await database.drop();
    },
  };
  return fixture;
}

/** Lines of a text exposition whose metric name is `name` (with or without labels). */
export function samples(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

/** The value of label `label` in a sample line. */
export function labelOf(line: string, label: string): string | undefined {
  const m = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(line);
  return m?.[1];
}

export { eventually } from '../../../support/eventually.ts';
