// Memory (BENCHMARKS.md): resident memory of each deployed app, the VmRSS of every process of its process
// group sampled every 25 ms (bench/memory-sampler.ts), with the apps built (`npm run build`) and started
// exactly as manifest.yml starts them (command, flags, env), on an embedded Postgres and the sandbox.
// Landscape, registered through the broker's OSB API: one space of 50 apps × 4 instances × ~100 KB, and
// 40 small spaces of 4 apps × 2 instances × ~10 KB.
// Phases: warm-up (3 big-space scrapes on each path, 2 rounds of the 40 concurrent clients), 60 s of rest,
// idle figures; then the peak during back-to-back 200 × 100 KB scrapes (production path: Prometheus's
// headers, gzip; plain path: identity), then the peak while 40 clients scrape their small space
// concurrently (production path). Baseline in the same run: an empty node HTTP server (the floor).
// Goals: scraper idle ≤ 100 MB, 200-instance peak ≤ 160 MB, 40 concurrent ≤ 200 MB; broker idle ≤ 80 MB.
// With BIG_BODY=1, one more space (50 apps × 4 instances × ~430 KB) and a last phase: the peak during
// back-to-back scrapes of it (production path). Goal ≤ 300 MB.
// Run: npm run bench:memory   (REST_S=10 for a quicker, unofficial run; RUNS=5 scrapes per peak phase;
// SCRAPER_ENV='{"MALLOC_MMAP_THRESHOLD_":"32768"}' adds settings to the scraper's manifest environment)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { freePort, startEmbeddedPostgres } from '../common/db/embedded.ts';
import { OsbClient } from '../local/osb-client.ts';
import { startSandbox } from '../sandbox/index.ts';
import {
  manifestApp,
  manifestEnv,
  REPO_ROOT,
  type StartedApp,
  sandboxManifestVars,
  startApp,
  startArgv,
} from '../test/support/deployed-app.ts';
import { type BenchSpace, registerSpace } from './memory-landscape.ts';
import { sampleGroups } from './memory-sampler.ts';
import { scraperEnvOverrides } from './scraper-env.ts';

const REST_S = Number(process.env.REST_S ?? 60);
const RUNS = Number(process.env.RUNS ?? 5);
const BIG_BODY = process.env.BIG_BODY === '1';
const CLIENTS = 40;
const BROKER = { username: 'bench', password: 'bench-broker-password' };
const CATALOG = {
  serviceId: 'e2b7c3f0-4a5d-4e6f-8a7b-9c0d1e2f3a4b',
  planId: 'f3c8d4a1-5b6e-4f7a-9b8c-0d1e2f3a4b5c',
};
const PRODUCTION = {
  accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
  'x-prometheus-scrape-timeout-seconds': '10',
};
const PLAIN = { accept: 'text/plain;version=0.0.4', 'accept-encoding': 'identity' };

/** User + system CPU time of a process so far, ms (/proc/<pid>/stat, 10 ms ticks). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const pg = await startEmbeddedPostgres();
  const sandbox = await startSandbox();
  const apps: StartedApp[] = [];
  const floor = spawn(
    process.execPath,
    ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1')"],
    { detached: true, stdio: 'ignore' },
  );
  const dispatcher = new Agent({ connections: CLIENTS * 2 });
  try {
    const scraperPort = await freePort();
    const vars = sandboxManifestVars(sandbox, {
      broker_username: BROKER.username,
      broker_password: BROKER.password,
      credentials_key: 'memory-bench-key-0123456789abcdef',
      scraper_route: `127.0.0.1:${scraperPort}`,
      catalog_service_id: CATALOG.serviceId,
      catalog_plan_id: CATALOG.planId,
    });
    const start = async (name: string, port: number) => {
      const app = manifestApp(name);
      const started = await startApp({
        argv: startArgv(app),
        cwd: REPO_ROOT,
        // Variables left empty are left unset, as an operator leaves out what they do not use.
        env: Object.fromEntries(
          Object.entries({
            ...manifestEnv(app, vars),
            DATABASE_URL: pg.url,
            ...(name === 'promregator-scraper' && scraperEnvOverrides()),
          }).filter(([, v]) => v !== ''),
        ),
        port,
      });
      apps.push(started);
      return started;
    };
    const broker = await start('promregator-broker', await freePort());
    const scraper = await start('promregator-scraper', scraperPort);
    const sampler = await sampleGroups([scraper.pgid, broker.pgid, floor.pid as number]);
    const SCRAPER = 0;
    const BROKER_GROUP = 1;
    const FLOOR = 2;

    const osb = new OsbClient(broker.url, BROKER.username, BROKER.password);
    const org = sandbox.control.createOrg('bench-org');
    const big = await registerSpace(sandbox, osb, CATALOG, {
      org,
      name: 'big',
      apps: 50,
      instances: 4,
      payloadBytes: 100_000,
    });
    const huge = BIG_BODY
      ? await registerSpace(sandbox, osb, CATALOG, {
          org,
          name: 'huge',
          apps: 50,
          instances: 4,
          payloadBytes: 430_000,
        })
      : undefined;
    const small: BenchSpace[] = [];
    for (let s = 0; s < CLIENTS; s++) {
      small.push(
        await registerSpace(sandbox, osb, CATALOG, {
          org,
          name: `small-${s}`,
          apps: 4,
          instances: 2,
          payloadBytes: 10_000,
        }),
      );
    }
    const brokerRegistrationPeak = sampler.peak(BROKER_GROUP);

    const scrape = async (space: BenchSpace, headers: Record<string, string>): Promise<number> => {
      const res = await request(`${scraper.url}/v1/spaces/${space.guid}/metrics`, {
        headers: { ...headers, authorization: space.authorization },
        dispatcher,
      });
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      if (res.statusCode !== 200) throw new Error(`space ${space.guid}: ${res.statusCode}`);
      return bytes;
    };
    // Discovery must know every instance, and every instance must answer, before anything is measured.
    for (const space of [big, ...small, ...(huge === undefined ? [] : [huge])]) {
      for (let i = 0; ; i++) {
        const res = await request(`${scraper.url}/v1/spaces/${space.guid}/metrics`, {
          headers: { ...PLAIN, authorization: space.authorization },
          dispatcher,
        });
        const up = (await res.body.text()).match(/^promregator_up\{.*\} 1$/gm)?.length ?? 0;
        if (up === space.instances) break;
        if (i > 200) throw new Error(`space ${space.guid}: only ${up} of ${space.instances} up`);
        await sleep(300);
      }
    }
    const concurrent = async (rounds: number) => {
      await Promise.all(
        small.map(async (space) => {
          for (let r = 0; r < rounds; r++) await scrape(space, PRODUCTION);
        }),
      );
    };

    for (let i = 0; i < 3; i++) {
      await scrape(big, PRODUCTION);
      await scrape(big, PLAIN);
    }
    await concurrent(2);
    await sleep(REST_S * 1000);
    const idle = {
      scraper: sampler.current(SCRAPER),
      broker: sampler.current(BROKER_GROUP),
      floor: sampler.current(FLOOR),
    };

    const peakOf = async (work: () => Promise<unknown>) => {
      sampler.resetPeaks();
      await work();
      await sleep(100);
      return sampler.peak(SCRAPER);
    };
    let productionBytes = 0;
    let plainBytes = 0;
    const cpu = { production: [] as number[], plain: [] as number[] };
    const peakProduction = await peakOf(async () => {
      for (let r = 0; r < RUNS; r++) {
        const c0 = cpuMsOf(scraper.pgid);
        productionBytes = await scrape(big, PRODUCTION);
        cpu.production.push(cpuMsOf(scraper.pgid) - c0);
      }
    });
    const peakPlain = await peakOf(async () => {
      for (let r = 0; r < RUNS; r++) {
        const c0 = cpuMsOf(scraper.pgid);
        plainBytes = await scrape(big, PLAIN);
        cpu.plain.push(cpuMsOf(scraper.pgid) - c0);
      }
    });
    const peakConcurrent = await peakOf(() => concurrent(RUNS));
    let hugeBytes = 0;
    const hugeCpu: number[] = [];
    const peakHuge =
      huge === undefined
        ? undefined
        : await peakOf(async () => {
            for (let r = 0; r < RUNS; r++) {
              const c0 = cpuMsOf(scraper.pgid);
              hugeBytes = await scrape(huge, PRODUCTION);
              hugeCpu.push(cpuMsOf(scraper.pgid) - c0);
            }
          });
    await sampler.stop();

    const verdict = (value: number, goalMb: number) =>
      `(goal ≤ ${goalMb} MB)  ${value <= goalMb * 1024 * 1024 ? 'MET' : 'NOT MET'}`;
    const vsFloor = (value: number) => `${(value / idle.floor).toFixed(2)}× floor`;
    console.log(
      `memory: VmRSS summed over each app's process group, sampled every 25 ms; apps as manifest.yml starts them`,
    );
    console.log(`  scraper: ${startArgv(manifestApp('promregator-scraper')).join(' ')}`);
    console.log(`  broker:  ${startArgv(manifestApp('promregator-broker')).join(' ')}`);
    console.log(`  baseline: empty node HTTP server, idle           ${mb(idle.floor)}`);
    console.log(
      `  scraper idle after warm-up and ${REST_S} s rest         ${mb(idle.scraper)}  ${vsFloor(idle.scraper)}  ${verdict(idle.scraper, 100)}`,
    );
    console.log(
      `  scraper peak, 200 × 100 KB, production path      ${mb(peakProduction)}  ${vsFloor(peakProduction)}  ${verdict(peakProduction, 160)}   (${mb(productionBytes)} gzip out; CPU ${median(cpu.production)} ms/scrape)`,
    );
    console.log(
      `  scraper peak, 200 × 100 KB, plain path           ${mb(peakPlain)}  ${vsFloor(peakPlain)}  ${verdict(peakPlain, 160)}   (${mb(plainBytes)} out; CPU ${median(cpu.plain)} ms/scrape)`,
    );
    console.log(
      `  scraper peak, ${CLIENTS} concurrent small-space clients  ${mb(peakConcurrent)}  ${vsFloor(peakConcurrent)}  ${verdict(peakConcurrent, 200)}   (${RUNS} scrapes each)`,
    );
    if (peakHuge !== undefined) {
      console.log(
        `  scraper peak, 200 × 430 KB, production path      ${mb(peakHuge)}  ${vsFloor(peakHuge)}  ${verdict(peakHuge, 300)}   (${mb(hugeBytes)} gzip out; CPU ${median(hugeCpu)} ms/scrape)`,
      );
    }
    console.log(
      `  broker idle after registration and ${REST_S} s rest     ${mb(idle.broker)}  ${vsFloor(idle.broker)}  ${verdict(idle.broker, 80)}   (peak while registering: ${mb(brokerRegistrationPeak)})`,
    );
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    floor.kill('SIGTERM');
    await dispatcher.close();
    await sandbox.stop();
    await pg.destroy();
  }
}

await main();
