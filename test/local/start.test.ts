import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npm start did not exit')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The newcomer's path: `npm start`, copy the printed curl, run it, Ctrl-C. */
describe('npm start (local mode)', () => {
  it('prints a working curl for merged metrics and leaves nothing behind after SIGINT', async () => {
    // Straight to tsx (what `npm start` runs), so the signal reaches our process and not only npm.
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: '', CF_API_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const curlLine = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no curl printed:\n${output}`)), 90_000);
        const check = () => {
          const line = /^\s*(curl -u '[^']+' http:\/\/\S+\/v1\/spaces\/\S+\/metrics)\s*$/m.exec(output)?.[1];
          if (line) {
            clearTimeout(timer);
            child.stdout!.off('data', check);
            resolve(line);
          }
        };
        child.stdout!.on('data', check);
        child.once('exit', () => reject(new Error(`npm start exited early:\n${output}`)));
      });

      const { stdout } = await run('sh', ['-c', `${curlLine} --silent --show-error --fail`]);
      expect(stdout).toMatch(/^promregator_up\{.*cf_instance_id="[0-9a-f-]+:\d+".*\} 1$/m);
      // Every demo instance is scraped, also the one with a non-default metrics path.
      expect(stdout).not.toMatch(/^promregator_up\{.*\} 0$/m);
      expect(stdout).toMatch(/^sandbox_instance_index\{.*org_name=.*\} \d+$/m);

      // The printed dashboard URL leads to the sandbox UAA's login, with the printed user.
      const dashboard = /^\s*(http:\/\/127\.0\.0\.1:\d+\/dashboard\/instances\/\S+)\s*$/m.exec(output)?.[1];
      expect(dashboard, output).toBeDefined();
      expect(output).toMatch(/log in as developer \/ \S+, a space developer/);
      const { stdout: login } = await run('sh', [
        '-c',
        `curl --silent --output /dev/null --write-out '%{http_code} %{redirect_url}' '${dashboard}'`,
      ]);
      expect(login).toMatch(/^302 http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?/);

      const ports = [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
      const dataDirs = [...output.matchAll(/(\/\S*promregator-pg-\S+)/g)].map((m) => m[1]!);
      expect(dataDirs.length).toBe(1);
      child.kill('SIGINT');
      expect(await waitForExit(child, 30_000)).toBe(0);
      for (const port of new Set(ports)) expect(await portOpen(port), `port ${port}`).toBe(false);
      for (const dir of dataDirs) expect(existsSync(dir)).toBe(false);
      const { stdout: processes } = await run('sh', ['-c', 'ps -eo args']);
      for (const dir of dataDirs) expect(processes).not.toContain(dir);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
