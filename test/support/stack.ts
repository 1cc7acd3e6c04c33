import { startBroker } from '../../broker/server.ts';
import { buildConfig, type Config } from '../../common/config/index.ts';
import { createLogger } from '../../common/logging.ts';
import { OsbClient } from '../../local/osb-client.ts';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../sandbox/index.ts';
import { startScraper } from '../../scraper/app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

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
 */
export async function startStack(
  options: { sandbox?: SandboxOptions; env?: Record<string, string> } = {},
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
    DISCOVERY_EVENTS_MS: '500',
    ...options.env,
  };
  const base = buildConfig('local', { env });
  const logger = createLogger({ level: base.logLevel, name: 'e2e' });
  const scraper = await startScraper({ config: base, db: database.db, logger, port: 0 });
  const config: Config = { ...base, scraperPublicUrl: scraper.url };
  const broker = await startBroker({ config, db: database.db, logger, port: 0 });
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
