import { ConfigError, loadConfig } from '../common/config/index.ts';
import { connectDatabase } from '../common/db/connect.ts';
import { migrateWhenReachable } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { startScraper } from './app.ts';

/**
 * `npm run scraper`: config from the environment, database migrated (waiting for it if it is not up yet),
 * scraper started. SIGTERM (CF stops or scales down) drains in-flight scrapes before exiting 0; invalid
 * config prints its one message and exits 1.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig('scraper');
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name: 'scraper' });
  const db = connectDatabase(config.database, logger);
  let stopping = false;
  let stop: () => Promise<void> = () => db.destroy();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining in-flight requests');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: (err as Error).message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await migrateWhenReachable(db, logger, () => stopping);
    if (stopping) return;
    const scraper = await startScraper({ config, db, logger });
    // One line a harness can parse to find the bound port (PORT=0 in tests).
    logger.info({ url: scraper.url }, 'scraper started');
    stop = async () => {
      await scraper.close();
      await db.destroy();
    };
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'scraper failed to start');
    await db.destroy().catch(() => {});
    process.exit(1);
  }
}

void main();
