import type express from 'express';
import type { Config } from '../common/config/types.ts';
import type { Knex } from '../common/db/connect.ts';
import type { Logger } from '../common/logging.ts';
import type { HostResolver } from '../common/outbound/policy.ts';
import { createHttpApp } from './http/create-http-app.ts';
import { createBrokerService } from './service/broker-service.ts';

export interface BrokerAppOptions {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  /** How the broker resolves the hosts of tenant-named URLs; default the system resolver (tests inject one). */
  resolveHost?: HostResolver;
}

/** The broker as an express application over the given database; no listening, no globals. */
export function createBrokerApp(options: BrokerAppOptions): express.Application {
  const { config, db, logger } = options;
  return createHttpApp({
    broker: createBrokerService({
      config,
      db,
      ...(options.resolveHost && { resolveHost: options.resolveHost }),
    }),
    credentials: { username: config.broker.username, password: config.broker.password },
    logger,
  });
}
