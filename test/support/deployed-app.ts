import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Sandbox } from '../../sandbox/index.ts';

/** The repository root (this file is test/support/deployed-app.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ManifestApp {
  name: string;
  command: string;
  memory: string;
  env: Record<string, string | number | boolean>;
}

export function readManifest(root = REPO_ROOT): ManifestApp[] {
  return (parse(readFileSync(join(root, 'manifest.yml'), 'utf8')) as { applications: ManifestApp[] })
    .applications;
}

export function manifestApp(name: string, root = REPO_ROOT): ManifestApp {
  const app = readManifest(root).find((a) => a.name === name);
  if (!app) throw new Error(`manifest.yml has no application ${name}`);
  return app;
}

/**
 * The app's start command as argv. manifest.yml commands are plain words (no shell syntax), which the
 * manifest test holds them to, so splitting on blanks is what the container's shell would do too.
 */
export function startArgv(app: ManifestApp): string[] {
  return app.command.trim().split(/\s+/);
}

/**
 * manifest.yml's ((variables)) for apps running against a sandbox foundation: the CC, its login, the
 * gorouter to connect to, and empty values for the optional ones. `own` sets the rest (keys, routes,
 * catalog ids) and may override any of these.
 */
export function sandboxManifestVars(sandbox: Sandbox, own: Record<string, string>): Record<string, string> {
  return {
    log_level: 'info',
    cf_api_url: sandbox.ccUrl,
    cf_client_id: sandbox.admin.clientId,
    cf_client_secret: sandbox.admin.clientSecret,
    cf_username: '',
    cf_password: '',
    cf_skip_ssl_validation: 'true',
    scrape_connect_to: sandbox.routerAddress,
    xsuaa_read_scope: 'Read',
    credentials_key_previous: '',
    oauth2_token_hosts: '',
    dashboard_client_id: '',
    dashboard_client_secret: '',
    ...own,
  };
}

/**
 * The manifest's `env:` block with each `((variable))` replaced from `vars` (as `cf push --vars-file`
 * does); a variable missing from `vars` is an error, so a new manifest variable cannot go untested.
 */
export function manifestEnv(app: ManifestApp, vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(app.env)) {
    env[name] = String(raw).replace(/\(\(([a-z0-9_]+)\)\)/g, (_, variable: string) => {
      const value = vars[variable];
      if (value === undefined) throw new Error(`no test value for ((${variable}))`);
      return value;
    });
  }
  return env;
}

/**
 * What `cf push` stages, in a fresh directory: the files it would upload (tracked and new files, minus
 * what .gitignore/.cfignore keep out: node_modules, dist), production dependencies only, as the Node.js
 * buildpack installs them (it stages with NPM_CONFIG_PRODUCTION=true), then the buildpack's
 * `heroku-postbuild` script. npm runs offline: everything comes from the local npm cache.
 */
export function stageLikeCfPush(root = REPO_ROOT): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'promregator-staged-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  const env = { ...process.env, NODE_ENV: 'production', NPM_CONFIG_PRODUCTION: 'true' };
  const run = (args: string[]) =>
    execFileSync('npm', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // Install scripts are skipped and re2's native addon is taken from the checkout's own install (same
  // Node, same machine): compiling it again from source costs minutes on a busy CI machine and proves
  // nothing `npm ci` of the checkout did not already. Our own addon (native/malloc-trim) is built here,
  // as the buildpack builds it: it takes seconds, and its build is what this staging must prove.
  run(['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund', '--ignore-scripts']);
  cpSync(join(root, 'node_modules/re2/build'), join(dir, 'node_modules/re2/build'), { recursive: true });
  run(['rebuild', '@promregator/malloc-trim']);
  run(['run', 'heroku-postbuild']);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

export interface StartedApp {
  child: ChildProcess;
  /** The process group id: the app's processes are the members of this group. */
  pgid: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `argv` in `cwd` as the container would (its own process group, only the given environment
 * plus PATH) and resolves once `GET /healthz` answers 200 on `port`.
 */
export async function startApp(options: {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  timeoutMs?: number;
}): Promise<StartedApp> {
  const [command, ...args] = options.argv;
  if (command !== 'node') throw new Error(`start command must run node: ${options.argv.join(' ')}`);
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${options.port}`;
  const started: StartedApp = {
    child,
    pgid: child.pid as number,
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(started.pgid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(started.pgid, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return started;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await started.stop();
      throw new Error(`${args.join(' ')}: no 200 from /healthz: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
