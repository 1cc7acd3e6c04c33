import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CloudController } from './support/cc.ts';
import { testEnv } from './support/harness.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterAll(() => database?.drop());

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `npm run broker` is `tsx broker/main.ts`; the env is built from scratch so the runner's own settings cannot leak in. */
function spawnBroker(env: Record<string, string>): {
  child: ChildProcess;
  output: () => Exited;
  exited: Promise<Exited>;
} {
  const child = spawn('node_modules/.bin/tsx', ['broker/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const output = () => ({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
  const exited = new Promise<Exited>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output, exited };
}

async function listeningPort(output: () => Exited, ms = 30_000): Promise<number> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const line of output().stdout.split('\n')) {
      if (line.includes('broker listening')) return (JSON.parse(line) as { port: number }).port;
    }
    if (output().code !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`broker did not start:\n${output().stdout}\n${output().stderr}`);
}

describe('broker/main.ts (npm run broker)', () => {
  it('migrates, answers the catalog on PORT, and exits 0 on SIGTERM', async () => {
    const broker = spawnBroker(testEnv(database.url, { PORT: '0', LOG_LEVEL: 'info' }));
    try {
      const port = await listeningPort(broker.output);
      const cc = new CloudController(`http://127.0.0.1:${port}`, { serviceId: '', planId: '' });
      const catalog = await cc.request('GET', '/v2/catalog');
      expect(catalog.status).toBe(200);
      const ids = (catalog.body.services as Array<{ id: string; plans: Array<{ id: string }> }>)[0]!;
      const real = new CloudController(cc.baseUrl, { serviceId: ids.id, planId: ids.plans[0]!.id });
      // The schema exists: main.ts migrated the empty database.
      expect((await real.provision(crypto.randomUUID())).status).toBe(201);
      broker.child.kill('SIGTERM');
      const exit = await broker.exited;
      expect(exit.code).toBe(0);
      expect(exit.stdout).toContain('broker stopping');
    } finally {
      if (broker.output().code === null) broker.child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits 1 with the one message listing every configuration problem', async () => {
    const broker = spawnBroker({ PORT: 'not-a-port' });
    const exit = await broker.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('Invalid configuration');
    for (const problem of ['DATABASE_URL', 'CREDENTIALS_KEY', 'BROKER_USERNAME', 'BROKER_PASSWORD', 'port']) {
      expect(exit.stderr).toContain(problem);
    }
    expect(exit.stdout).toBe('');
  }, 30_000);
});
