// Per-space scrape, end to end (BENCHMARKS.md): one space, 50 apps × 4 instances behind the sandbox
// gorouter, ~100 KB of realistic series each (payload mode), plain text, no gzip.
// Measured: the scraper's GET /v1/spaces/{guid}/metrics (scraper in its own process, body read fully)
// against a concatenating proxy in a separate process (bench/space-scrape-proxy.ts) fetching the same
// 200 bodies through the same gorouter; fetch-and-discard printed for information. Alternating runs,
// medians, ratios; the scraper's peak RSS growth (sampled from /proc) vs the merged response size.
// Goals: scraper ≤ 1.5× proxy; peak RSS growth ≤ 3× response size.
// The scraper runs with the Node flags of `npm run scraper` (package.json), as deployed. Each request
// starts after a short idle pause, so none pays for GC work another left behind in the shared sandbox
// process. CPU per request (from /proc) is printed for both sides.
// Run: npx tsx bench/space-scrape.bench.ts   (RUNS=20 for more rounds)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { connectDatabase } from '../common/db/connect.ts';
import { startEmbeddedPostgres } from '../common/db/embedded.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
import { SecretKeys } from '../common/secrets.ts';
import { startSandbox } from '../sandbox/index.ts';

const APPS = 50;
const INSTANCES = 4;
const PAYLOAD_BYTES = 100_000;
const RUNS = Number(process.env.RUNS ?? 12);
const WARMUP = 3;
const CREDENTIALS_KEY = 'space-scrape-bench-key-0123456789';
const SETTLE_MS = 100;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The Node flags `npm run scraper` starts the scraper with (`tsx <flags> scraper/main.ts`). */
function scraperNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const words = (pkg.scripts.scraper ?? '').split(/\s+/);
  return words.slice(1, words.indexOf('scraper/main.ts'));
}

function spawnChild(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${out}`)));
  });
}

/** User + system CPU time of a process so far, in ms (from /proc/<pid>/stat, 10 ms ticks). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

async function timedGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; bytes: number }> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const started = performance.now();
  const res = await request(url, { headers });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return { ms: performance.now() - started, bytes };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'space-bench-'));
  const pg = await startEmbeddedPostgres();
  const sandbox = await startSandbox();
  const children: ChildProcess[] = [];
  try {
    const db = connectDatabase({ url: pg.url, poolMax: 4, acquireTimeoutMs: 5_000 });
    await migrateToLatest(db);
    const c = sandbox.control;
    const org = c.createOrg('bench-org');
    const space = c.createSpace(org.guid, 'bench-space');
    const instanceId = randomUUID();
    await db('service_instances').insert({
      id: instanceId,
      service_id: 's',
      plan_id: 'p',
      organization_guid: org.guid,
      organization_name: org.name,
      space_guid: space.guid,
      space_name: space.name,
      parameters: '{}',
      request_digest: 'd',
    });
    const targets: Array<{ url: string; instanceHeader: string }> = [];
    for (let a = 0; a < APPS; a++) {
      const app = c.createApp({
        spaceGuid: space.guid,
        name: `bench-app-${a}`,
        instances: INSTANCES,
        metrics: { format: 'payload', payloadBytes: PAYLOAD_BYTES },
      });
      await db('service_bindings').insert({
        id: randomUUID(),
        instance_id: instanceId,
        kind: 'app',
        app_guid: app.guid,
        parameters: JSON.stringify({ auth: { type: 'none' } }),
        request_digest: 'd',
      });
      for (let i = 0; i < INSTANCES; i++) {
        targets.push({ url: `https://${app.routes[0]}/metrics`, instanceHeader: `${app.guid}:${i}` });
      }
    }
    const keyId = randomUUID();
    const keys = new SecretKeys(CREDENTIALS_KEY);
    const password = keys.serviceKeyPassword(keyId, 'salt');
    await db('service_bindings').insert({
      id: keyId,
      instance_id: instanceId,
      kind: 'key',
      key_username: 'bench',
      key_password_hash: keys.keyPasswordVerifier(password),
      credentials_key_id: keys.currentId,
      key_salt: 'salt',
      request_digest: 'd',
    });
    await db.destroy();
    writeFileSync(join(dir, 'targets.json'), JSON.stringify(targets));

    const scraper = await spawnChild(
      [...scraperNodeFlags(), 'scraper/main.ts'],
      {
        PORT: '0',
        DATABASE_URL: pg.url,
        CREDENTIALS_KEY,
        CF_API_URL: sandbox.ccUrl,
        CF_CLIENT_ID: sandbox.admin.clientId,
        CF_CLIENT_SECRET: sandbox.admin.clientSecret,
        CF_SKIP_SSL_VALIDATION: 'true',
        SCRAPE_CONNECT_TO: sandbox.routerAddress,
        LOG_LEVEL: 'info',
      },
      /"url":"(http:\/\/[^"]+)".*"msg":"scraper started"/,
    );
    children.push(scraper.child);
    const proxy = await spawnChild(
      ['bench/space-scrape-proxy.ts'],
      { TARGETS_FILE: join(dir, 'targets.json'), CONNECT_TO: sandbox.routerAddress },
      /\{"port":(\d+)\}/,
    );
    children.push(proxy.child);
    const scraperUrl = `${scraper.match[1]}/v1/spaces/${space.guid}/metrics`;
    const proxyBase = `http://127.0.0.1:${proxy.match[1]}`;
    const plain = {
      accept: 'text/plain;version=0.0.4',
      'accept-encoding': 'identity',
      authorization: `Basic ${Buffer.from(`bench:${password}`).toString('base64')}`,
    };

    // Discovery must know all 200 instances before measuring.
    for (let i = 0; ; i++) {
      const res = await request(scraperUrl, { headers: plain });
      const text = await res.body.text();
      const up = text.match(/^promregator_up\{.*\} 1$/gm)?.length ?? 0;
      if (up === APPS * INSTANCES) break;
      if (i > 100) throw new Error(`only ${up} instances up`);
      await new Promise((r) => setTimeout(r, 300));
    }

    const pid = scraper.child.pid as number;
    for (let i = 0; i < WARMUP; i++) {
      await timedGet(scraperUrl, plain);
      await timedGet(`${proxyBase}/concat`, {});
      await timedGet(`${proxyBase}/discard`, {});
    }
    // Baseline after warm-up, then sampled throughout the measured runs.
    await new Promise((r) => setTimeout(r, 500));
    const rssBase = rssOf(pid);
    let rssPeak = rssBase;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssOf(pid));
    }, 10);

    const times = { scraper: [] as number[], proxy: [] as number[], discard: [] as number[] };
    const cpu = { scraper: [] as number[], proxy: [] as number[] };
    const proxyPid = proxy.child.pid as number;
    let scraperBytes = 0;
    let proxyBytes = 0;
    for (let run = 0; run < RUNS; run++) {
      // Alternate the order so neither side always runs on a warmer machine.
      const order =
        run % 2 === 0
          ? (['scraper', 'proxy', 'discard'] as const)
          : (['proxy', 'discard', 'scraper'] as const);
      for (const which of order) {
        if (which === 'scraper') {
          const c0 = cpuMsOf(pid);
          const r = await timedGet(scraperUrl, plain);
          cpu.scraper.push(cpuMsOf(pid) - c0);
          times.scraper.push(r.ms);
          scraperBytes = r.bytes;
        } else if (which === 'proxy') {
          const c0 = cpuMsOf(proxyPid);
          const r = await timedGet(`${proxyBase}/concat`, {});
          cpu.proxy.push(cpuMsOf(proxyPid) - c0);
          times.proxy.push(r.ms);
          proxyBytes = r.bytes;
        } else {
          times.discard.push((await timedGet(`${proxyBase}/discard`, {})).ms);
        }
      }
    }
    clearInterval(sampler);

    const ms = { scraper: median(times.scraper), proxy: median(times.proxy), discard: median(times.discard) };
    const growth = rssPeak - rssBase;
    console.log(
      `space scrape: ${APPS} apps × ${INSTANCES} instances, ~${PAYLOAD_BYTES / 1000} KB each, ${RUNS} alternating runs (+${WARMUP} warm-up)`,
    );
    console.log(
      `  scraper  GET /v1/spaces/{guid}/metrics  median ${ms.scraper.toFixed(1)} ms   ${mb(scraperBytes)} (merged, labelled)   ${(scraperBytes / 1024 / 1024 / (ms.scraper / 1000)).toFixed(0)} MB/s`,
    );
    console.log(
      `  proxy    concatenating baseline         median ${ms.proxy.toFixed(1)} ms   ${mb(proxyBytes)} (plain concatenation)`,
    );
    console.log(`  discard  fetch and discard              median ${ms.discard.toFixed(1)} ms`);
    console.log(
      `  ratio scraper/proxy   ${(ms.scraper / ms.proxy).toFixed(2)}×   (goal ≤ 1.5×)  ${ms.scraper / ms.proxy <= 1.5 ? 'MET' : 'NOT MET'}`,
    );
    console.log(`  ratio scraper/discard ${(ms.scraper / ms.discard).toFixed(2)}×   (information)`);
    console.log(
      `  scraper RSS: base ${mb(rssBase)}, peak ${mb(rssPeak)}, growth ${mb(growth)} = ${(growth / scraperBytes).toFixed(2)}× response (goal ≤ 3×)  ${growth / scraperBytes <= 3 ? 'MET' : 'NOT MET'}`,
    );
    console.log(
      `  CPU per request (median, user+sys): scraper ${median(cpu.scraper).toFixed(0)} ms, proxy ${median(cpu.proxy).toFixed(0)} ms   (scraper flags: ${scraperNodeFlags().join(' ') || 'none'})`,
    );
    console.log(`  all runs (ms): scraper ${times.scraper.map((t) => t.toFixed(0)).join(' ')}`);
    console.log(`                 proxy   ${times.proxy.map((t) => t.toFixed(0)).join(' ')}`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await sandbox.stop();
    await pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
