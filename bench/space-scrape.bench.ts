// Per-space scrape, end to end (BENCHMARKS.md): one space of 50 apps × 4 instances behind the sandbox
// gorouter, ~100 KB of realistic series each (payload mode). The scraper is built (`npm run build`) and
// started exactly as manifest.yml starts it (command, flags, env; its own process group). Measured:
// GET /v1/spaces/{guid}/metrics, requests back to back, read by a plain node:http client that only counts
// bytes (gzip stays compressed). CPU per scrape: utime + stime of every process of each side's group
// (/proc/<pid>/stat), read before and after each request.
//   plain path:      Accept-Encoding: identity, targets plain; baseline the concatenating proxy
//                    (bench/space-scrape-proxy.ts /concat), fetching the same bodies through the same router.
//   production path: Prometheus 2.42's scrape headers, targets gzip; baseline the proxy inflating every
//                    body, concatenating and deflating the whole at level 1 (/concat-gzip).
// Rounds alternate scraper/proxy order; medians. Goals: plain ≤ 1.5× wall, ≤ 2.5× CPU; production ≤ 1.5×
// wall, ≤ 2× CPU. Fetch-and-discard is printed for information.
// Sweep (SWEEP=1): the same for 10/50/200/400 instances × ~10 KB/100 KB/1 MB, each cell's ratios against the
// 200 × 100 KB cell's (goal: within 1.2×). Limit it with SWEEP_INSTANCES=10,50 SWEEP_KB=10,100, and
// SWEEP_MAX_INPUT_MB=100 to leave out cells with more input (400 × 1 MB is ~900 MB of merged output).
// Run: npm run bench:space   (RUNS=20 for more rounds; SWEEP=1 SWEEP_RUNS=10 for the sweep; STARTS=5 to
// measure the reference cell with 5 scraper and proxy processes in turn and take the median of their ratios)
// Investigating: CPU_PROF=<dir> (V8 CPU profile of the scraper), SCRAPER_NODE_FLAGS='--trace-gc ...' (extra
// node flags for the scraper), SCRAPER_LOG=<file> (the scraper's output, written when it has stopped),
// SCRAPER_ENV='{"SCRAPE_SPACE_CONCURRENCY":"64"}' (settings added to the scraper's manifest environment).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { connectDatabase } from '../common/db/connect.ts';
import { freePort, startEmbeddedPostgres } from '../common/db/embedded.ts';
import { migrateToLatest } from '../common/db/migrate.ts';
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
import { groupCpuMs } from './proc-cpu.ts';
import { scraperEnvOverrides } from './scraper-env.ts';
import { type CellSpace, createCellSpace, type ScrapeCell } from './space-scrape-landscape.ts';

const RUNS = Number(process.env.RUNS ?? 12);
const SWEEP = process.env.SWEEP === '1';
const SWEEP_RUNS = Number(process.env.SWEEP_RUNS ?? 10);
/** Cells with more input than this (instances × body size) are left out of the sweep. */
const SWEEP_MAX_INPUT_MB = Number(process.env.SWEEP_MAX_INPUT_MB ?? Number.POSITIVE_INFINITY);
const WARMUP = 3;
/**
 * Scraper (and proxy) processes measured one after the other on the reference cell. Runs of the same
 * build minutes apart gave the scraper 325 to 535 ms CPU per scrape (the proxy 170 to 185 ms), while the
 * rounds within one run stayed within about ±15%: whether the process or the shared machine's moment
 * causes that, one run is one sample of it, and several starts give the median to hold against the goals.
 */
const STARTS = Number(process.env.STARTS ?? 1);
const CREDENTIALS_KEY = 'space-scrape-bench-key-0123456789abcdef';
const REFERENCE: ScrapeCell = { instances: 200, payloadBytes: 100_000 };
const list = (name: string, fallback: number[]) => {
  const given = (process.env[name] ?? '').split(',').filter(Boolean).map(Number);
  return given.length > 0 ? given : fallback;
};

const PRODUCTION_HEADERS = {
  accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
  'x-prometheus-scrape-timeout-seconds': '10',
};
const PLAIN_HEADERS = { accept: 'text/plain;version=0.0.4', 'accept-encoding': 'identity' };
// What the scraper asks targets for on each path (scraper/scrape/scrape-service.ts), so that the
// baseline fetches the same bodies.
const TARGET_ACCEPT = {
  plain: 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1',
  production: 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
};

type Path = 'plain' | 'production';
interface Sample {
  ms: number;
  cpuMs: number;
  bytes: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One GET read to the end, counting bytes only (no decompression, no buffering). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ ms: number; bytes: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ ms: performance.now() - started, bytes, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measured(pgid: number, url: string, headers: Record<string, string>): Promise<Sample> {
  const c0 = groupCpuMs(pgid);
  const r = await get(url, headers);
  const cpuMs = groupCpuMs(pgid) - c0;
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return { ms: r.ms, cpuMs, bytes: r.bytes };
}

interface CellResult {
  cell: ScrapeCell;
  runs: number;
  scraper: Record<Path, Sample[]>;
  proxy: Record<Path, Sample[]>;
  discard: number[];
  /** The scraper answering OpenMetrics uncompressed (targets plain): the format's own cost beside text. */
  openmetrics: Sample[];
}

async function measureCell(
  scraper: StartedApp,
  proxy: { pgid: number; base: string },
  space: CellSpace,
  listIndex: number,
  runs: number,
): Promise<CellResult> {
  const scraperUrl = `${scraper.url}/v1/spaces/${space.guid}/metrics`;
  const auth = { authorization: space.authorization };
  const headers = { plain: { ...PLAIN_HEADERS, ...auth }, production: { ...PRODUCTION_HEADERS, ...auth } };
  const proxyUrl = {
    plain: `${proxy.base}/concat?list=${listIndex}`,
    production: `${proxy.base}/concat-gzip?list=${listIndex + 1}`,
  };
  const result: CellResult = {
    cell: space,
    runs,
    scraper: { plain: [], production: [] },
    proxy: { plain: [], production: [] },
    discard: [],
    openmetrics: [],
  };
  const round = async (record: boolean, run: number) => {
    for (const path of ['plain', 'production'] as const) {
      // Alternate the order so neither side always runs right after the other's garbage.
      const sides = run % 2 === 0 ? (['scraper', 'proxy'] as const) : (['proxy', 'scraper'] as const);
      for (const side of sides) {
        const sample =
          side === 'scraper'
            ? await measured(scraper.pgid, scraperUrl, headers[path])
            : await measured(proxy.pgid, proxyUrl[path], {});
        if (record) result[side][path].push(sample);
      }
    }
    const discard = await get(`${proxy.base}/discard?list=${listIndex}`, {});
    if (record) result.discard.push(discard.ms);
    const om = await measured(scraper.pgid, scraperUrl, {
      ...headers.production,
      'accept-encoding': 'identity',
    });
    if (record) result.openmetrics.push(om);
  };
  for (let i = 0; i < WARMUP; i++) await round(false, i);
  for (let run = 0; run < runs; run++) await round(true, run);
  return result;
}

interface Ratios {
  wall: Record<Path, number>;
  cpu: Record<Path, number>;
}
function ratiosOf(r: CellResult): Ratios {
  const ratio = (path: Path, key: 'ms' | 'cpuMs') =>
    median(r.scraper[path].map((s) => s[key])) / Math.max(1, median(r.proxy[path].map((s) => s[key])));
  return {
    wall: { plain: ratio('plain', 'ms'), production: ratio('production', 'ms') },
    cpu: { plain: ratio('plain', 'cpuMs'), production: ratio('production', 'cpuMs') },
  };
}

const GOALS: Record<Path, { wall: number; cpu: number }> = {
  plain: { wall: 1.5, cpu: 2.5 },
  production: { wall: 1.5, cpu: 2 },
};

function printCell(r: CellResult): void {
  const { cell } = r;
  const ratios = ratiosOf(r);
  console.log(
    `space scrape: ${cell.instances} instances × ~${cell.payloadBytes / 1000} KB, ${r.runs} alternating rounds (+${WARMUP} warm-up), medians`,
  );
  for (const path of ['plain', 'production'] as const) {
    const s = r.scraper[path];
    const p = r.proxy[path];
    const med = (v: Sample[], k: keyof Sample) => median(v.map((x) => x[k]));
    console.log(
      `  ${path.padEnd(10)} scraper ${med(s, 'ms').toFixed(0).padStart(5)} ms wall ${med(s, 'cpuMs').toFixed(0).padStart(5)} ms CPU ${mb(med(s, 'bytes')).padStart(8)}` +
        ` | baseline ${med(p, 'ms').toFixed(0).padStart(5)} ms wall ${med(p, 'cpuMs').toFixed(0).padStart(5)} ms CPU ${mb(med(p, 'bytes')).padStart(8)}`,
    );
    const goal = GOALS[path];
    console.log(
      `  ${''.padEnd(10)} ratio wall ${verdict(ratios.wall[path], goal.wall)}   CPU ${verdict(ratios.cpu[path], goal.cpu)}`,
    );
  }
  console.log(`  fetch and discard (plain, information): ${median(r.discard).toFixed(0)} ms`);
  const om = (k: 'ms' | 'cpuMs') => median(r.openmetrics.map((x) => x[k]));
  console.log(
    `  scraper OpenMetrics uncompressed (information): ${om('ms').toFixed(0)} ms wall ${om('cpuMs').toFixed(0)} ms CPU ${mb(median(r.openmetrics.map((x) => x.bytes)))}` +
      ` = ${(om('cpuMs') / Math.max(1, median(r.scraper.plain.map((x) => x.cpuMs)))).toFixed(2)}× the text answer's CPU`,
  );
  console.log(
    `  all runs, production wall ms: scraper ${r.scraper.production.map((s) => s.ms.toFixed(0)).join(' ')}; baseline ${r.proxy.production.map((s) => s.ms.toFixed(0)).join(' ')}`,
  );
}

/** Waits until discovery knows every instance of every space and each one answers (`promregator_up` 1). */
async function waitUntilAllUp(scraper: StartedApp, spaces: readonly CellSpace[]): Promise<void> {
  for (const space of spaces) {
    for (let i = 0; ; i++) {
      const up = countUp(
        await getBody(`${scraper.url}/v1/spaces/${space.guid}/metrics`, {
          ...PLAIN_HEADERS,
          authorization: space.authorization,
        }),
      );
      if (up === space.instances) break;
      if (i > 200) throw new Error(`space ${space.guid}: only ${up} of ${space.instances} up`);
      await sleep(300);
    }
  }
}

async function stopChild(child: ReturnType<typeof spawn> | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The reference cell's ratios per start, and their medians: the figures to hold against the goals. */
function printAcrossStarts(byStart: readonly CellResult[]): void {
  const all = byStart.map(ratiosOf);
  console.log(`reference cell across ${all.length} starts (ratios scraper/baseline, each start's medians):`);
  for (const path of ['plain', 'production'] as const) {
    const wall = all.map((r) => r.wall[path]);
    const cpu = all.map((r) => r.cpu[path]);
    const goal = GOALS[path];
    console.log(
      `  ${path.padEnd(10)} wall ${wall.map((v) => v.toFixed(2)).join(' ')}  CPU ${cpu.map((v) => v.toFixed(2)).join(' ')}`,
    );
    console.log(
      `  ${''.padEnd(10)} median wall ${verdict(median(wall), goal.wall)}   CPU ${verdict(median(cpu), goal.cpu)}`,
    );
  }
}

const verdict = (value: number, limit: number) =>
  `${value.toFixed(2)}× (goal ≤ ${limit}×) ${value <= limit ? 'MET' : 'NOT MET'}`;

/** The whole body of a GET (for answers the bench reads, not the ones it times). */
function getBody(url: string, headers: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `promregator_up{…} 1` lines of a text answer (which may be too large for one string). */
function countUp(body: Buffer): number {
  const start = Buffer.from('\npromregator_up{');
  let count = 0;
  for (let at = body.indexOf(start); at >= 0; at = body.indexOf(start, at + 1)) {
    const end = body.indexOf(10, at + 1);
    if (end > 1 && body[end - 1] === 0x31 && body[end - 2] === 0x20) count++;
  }
  return count;
}

/**
 * How the merged answer of the reference space compresses at each gzip level (one stream, and as the
 * scraper sends it: 1 MB members): wire bytes against CPU, which is how the scraper's level was chosen.
 */
async function printCompressionLevels(scraper: StartedApp, space: CellSpace): Promise<void> {
  const body = await getBody(`${scraper.url}/v1/spaces/${space.guid}/metrics`, {
    ...PRODUCTION_HEADERS,
    'accept-encoding': 'identity',
    authorization: space.authorization,
  });
  const cpu = (work: () => number) => {
    const c0 = process.cpuUsage();
    const bytes = work();
    const c = process.cpuUsage(c0);
    return { bytes, ms: (c.user + c.system) / 1000 };
  };
  console.log(`gzip of the merged OpenMetrics answer (${mb(body.length)}), one thread:`);
  const MEMBER = 1 << 20;
  for (const level of [1, 2, 3, 4, 6]) {
    const one = cpu(() => gzipSync(body, { level }).length);
    const members = cpu(() => {
      let bytes = 0;
      for (let at = 0; at < body.length; at += MEMBER) {
        bytes += gzipSync(body.subarray(at, at + MEMBER), { level }).length;
      }
      return bytes;
    });
    console.log(
      `  level ${level}: one stream ${mb(one.bytes)} ${one.ms.toFixed(0).padStart(4)} ms CPU; 1 MB members ${mb(members.bytes)} ${members.ms.toFixed(0).padStart(4)} ms CPU (${(body.length / members.bytes).toFixed(1)}:1)`,
    );
  }
}

/**
 * The proxy as plain JavaScript, run by plain node as the scraper is: under tsx it would pay the TS
 * loader's start-up and the slower typed-array code tsx's esbuild service leaves behind, flattering the
 * scraper's ratios. Returns the compiled file, beside the scraper's build (it resolves undici from there).
 */
function compileProxy(): string {
  const source = readFileSync(join(REPO_ROOT, 'bench', 'space-scrape-proxy.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const file = join(REPO_ROOT, 'dist', 'bench', 'space-scrape-proxy.js');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, outputText);
  return file;
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const cells: ScrapeCell[] = SWEEP
    ? list('SWEEP_INSTANCES', [10, 50, 200, 400])
        .flatMap((instances) =>
          list('SWEEP_KB', [10, 100, 1000]).map((kb) => ({ instances, payloadBytes: kb * 1000 })),
        )
        .filter((c) => c.instances * c.payloadBytes <= SWEEP_MAX_INPUT_MB * 1e6)
    : [];
  if (!cells.some((c) => c.instances === REFERENCE.instances && c.payloadBytes === REFERENCE.payloadBytes)) {
    cells.unshift(REFERENCE);
  }
  const dir = mkdtempSync(join(tmpdir(), 'space-bench-'));
  const pg = await startEmbeddedPostgres();
  const sandbox = await startSandbox();
  let scraper: StartedApp | undefined;
  let proxyChild: ReturnType<typeof spawn> | undefined;
  try {
    const db = connectDatabase({ url: pg.url, poolMax: 4, acquireTimeoutMs: 5_000 });
    await migrateToLatest(db);
    const org = sandbox.control.createOrg('bench-org');
    const spaces: CellSpace[] = [];
    for (const cell of cells) spaces.push(await createCellSpace(sandbox, db, CREDENTIALS_KEY, org, cell));
    await db.destroy();
    writeFileSync(
      join(dir, 'targets.json'),
      JSON.stringify(
        spaces.flatMap((s) =>
          (['plain', 'production'] as const).map((path) =>
            s.targets.map((t) => ({ ...t, accept: TARGET_ACCEPT[path] })),
          ),
        ),
      ),
    );

    const app = manifestApp('promregator-scraper');
    /** The scraper as manifest.yml starts it, in a process of its own. */
    const startScraper = async (): Promise<StartedApp> => {
      const port = await freePort();
      const vars = sandboxManifestVars(sandbox, {
        credentials_key: CREDENTIALS_KEY,
        scraper_route: `127.0.0.1:${port}`,
        log_level: 'warn',
      });
      const env = Object.fromEntries(
        Object.entries({ ...manifestEnv(app, vars), DATABASE_URL: pg.url, ...scraperEnvOverrides() }).filter(
          ([, v]) => v !== '',
        ),
      );
      // CPU_PROF=<dir>: the scraper writes a V8 CPU profile there when it exits (node --cpu-prof).
      const argv = startArgv(app);
      if (process.env.CPU_PROF) argv.splice(1, 0, '--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`);
      if (process.env.SCRAPER_NODE_FLAGS) argv.splice(1, 0, ...process.env.SCRAPER_NODE_FLAGS.split(' '));
      return startApp({ argv, cwd: REPO_ROOT, env, port, timeoutMs: 60_000 });
    };
    const startProxy = async () => {
      const child = spawn(process.execPath, [proxyFile], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          TARGETS_FILE: join(dir, 'targets.json'),
          CONNECT_TO: sandbox.routerAddress,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      });
      proxyChild = child;
      const proxyPort = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /\{"port":(\d+)\}/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${out}`)));
      });
      return { pgid: child.pid as number, base: `http://127.0.0.1:${proxyPort}` };
    };
    const proxyFile = compileProxy();

    const isReference = (cell: ScrapeCell) =>
      cell.instances === REFERENCE.instances && cell.payloadBytes === REFERENCE.payloadBytes;
    console.log(
      `scraper: ${startArgv(app).join(' ')}  (env MALLOC_MMAP_THRESHOLD_=${String(app.env.MALLOC_MMAP_THRESHOLD_)})`,
    );
    const results: CellResult[] = [];
    const referenceByStart: CellResult[] = [];
    for (let start = 0; start < STARTS; start++) {
      if (STARTS > 1) console.log(`start ${start + 1} of ${STARTS}: a new scraper and a new proxy process`);
      scraper = await startScraper();
      const proxy = await startProxy();
      await waitUntilAllUp(scraper, spaces);
      for (const [i, space] of spaces.entries()) {
        // The sweep's other cells once, with the first processes; the reference cell with every start.
        if (start > 0 && !isReference(space)) continue;
        const r = await measureCell(scraper, proxy, space, i * 2, isReference(space) ? RUNS : SWEEP_RUNS);
        printCell(r);
        if (start === 0) results.push(r);
        if (isReference(space)) referenceByStart.push(r);
      }
      if (start < STARTS - 1) {
        await scraper.stop();
        await stopChild(proxyChild);
      }
    }
    if (STARTS > 1) printAcrossStarts(referenceByStart);
    await printCompressionLevels(scraper as StartedApp, spaces.find(isReference) as CellSpace);
    if (SWEEP) {
      const ref = ratiosOf(
        results.find(
          (r) => r.cell.instances === REFERENCE.instances && r.cell.payloadBytes === REFERENCE.payloadBytes,
        ) as CellResult,
      );
      console.log(
        'sweep: ratios scraper/baseline per cell, and each against the 200 × 100 KB cell (goal within 1.2×)',
      );
      console.log('  cell               plain wall   plain CPU    prod wall    prod CPU');
      for (const r of results) {
        const x = ratiosOf(r);
        // CPU is read in 10 ms ticks: a side under ~50 ms per scrape gives no meaningful CPU ratio.
        const coarse = (path: Path) =>
          Math.min(median(r.scraper[path].map((x) => x.cpuMs)), median(r.proxy[path].map((x) => x.cpuMs))) <
          50;
        const cpuText = (path: Path, v: number, refV: number) =>
          coarse(path) ? `${v.toFixed(2)} (ticks)`.padStart(12) : cellText(v, refV);
        const cellText = (v: number, refV: number) =>
          `${v.toFixed(2)}${v / refV <= 1.2 ? ' ok ' : ' OUT'}`.padStart(12);
        console.log(
          `  ${`${r.cell.instances} × ${r.cell.payloadBytes / 1000} KB`.padEnd(18)} ${cellText(x.wall.plain, ref.wall.plain)} ${cpuText('plain', x.cpu.plain, ref.cpu.plain)} ${cellText(x.wall.production, ref.wall.production)} ${cpuText('production', x.cpu.production, ref.cpu.production)}`,
        );
      }
    }
  } finally {
    agent.destroy();
    await scraper?.stop();
    if (process.env.SCRAPER_LOG && scraper) writeFileSync(process.env.SCRAPER_LOG, scraper.output());
    if (proxyChild?.exitCode === null) proxyChild.kill('SIGTERM');
    await sandbox.stop();
    await pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
