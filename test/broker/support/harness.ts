import { PassThrough } from 'node:stream';
import { startBroker } from '../../../broker/server.ts';
import { buildConfig, type Config } from '../../../common/config/index.ts';
import type { Knex } from '../../../common/db/connect.ts';
import { createLogger } from '../../../common/logging.ts';
import type { HostResolver } from '../../../common/outbound/policy.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { fakeDns, PUBLIC_V4 } from '../../support/fake-dns.ts';

export const BROKER_USERNAME = 'cc-broker-user';
export const BROKER_PASSWORD = 'cc-broker-pass-0123';
export const CREDENTIALS_KEY = 'test-credentials-key-0123456789';
export const SCRAPER_PUBLIC_URL = 'https://promregator.apps.example.com';

export function testEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    BROKER_USERNAME,
    BROKER_PASSWORD,
    CREDENTIALS_KEY,
    SCRAPER_PUBLIC_URL,
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

export interface TestBroker {
  url: string;
  config: Readonly<Config>;
  db: Knex;
  /** Every log line written so far. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * A broker over real HTTP on 127.0.0.1 (port 0), on a fresh database of its own unless one is given,
 * with its log captured for inspection. Host names of tenant URLs resolve through `resolveHost`; by
 * default every name but localhost gets a public address, and no DNS server is asked.
 */
export async function startTestBroker(
  options: { databaseUrl?: string; db?: Knex; env?: Record<string, string>; resolveHost?: HostResolver } = {},
): Promise<TestBroker> {
  let database: TestDatabase | undefined;
  let db = options.db;
  let databaseUrl = options.databaseUrl;
  if (!db) {
    database = await createTestDatabase();
    db = database.db;
    databaseUrl = database.url;
  }
  const config = buildConfig('broker', {
    env: testEnv(databaseUrl ?? 'postgres://unused@127.0.0.1/x', options.env),
  });
  let captured = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    captured += chunk.toString('utf8');
  });
  const logger = createLogger({ level: 'debug', name: 'broker', destination: stream });
  const resolveHost =
    options.resolveHost ?? fakeDns({ localhost: ['127.0.0.1', '::1'] }, [PUBLIC_V4]).resolve;
  const broker = await startBroker({ config, db, logger, port: 0, host: '127.0.0.1', resolveHost });
  return {
    url: broker.url,
    config,
    db,
    logs: () => captured,
    async close() {
      await broker.close();
      await database?.drop();
    },
  };
}
