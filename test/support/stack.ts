import { startBroker } from '../../broker/server.ts';
import { buildConfig, type Config } from '../../common/config/index.ts';
import { createLogger } from '../../common/logging.ts';
import type { HostResolver } from '../../common/outbound/policy.ts';
import { OsbClient } from '../../local/osb-client.ts';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/index.ts';
import { startScraper } from '../../scraper/app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { fakeDns } from './fake-dns.ts';

export interface Stack {
  sandbox: Sandbox;
  database: TestDatabase;
  config: Config;
  brokerUrl: string;
  scraperUrl: string;
  osb: OsbClient;
  stop(): Promise<void>;
}

/**
 * The whole product in-process, wired the way `npm start` wires it: a fresh database, the sandbox
 * foundation, the scraper (whose URL goes into service keys) and the broker. For end-to-end tests.
 * Host names of tenant URLs resolve through the given resolvers (default: localhost only), one for the
 * broker's bind-time check and one for the scraper's connect-time check, never through a DNS server.
 */
export async function startStack(
  options: {
    sandbox?: SandboxOptions;
    env?: Record<string, string>;
    resolveHost?: { broker?: HostResolver; scraper?: HostResolver };
  } = {},
): Promise<Stack> {
  const database = await createTestDatabase();
  const sandbox = await startSandbox(options.sandbox);
  const env = {
    DATABASE_URL: database.url,
    BROKER_USERNAME: 'broker-user',
    BROKER_PASSWORD: 'broker-pass',
    CREDENTIALS_KEY: 'e2e-credentials-key-0123456789',
    CF_API_URL: sandbox.ccUrl,
    CF_CLIENT_ID: sandbox.admin.clientId,
    CF_CLIENT_SECRET: sandbox.admin.clientSecret,
    CF_SKIP_SSL_VALIDATION: 'true',
    SCRAPE_CONNECT_TO: sandbox.routerAddress,
    LOG_LEVEL: 'warn',
    DISCOVERY_RESYNC_MS: '5000',
    // The sandbox (its UAA a token endpoint of oauth2 bindings) lives on loopback.
    OUTBOUND_ALLOW_PRIVATE: 'true',
    DISCOVERY_EVENTS_MS: '500',
    ...options.env,
  };
  const base = buildConfig('local', { env });
  const logger = createLogger({ level: base.logLevel, name: 'e2e' });
  const localOnly = fakeDns({ localhost: ['127.0.0.1', '::1'] }).resolve;
  const scraper = await startScraper({
    config: base,
    db: database.db,
    logger,
    port: 0,
    resolveHost: options.resolveHost?.scraper ?? localOnly,
  });
  const config: Config = { ...base, scraperPublicUrl: scraper.url };
  const broker = await startBroker({
    config,
    db: database.db,
    logger,
    port: 0,
    resolveHost: options.resolveHost?.broker ?? localOnly,
  });
  return {
    sandbox,
    database,
    config,
    brokerUrl: broker.url,
    scraperUrl: scraper.url,
    osb: new OsbClient(broker.url, config.broker.username, config.broker.password),
    async stop() {
      await broker.close();
      await scraper.close();
      await sandbox.stop();
      await database.drop();
    },
  };
}
