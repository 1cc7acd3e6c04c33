import { type ChildProcess, spawn } from 'node:child_process';

export interface ScraperProcess {
  url: string;
  pid: number;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crashed container: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts `scraper/main.ts` in a process of its own (as `npm run scraper` does) and waits for its
 * "scraper started" log line with the bound URL. For tests whose client load must not share the
 * scraper's event loop, or that need process-level settings such as NODE_EXTRA_CA_CERTS.
 */
export function spawnScraper(
  env: Record<string, string>,
  /** Node arguments; default: the TypeScript entry point through tsx, as `npm run scraper`. */
  nodeArgs: readonly string[] = ['--import', 'tsx', '--single-threaded-gc', 'scraper/main.ts'],
): Promise<ScraperProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scraper did not start:\n${output}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"scraper started"/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        // Only the start line was needed: later output is dropped instead of growing a string.
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({
          url: m[1],
          pid: child.pid ?? 0,
          stop: () =>
            new Promise<number | null>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
          kill: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`scraper exited ${code}:\n${output}`)));
  });
}
