import { createLogger } from '../../../common/logging.ts';
import { SecretKeys } from '../../../common/secrets.ts';
import type { Sandbox } from '../../../sandbox/index.ts';
import { type BindingsStore, createBindingsStore } from '../../../scraper/bindings/index.ts';
import type { CloudControllerClient } from '../../../scraper/cf/index.ts';
import {
  createDiscovery,
  type DiscoveryDeps,
  type DiscoveryEngine,
} from '../../../scraper/discovery/index.ts';
import type { TestDatabase } from '../../support/database.ts';
import { sandboxClient } from '../cf/sandbox-client.ts';

export const keys = new SecretKeys('discovery-test-key');
export const logger = createLogger({ level: 'silent', name: 'test' });

export interface Stack {
  bindings: BindingsStore;
  cc: CloudControllerClient;
  discovery: DiscoveryEngine;
  stop(): Promise<void>;
}

/** Bindings store + CC client + discovery over a test database and a sandbox, started in app order. */
export async function startStack(
  tdb: TestDatabase,
  sandbox: Sandbox,
  options: Partial<Omit<DiscoveryDeps, 'cc' | 'bindings' | 'logger'>> & {
    ccMaxRetries?: number;
    ccTimeoutMs?: number;
  } = {},
): Promise<Stack> {
  const { ccMaxRetries, ccTimeoutMs, ...discoveryOptions } = options;
  const bindings = createBindingsStore({ db: tdb.db, databaseUrl: tdb.url, keys, logger, resyncMs: 60_000 });
  await bindings.start();
  const cc = sandboxClient(sandbox, { maxRetries: ccMaxRetries ?? 1, timeoutMs: ccTimeoutMs ?? 2_000 });
  const discovery = createDiscovery({
    cc,
    bindings,
    logger,
    ttlMs: 60_000,
    guidsPerRequest: 100,
    retryMs: 100,
    ...discoveryOptions,
  });
  await discovery.start();
  return {
    bindings,
    cc,
    discovery,
    async stop() {
      await discovery.stop();
      await bindings.stop();
      await cc.close();
    },
  };
}
