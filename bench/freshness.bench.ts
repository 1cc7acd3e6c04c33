// Freshness: time from the broker's 201 for a new app binding to the first appearance of that app's
// instances in the per-space output. Goal (issue 4, BENCHMARKS.md): median < 2 s over 20 bindings.
// Baseline printed beside it: the time one space scrape takes once the app is known (the floor any
// freshness measurement includes).
// Run: npm run bench:freshness
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { startBroker } from '../broker/server.ts';
import { buildConfig, type Config } from '../common/config/index.ts';
import { connectDatabase } from '../common/db/connect.ts';
import { startEmbeddedPostgres } from '../common/db/embedded.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { cfContext, OsbClient } from '../local/osb-client.ts';
import { startSandbox } from '../sandbox/index.ts';
import { startScraper } from '../scraper/app.ts';

const ROUNDS = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres();
  const sandbox = await startSandbox();
  const env = {
    DATABASE_URL: pg.url,
    CREDENTIALS_KEY: 'freshness-bench-key-0123456789',
    BROKER_USERNAME: 'b',
    BROKER_PASSWORD: 'p',
    CF_API_URL: sandbox.ccUrl,
    CF_CLIENT_ID: sandbox.admin.clientId,
    CF_CLIENT_SECRET: sandbox.admin.clientSecret,
    CF_SKIP_SSL_VALIDATION: 'true',
    SCRAPE_CONNECT_TO: sandbox.routerAddress,
    LOG_LEVEL: 'warn',
  };
  const base = buildConfig('local', { env });
  const db = connectDatabase(base.database);
  await migrateToLatest(db);
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const scraper = await startScraper({ config: base, db, logger, port: 0 });
  const config: Config = { ...base, scraperPublicUrl: scraper.url };
  const broker = await startBroker({ config, db, logger, port: 0 });
  const osb = new OsbClient(broker.url, 'b', 'p');

  const org = sandbox.control.createOrg('bench-org');
  const space = sandbox.control.createSpace(org.guid, 'bench-space');
  const ctx = { orgGuid: org.guid, orgName: org.name, spaceGuid: space.guid, spaceName: space.name };
  const ids = { service_id: config.broker.catalog.serviceId, plan_id: config.broker.catalog.planId };
  const instanceId = randomUUID();
  await osb.call('PUT', `/v2/service_instances/${instanceId}`, {
    ...ids,
    organization_guid: org.guid,
    space_guid: space.guid,
    context: cfContext(ctx, { instance_name: 'bench' }),
  });
  const key = (
    await osb.call('PUT', `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`, {
      ...ids,
      bind_resource: {},
      context: cfContext(ctx),
    })
  ).body.credentials as { url: string; username: string; password: string };
  const authorization = `Basic ${Buffer.from(`${key.username}:${key.password}`).toString('base64')}`;
  const scrape = async () => {
    const response = await request(key.url, { headers: { authorization } });
    return { status: response.statusCode, body: await response.body.text() };
  };

  const freshness: number[] = [];
  const scrapeTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const app = sandbox.control.createApp({ spaceGuid: space.guid, name: `fresh-${round}`, instances: 2 });
    const bind = await osb.call(
      'PUT',
      `/v2/service_instances/${instanceId}/service_bindings/${randomUUID()}`,
      {
        ...ids,
        app_guid: app.guid,
        bind_resource: { app_guid: app.guid, space_guid: space.guid },
        context: cfContext(ctx),
        parameters: { auth: { type: 'none' } },
      },
    );
    if (bind.status !== 201) throw new Error(`bind answered ${bind.status}`);
    const bound = performance.now();
    const marker = `cf_instance_id="${app.guid}:1"`;
    for (;;) {
      const { status, body } = await scrape();
      if (status === 200 && body.includes(marker)) break;
      if (performance.now() - bound > 30_000) throw new Error(`app ${app.name} never appeared`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    freshness.push(performance.now() - bound);
    const t = performance.now();
    await scrape();
    scrapeTimes.push(performance.now() - t);
  }

  const fresh = median(freshness);
  const floor = median(scrapeTimes);
  console.log(
    `freshness over ${ROUNDS} bindings: median ${fresh.toFixed(0)} ms, max ${Math.max(...freshness).toFixed(0)} ms`,
  );
  console.log(
    `baseline (one space scrape of a known app): median ${floor.toFixed(1)} ms; ratio ${(fresh / floor).toFixed(1)}x`,
  );
  console.log(`goal < 2000 ms: ${fresh < 2000 ? 'met' : 'NOT met'}`);

  await broker.close();
  await scraper.close();
  await db.destroy();
  await sandbox.stop();
  await pg.destroy();
}

void main();
