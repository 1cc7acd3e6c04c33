import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../common/config/types.ts';
import type { Knex } from '../common/db/connect.ts';
import { rekeyStoredSecrets } from '../common/db/rekey.ts';
import type { Logger } from '../common/logging.ts';
import type { HostResolver } from '../common/outbound/policy.ts';
import { SecretKeys } from '../common/secrets.ts';
import { createBrokerApp } from './app.ts';

export interface StartBrokerOptions {
  config: Readonly<Config>;
  /** Owned by the caller: close() leaves it open. */
  db: Knex;
  logger: Logger;
  /** Defaults to config.port; 0 picks a free port. */
  port?: number;
  /** Defaults to all interfaces (what Cloud Foundry needs). */
  host?: string;
  /** How long close() lets in-flight requests finish before cutting connections. */
  shutdownGraceMs?: number;
  /** How tenant-named hosts are resolved at bind; default the system resolver. */
  resolveHost?: HostResolver;
}

export interface RunningBroker {
  /** Base URL to reach the broker from this machine. */
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), then resolves. */
  close(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const { config } = options;
  await rekeyStoredSecrets(
    options.db,
    new SecretKeys(config.credentialsKey, config.credentialsKeyPrevious),
    options.logger,
  );
  const app = createBrokerApp(options);
  const server = createServer(app);
  // The CC waits up to 60 s for an answer; keep-alive connections must outlive its idle reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? options.config.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host =
    !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger.info({ port }, 'broker listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
