import { ConfigError, loadConfig } from '../common/config/index.ts';
import { connectDatabase } from '../common/db/connect.ts';
import { migrateWhenReachable } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { startBroker } from './server.ts';

/** `npm run broker`: what manifest.yml runs on Cloud Foundry. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig('broker');
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: 'broker' });
  const db = connectDatabase(config.database, logger);
  let stopping = false;
  let stop: () => Promise<void> = async () => {
    await db.destroy();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'broker stopping');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'broker stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  await migrateWhenReachable(db, logger, () => stopping);
  if (stopping) return;
  const broker = await startBroker({ config, db, logger });
  stop = async () => {
    await broker.close();
    await db.destroy();
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
