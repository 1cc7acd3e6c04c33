import { startBroker } from '../broker/server.ts';
import { buildConfig, type Config, ConfigError, loadConfig } from '../common/config/index.ts';
import { connectDatabase, type Knex } from '../common/db/connect.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../common/db/embedded.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { randomSecret } from '../common/secrets.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import { startScraper } from '../scraper/app.ts';
import { printBanner } from './banner.ts';
import { registerDashboardClient, registerDemo, waitUntilServed } from './demo-registration.ts';
import { OsbClient } from './osb-client.ts';

/**
 * `npm start`: the whole product on one machine with no configuration. Whatever the environment does not
 * provide is supplied here: an embedded PostgreSQL, the sandbox foundation, generated secrets. Everything
 * started is stopped again on Ctrl-C, the database server included.
 */
async function main(): Promise<void> {
  let base: Readonly<Config>;
  try {
    base = loadConfig('local');
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: base.logLevel, name: 'local' });
  const stops: Array<() => Promise<unknown>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => logger.warn({ err: error }, 'stop failed'));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    let embedded: EmbeddedDatabase | undefined;
    let databaseUrl = base.database.url;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres();
      stops.push(() => embedded!.destroy());
      databaseUrl = embedded.url;
    }

    let sandbox: Sandbox | undefined;
    if (!base.cf.apiUrl) {
      sandbox = await startSandbox({ seed: 'demo' });
      stops.push(() => sandbox!.stop());
    }

    const config = localConfig(base, databaseUrl, sandbox);
    const db: Knex = connectDatabase(config.database, logger);
    stops.push(() => db.destroy());
    await migrateToLatest(db);

    // The scraper first: its address goes into the service keys the broker issues.
    const scraperPort = base.port === 0 ? 0 : base.port + 1;
    const scraper = await onFreePort(scraperPort, (port) =>
      startScraper({ config, db, logger: createLogger({ level: base.logLevel, name: 'scraper' }), port }),
    );
    stops.push(() => scraper.close());
    const withScraperUrl: Config = { ...config, scraperPublicUrl: scraper.url };
    const broker = await onFreePort(base.port, (port) =>
      startBroker({
        config: withScraperUrl,
        db,
        logger: createLogger({ level: base.logLevel, name: 'broker' }),
        port,
      }),
    );
    stops.push(() => broker.close());

    const osb = new OsbClient(broker.url, config.broker.username, config.broker.password);
    // What cf create-service-broker has the CC do with the catalog's dashboard_client.
    if (sandbox) await registerDashboardClient(sandbox, osb);
    const demo = sandbox ? await registerDemo(sandbox, osb, config.broker.catalog) : undefined;
    if (demo) await waitUntilServed(demo.serviceKey);
    printBanner({
      brokerUrl: broker.url,
      scraperUrl: scraper.url,
      config: withScraperUrl,
      sandbox,
      demo,
      embeddedDir: embedded?.dataDir,
    });
  } catch (error) {
    logger.error({ err: error }, 'local start failed');
    await stopAll(1);
  }
}

/** The usual ports when free; any free port when another program holds them (a second checkout, say). */
async function onFreePort<T>(port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    return start(0);
  }
}

/** Local defaults for what a deployment must set explicitly; the sandbox when no foundation is named. */
function localConfig(base: Readonly<Config>, databaseUrl: string, sandbox: Sandbox | undefined): Config {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    BROKER_USERNAME: base.broker.username || 'admin',
    BROKER_PASSWORD: base.broker.password || randomSecret(12),
    CREDENTIALS_KEY: base.credentialsKey || randomSecret(32),
    ...(sandbox && {
      CF_API_URL: sandbox.ccUrl,
      CF_CLIENT_ID: sandbox.admin.clientId,
      CF_CLIENT_SECRET: sandbox.admin.clientSecret,
      CF_SKIP_SSL_VALIDATION: 'true',
      SCRAPE_CONNECT_TO: sandbox.routerAddress,
      // The dashboard's SSO client; the sandbox UAA learns it from the catalog, as CF's UAA does.
      DASHBOARD_CLIENT_ID: base.dashboard.clientId ?? 'promregator-dashboard',
      DASHBOARD_CLIENT_SECRET: base.dashboard.clientSecret ?? randomSecret(24),
    }),
  };
  return { ...buildConfig('local', { env }) };
}

void main();
