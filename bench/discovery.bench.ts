// Discovery cost (BENCHMARKS.md "Discovery and freshness"): 1,000 bound apps in the database, a fresh
// discovery (new CC client: root document + token included) → Cloud Controller requests until all 1,000
// apps are in the view; then a full refresh with nothing changed. Goals: cold ≤ 40 requests, refresh no more.
// Baseline in the same run: the same code without batching (one GUID per filter), i.e. what a per-app
// client costs. Rounds alternate A (batched) and B (unbatched); medians are printed.
// Then the foundation-scale run (bench/discovery-foundation.ts): 10,000 bound apps, 3 scraper instances,
// shared view + audit events beside today's independent discoverers. FOUNDATION=0 skips it.
// Run: npx tsx --expose-gc bench/discovery.bench.ts   (or npm run bench:discovery)
import { connectDatabase } from '../common/db/connect.ts';
import { startEmbeddedPostgres } from '../common/db/embedded.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
import { createLogger } from '../common/logging.ts';
import { SecretKeys } from '../common/secrets.ts';
import { startSandbox } from '../sandbox/index.ts';
import { createBindingsStore } from '../scraper/bindings/index.ts';
import { createCloudControllerClient } from '../scraper/cf/index.ts';
import { createDiscovery } from '../scraper/discovery/index.ts';
import { insertAppBindings, insertInstance } from '../test/scraper/bindings/rows.ts';
import { runFoundation } from './discovery-foundation.ts';

const APPS = 1_000;
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const TTL_MS = 60_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Round {
  coldRequests: number;
  coldMs: number;
  refreshRequests: number;
  refreshMs: number;
}

async function main(): Promise<void> {
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const [pg, sandbox] = await Promise.all([startEmbeddedPostgres(), startSandbox()]);
  const db = connectDatabase({ url: pg.url, poolMax: 4, acquireTimeoutMs: 5_000 });
  try {
    await migrateToLatest(db);
    const org = sandbox.control.createOrg('bench-org');
    const space = sandbox.control.createSpace(org.guid, 'bench-space');
    const guids: string[] = [];
    for (let i = 0; i < APPS; i++) {
      guids.push(
        sandbox.control.createApp({
          spaceGuid: space.guid,
          name: `app-${i}`,
          instances: 1,
          metrics: { format: 'payload', payloadBytes: 64 },
        }).guid,
      );
    }
    const instanceId = await insertInstance(db, { orgGuid: org.guid, spaceGuid: space.guid });
    await insertAppBindings(db, instanceId, guids);
    const keys = new SecretKeys('bench-key');
    const bindings = createBindingsStore({ db, databaseUrl: pg.url, keys, logger, resyncMs: 3_600_000 });
    await bindings.start();
    console.log(`landscape: ${APPS} apps × 1 instance, ${bindings.snapshot().targets.length} bindings`);

    async function round(guidsPerRequest: number): Promise<Round> {
      let now = Date.now();
      const cc = createCloudControllerClient({
        config: {
          apiUrl: sandbox.ccUrl,
          clientId: sandbox.admin.clientId,
          clientSecret: sandbox.admin.clientSecret,
          skipSslValidation: false,
        },
        logger,
      });
      const discovery = createDiscovery({
        cc,
        bindings,
        logger,
        ttlMs: TTL_MS,
        guidsPerRequest,
        clock: () => now,
      });
      const count = () => {
        const c = sandbox.control.requestCounts();
        return (c.total ?? 0) + (c['POST /oauth/token'] ?? 0);
      };
      try {
        sandbox.control.resetRequestCounts();
        let started = performance.now();
        await discovery.start();
        const cold = discovery.view();
        const coldMs = performance.now() - started;
        const scrapable = cold.targets.filter((t) => t.status === 'scrapable').length;
        if (scrapable !== APPS) throw new Error(`cold discovery found ${scrapable} scrapable apps`);
        const coldRequests = count();

        sandbox.control.resetRequestCounts();
        now += TTL_MS + 1;
        started = performance.now();
        discovery.view(); // stale: starts the background refresh
        while (discovery.view().refreshedAt <= cold.refreshedAt) await new Promise((r) => setTimeout(r, 1));
        const refreshMs = performance.now() - started;
        return { coldRequests, coldMs, refreshRequests: count(), refreshMs };
      } finally {
        await discovery.stop();
        await cc.close();
      }
    }

    const batched: Round[] = [];
    const unbatched: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      batched.push(await round(100));
      unbatched.push(await round(1));
    }
    const report = (name: string, rounds: Round[]) => {
      const r = {
        cold: median(rounds.map((x) => x.coldRequests)),
        coldMs: median(rounds.map((x) => x.coldMs)),
        refresh: median(rounds.map((x) => x.refreshRequests)),
        refreshMs: median(rounds.map((x) => x.refreshMs)),
      };
      console.log(
        `${name.padEnd(38)} cold: ${String(r.cold).padStart(5)} requests ${r.coldMs.toFixed(0).padStart(6)} ms` +
          `   refresh (nothing changed): ${String(r.refresh).padStart(5)} requests ${r.refreshMs.toFixed(0).padStart(6)} ms`,
      );
      return r;
    };
    console.log(`medians of ${ROUNDS} alternating rounds (CC + UAA requests, wall time):`);
    const a = report('batched (100 GUIDs/request)', batched);
    const b = report('baseline: unbatched (1 GUID/request)', unbatched);
    console.log(
      `ratio requests baseline/batched: cold ${(b.cold / a.cold).toFixed(1)}×, refresh ${(b.refresh / a.refresh).toFixed(1)}×;` +
        ` time cold ${(b.coldMs / a.coldMs).toFixed(1)}×`,
    );
    const ok = a.cold <= 40 && a.refresh <= a.cold;
    console.log(
      `goal cold ≤ 40 and refresh ≤ cold: ${ok ? 'met' : 'MISSED'} (cold ${a.cold}, refresh ${a.refresh})`,
    );
    await bindings.stop();
    if (!ok) process.exitCode = 1;
    if (process.env.FOUNDATION !== '0') {
      // A landscape of its own: a fresh sandbox, the same database emptied of the 1,000-app rows.
      await db('service_bindings').delete();
      await db('service_instances').delete();
      const foundation = await startSandbox();
      try {
        if (!(await runFoundation(foundation, db, pg.url, logger))) process.exitCode = 1;
      } finally {
        await foundation.stop();
      }
    }
  } finally {
    await db.destroy();
    await sandbox.stop();
    await pg.destroy();
  }
}

await main();
