import { ConfigError, loadConfig } from '../common/config/index.ts';
import { connectDatabase } from '../common/db/connect.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { startScraper } from './app.ts';

/**
 * `npm run scraper`: config from the environment, database migrated, scraper started. SIGTERM (CF stops
 * or scales down) drains in-flight scrapes before exiting 0; invalid config prints its one message and
 * exits 1.
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
  try {
    await migrateToLatest(db);
    const scraper = await startScraper({ config, db, logger });
    // One line a harness can parse to find the bound port (PORT=0 in tests).
    logger.info({ url: scraper.url }, 'scraper started');
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: draining in-flight requests');
      void scraper
        .close()
        .then(() => db.destroy())
        .then(() => process.exit(0))
        .catch((err: unknown) => {
          logger.error({ err: (err as Error).message }, 'stop failed');
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'scraper failed to start');
    await db.destroy().catch(() => {});
    process.exit(1);
  }
}

void main();
