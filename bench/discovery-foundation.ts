// Discovery at foundation scale (BENCHMARKS.md "Discovery and freshness"): 10,000 bound apps × 4 instances in
// 500 spaces, 3 scraper instances on one Postgres.
// - New: 3 scrapers as child processes started as manifest.yml starts them (the compiled build on plain
//   node with the manifest's flags and env), default intervals
//   (events every 10 s, full discovery hourly): one discovers and shares its view through Postgres.
// - Today's behaviour, same run: 3 independent discoverers (the same engine without event feed and
//   without a shared view, TTL 60 s), in-process on their own CC clients.
// Figures: CC requests (sandbox counters, UAA included) for the cold start, a refresh with nothing changed,
// one with 50 apps scaled; time from a scale-up to the new instances in a space's output; CC requests per
// hour in steady state (computed from the measured per-refresh counts and the intervals); VmRSS of each
// child process, sampled from its spawn on (so the discoverer's full discovery and write are in it), judged
// by each replica's maximum (today: heap growth per in-process replica). Today's scale-up time is measured
// too: each replica's view polled every 100 ms (as steady scrape traffic calls it), rounds started at a
// random point of the TTL.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Knex } from '../common/db/connect.ts';
import type { Logger } from '../common/logging.ts';
import { SecretKeys } from '../common/secrets.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { createBindingsStore } from '../scraper/bindings/index.ts';
import { createCloudControllerClient } from '../scraper/cf/index.ts';
import { createDiscovery } from '../scraper/discovery/index.ts';
import { insertAppBindings, insertInstance, insertServiceKey } from '../test/scraper/bindings/rows.ts';
import { manifestApp, startArgv } from '../test/support/deployed-app.ts';
import { type ScraperProcess, spawnScraper } from '../test/support/scraper-process.ts';

const APPS = Number(process.env.FOUNDATION_APPS ?? 10_000);
const SPACES = 500;
const INSTANCES = 4;
const REPLICAS = 3;
const EVENTS_MS = 10_000;
const FULL_MS = 3_600_000;
const TODAY_TTL_MS = 60_000;
const SCALE_ROUNDS = Number(process.env.SCALE_ROUNDS ?? 5);
const TODAY_SCALE_ROUNDS = Number(process.env.TODAY_SCALE_ROUNDS ?? 5);
const RSS_GOAL = 150 * 1024 * 1024;
const RSS_SAMPLE_MS = 100;
const CREDENTIALS_KEY = 'bench-foundation-credentials-key-0123';
/**
 * The scraper exactly as manifest.yml starts it (PRODUCT.md "Production runtime"): `npm run build`, then
 * the manifest's command (plain node, its flags) and the env entries that are not ((variables)).
 */
interface Deployed {
  args: string[];
  env: Record<string, string>;
}

function deployedScraper(): Deployed {
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  const app = manifestApp('promregator-scraper');
  const env = Object.fromEntries(
    Object.entries(app.env)
      .map(([k, v]) => [k, String(v)] as const)
      .filter(([, v]) => !v.includes('((')),
  );
  return { args: startArgv(app).slice(1), env };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0; // gone
  }
}

/** This process's child processes running the compiled scraper (known before spawnScraper resolves). */
function scraperChildren(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    let children: string;
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const pid of children.split(' ').filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('scraper/main.js')) pids.push(pid);
      } catch {
        // exited meanwhile
      }
    }
  }
  return pids;
}

/**
 * VmRSS of every scraper child, every RSS_SAMPLE_MS from before the spawn on: the discoverer's peak lies
 * in its full discovery and first write, before its "scraper started" line.
 */
function startRssSampler() {
  const samples = new Map<number, Array<{ at: number; rss: number }>>();
  const timer = setInterval(() => {
    const at = Date.now();
    for (const pid of scraperChildren()) {
      let list = samples.get(pid);
      if (!list) {
        list = [];
        samples.set(pid, list);
      }
      const rss = rssOf(pid);
      if (rss > 0) list.push({ at, rss });
    }
  }, RSS_SAMPLE_MS);
  return {
    stop: () => clearInterval(timer),
    /** Samples of `pid` taken in [from, to). */
    of: (pid: number, from = 0, to = Number.POSITIVE_INFINITY) =>
      (samples.get(pid) ?? []).filter((s) => s.at >= from && s.at < to).map((s) => s.rss),
  };
}

interface ReplicaRss {
  /** Max from spawn until every replica serves the view (the discoverer's full discovery and write). */
  start: number;
  /** Median and max over the steady phases (feed polls, 50 apps scaled, scale-up rounds). */
  median: number;
  steadyMax: number;
  /** Max over the whole run: what the goal is judged by. */
  max: number;
  discoverer: boolean;
}

interface Landscape {
  guids: string[];
  /** The space whose output is watched, with its key and apps. */
  watched: { spaceGuid: string; authorization: string; apps: string[] };
}

async function buildLandscape(sb: Sandbox, db: Knex, keys: SecretKeys): Promise<Landscape> {
  const perSpace = APPS / SPACES;
  const spaces: Array<{ org: string; guid: string }> = [];
  for (let o = 0; o < SPACES / 20; o++) {
    const org = sb.control.createOrg(`org-${o}`);
    for (let s = 0; s < 20; s++)
      spaces.push({ org: org.guid, guid: sb.control.createSpace(org.guid, `space-${s}`).guid });
  }
  const guids: string[] = [];
  let watched: Landscape['watched'] | undefined;
  for (let s = 0; s < SPACES; s++) {
    const space = spaces[s]!;
    const inSpace: string[] = [];
    for (let i = 0; i < perSpace; i++) {
      inSpace.push(
        sb.control.createApp({
          spaceGuid: space.guid,
          name: `app-${s}-${i}`,
          instances: INSTANCES,
          metrics: { format: 'payload', payloadBytes: 64 },
        }).guid,
      );
    }
    const instanceId = await insertInstance(db, { orgGuid: space.org, spaceGuid: space.guid });
    await insertAppBindings(db, instanceId, inSpace);
    guids.push(...inSpace);
    if (s === 0) {
      const username = 'bench-key';
      const password = 'bench-key-password-0123456789';
      await insertServiceKey(db, keys, { instanceId, username, password });
      const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      watched = { spaceGuid: space.guid, authorization, apps: inSpace };
    }
  }
  return { guids, watched: watched! };
}

const ccCount = (sb: Sandbox) => {
  const c = sb.control.requestCounts();
  return (c.total ?? 0) + (c['POST /oauth/token'] ?? 0);
};

async function instancesOf(url: string, land: Landscape, appName: string): Promise<number> {
  const res = await request(`${url}/v1/spaces/${land.watched.spaceGuid}/metrics`, {
    headers: { authorization: land.watched.authorization },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) return -1;
  let n = 0;
  const needle = `app_name="${appName}"`;
  for (const line of text.split('\n')) if (line.startsWith('promregator_up{') && line.includes(needle)) n++;
  return n;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

async function leaderOf(scrapers: ScraperProcess[]): Promise<ScraperProcess | undefined> {
  for (const s of scrapers) {
    const text = await (await request(`${s.url}/metrics`)).body.text();
    if (/^promregator_discovery_leader 1$/m.test(text)) return s;
  }
  return undefined;
}

interface Figures {
  cold: number;
  nothingChanged: number;
  fiftyChanged: number;
  scaleUpMs: number[];
  perHour: number;
  rss: ReplicaRss[] | string;
}

async function measureShared(
  sb: Sandbox,
  dbUrl: string,
  land: Landscape,
  deployed: Deployed,
): Promise<Figures> {
  const env = {
    DATABASE_URL: dbUrl,
    PORT: '0',
    CREDENTIALS_KEY,
    CF_API_URL: sb.ccUrl,
    CF_CLIENT_ID: sb.admin.clientId,
    CF_CLIENT_SECRET: sb.admin.clientSecret,
    SCRAPE_CONNECT_TO: sb.routerAddress,
    CF_SKIP_SSL_VALIDATION: 'true',
    LOG_LEVEL: 'info',
    DISCOVERY_EVENTS_MS: String(EVENTS_MS),
    DISCOVERY_FULL_MS: String(FULL_MS),
  };
  sb.control.resetRequestCounts();
  const sampler = startRssSampler();
  const spawnedAt = Date.now();
  const scrapers = await Promise.all(
    Array.from({ length: REPLICAS }, () => spawnScraper({ ...deployed.env, ...env }, deployed.args)),
  ).catch((error: unknown) => {
    sampler.stop();
    throw error;
  });
  try {
    const first = land.watched.apps[0]!;
    const name = sb.control.getApp(first).name;
    for (const s of scrapers) {
      await until(async () => (await instancesOf(s.url, land, name)) === INSTANCES, 120_000, 'cold start');
    }
    const cold = ccCount(sb);
    const steadyFrom = Date.now();
    const leader = await leaderOf(scrapers);

    // Nothing changed: three event intervals.
    sb.control.resetRequestCounts();
    await sleep(3 * EVENTS_MS + 500);
    const quiet = sb.control.requestCounts();
    const polls = quiet['GET /v3/audit_events'] ?? 1;
    const nothingChanged = ccCount(sb) / polls;

    // 50 apps scaled (spread over the landscape), then one interval and a half.
    sb.control.resetRequestCounts();
    for (let i = 0; i < 50; i++) sb.control.scale(land.guids[i * Math.floor(APPS / 50) + 1]!, INSTANCES + 1);
    await sleep(EVENTS_MS * 1.5);
    const busyPolls = sb.control.requestCounts()['GET /v3/audit_events'] ?? 1;
    const fiftyChanged = ccCount(sb) - (busyPolls - 1) * nothingChanged;

    // Scale-up → new instances in the space output, read from an instance that does not discover.
    const reader = scrapers.find((s) => s !== leader) ?? scrapers[0]!;
    const scaleUpMs: number[] = [];
    for (let r = 0; r < SCALE_ROUNDS; r++) {
      const target = INSTANCES + 2 + (r % 2);
      const started = Date.now();
      sb.control.scale(first, target);
      await until(async () => (await instancesOf(reader.url, land, name)) === target, 60_000, 'scale-up');
      scaleUpMs.push(Date.now() - started);
      // Spread the rounds over the poll phase.
      await sleep(1_000 + Math.random() * EVENTS_MS);
    }
    sampler.stop();
    const rss = scrapers.map((s): ReplicaRss => {
      const steady = sampler.of(s.pid, steadyFrom);
      return {
        start: Math.max(0, ...sampler.of(s.pid, spawnedAt, steadyFrom)),
        median: median(steady),
        steadyMax: Math.max(0, ...steady),
        max: Math.max(0, ...sampler.of(s.pid)),
        discoverer: s === leader,
      };
    });
    // Steady state per hour: a feed read every interval, one full discovery per FULL_MS (its cost: the
    // cold start without root document and token, the mark of the feed included), one token an hour
    // (the sandbox issues 1 h tokens).
    const fullCost = cold - 2;
    const perHour = (3_600_000 / EVENTS_MS) * nothingChanged + (3_600_000 / FULL_MS) * fullCost + 1;
    return { cold, nothingChanged, fiftyChanged, scaleUpMs, perHour, rss };
  } finally {
    sampler.stop();
    await Promise.all(scrapers.map((s) => s.stop()));
  }
}

async function measureToday(
  sb: Sandbox,
  db: Knex,
  dbUrl: string,
  logger: Logger,
  land: Landscape,
): Promise<Figures> {
  let now = Date.now();
  /** Set for the scale-up rounds: the replicas then run on real time (continuing from `now`). */
  let offset: number | undefined;
  const clock = () => (offset === undefined ? now : Date.now() + offset);
  const keys = new SecretKeys(CREDENTIALS_KEY);
  const bindings = createBindingsStore({ db, databaseUrl: dbUrl, keys, logger, resyncMs: 3_600_000 });
  await bindings.start();
  const gc = (globalThis as { gc?: () => void }).gc;
  const replicas = Array.from({ length: REPLICAS }, () => {
    const cc = createCloudControllerClient({
      config: {
        apiUrl: sb.ccUrl,
        clientId: sb.admin.clientId,
        clientSecret: sb.admin.clientSecret,
        skipSslValidation: false,
      },
      logger,
    });
    const discovery = createDiscovery({
      cc,
      bindings,
      logger,
      ttlMs: TODAY_TTL_MS,
      guidsPerRequest: 100,
      clock,
    });
    return { cc, discovery };
  });
  try {
    sb.control.resetRequestCounts();
    const heap: number[] = [];
    for (const r of replicas) {
      gc?.();
      const before = process.memoryUsage().heapUsed;
      await r.discovery.start();
      r.discovery.view();
      gc?.();
      heap.push(process.memoryUsage().heapUsed - before);
    }
    const cold = ccCount(sb);
    // One TTL refresh round of every replica (nothing changed), timed.
    const refresh = async () => {
      sb.control.resetRequestCounts();
      now += TODAY_TTL_MS + 1;
      const started = performance.now();
      await Promise.all(
        replicas.map(async (r) => {
          const before = r.discovery.view().refreshedAt;
          while (r.discovery.view().refreshedAt <= before) await sleep(5);
        }),
      );
      return { requests: ccCount(sb), ms: performance.now() - started };
    };
    const quiet = await refresh();
    for (let i = 0; i < 50; i++) sb.control.scale(land.guids[i * Math.floor(APPS / 50) + 2]!, INSTANCES + 1);
    const busy = await refresh();
    const scaleUpMs = await measureTodayScaleUp(land, sb, replicas, () => {
      offset = now - Date.now();
    });
    const perHour = (3_600_000 / TODAY_TTL_MS) * quiet.requests + REPLICAS;
    return {
      cold,
      nothingChanged: quiet.requests,
      fiftyChanged: busy.requests,
      scaleUpMs,
      perHour,
      rss: `heap +${heap.map(mb).join(', +')} per replica (in-process${gc ? ', after GC' : ', no --expose-gc'})`,
    };
  } finally {
    for (const r of replicas) {
      await r.discovery.stop();
      await r.cc.close();
    }
    await bindings.stop();
  }
}

/**
 * Scale-up → the new instances in a replica's view (what its space output lists), on real time: every
 * replica's view() is called every 100 ms throughout (as steady scrape traffic does, each call may start
 * the TTL refresh); each round scales the watched app at a random point of the TTL and waits for the
 * round's replica (they take turns) to show the new count.
 */
async function measureTodayScaleUp(
  land: Landscape,
  sb: Sandbox,
  replicas: Array<{ discovery: ReturnType<typeof createDiscovery> }>,
  realTime: () => void,
): Promise<number[]> {
  const app = land.watched.apps[0]!;
  const instancesIn = (d: ReturnType<typeof createDiscovery>) =>
    d.view().targets.find((t) => t.target.appGuid === app)?.instances;
  realTime();
  const traffic = setInterval(() => {
    for (const r of replicas) r.discovery.view();
  }, 100);
  try {
    const out: number[] = [];
    for (let r = 0; r < TODAY_SCALE_ROUNDS; r++) {
      await sleep(Math.random() * TODAY_TTL_MS);
      const reader = replicas[r % replicas.length]!.discovery;
      const target = INSTANCES + 2 + (r % 2);
      const started = Date.now();
      sb.control.scale(app, target);
      await until(async () => instancesIn(reader) === target, 3 * TODAY_TTL_MS, 'scale-up (today)');
      out.push(Date.now() - started);
    }
    return out;
  } finally {
    clearInterval(traffic);
    sb.control.scale(app, INSTANCES); // the shared run's cold start expects it at INSTANCES
  }
}

export async function runFoundation(sb: Sandbox, db: Knex, dbUrl: string, logger: Logger): Promise<boolean> {
  const keys = new SecretKeys(CREDENTIALS_KEY);
  return measureAll(sb, db, dbUrl, logger, keys, deployedScraper());
}

async function measureAll(
  sb: Sandbox,
  db: Knex,
  dbUrl: string,
  logger: Logger,
  keys: SecretKeys,
  deployed: Deployed,
): Promise<boolean> {
  const t0 = performance.now();
  const land = await buildLandscape(sb, db, keys);
  console.log(
    `\nfoundation: ${APPS} bound apps × ${INSTANCES} instances in ${SPACES} spaces, ${REPLICAS} scraper instances (built in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  // A foundation's feed is not a burst of 20,000 creations in the last seconds: let the overlap window pass.
  await sleep(11_000);
  const today = await measureToday(sb, db, dbUrl, logger, land);
  const shared = await measureShared(sb, dbUrl, land, deployed);
  const row = (what: string, a: string, b: string, goal: string) =>
    console.log(`${what.padEnd(34)} ${a.padStart(16)} ${b.padStart(16)}   ${goal}`);
  row('', 'shared + events', 'today', 'goal');
  row('CC requests, cold start', String(shared.cold), String(today.cold), '≤ 350');
  row(
    'CC requests, refresh, no change',
    shared.nothingChanged.toFixed(1),
    String(today.nothingChanged),
    '≤ 2',
  );
  row('CC requests, refresh, 50 changed', shared.fiftyChanged.toFixed(1), String(today.fiftyChanged), '≤ 10');
  row(
    'scale-up → space output (median)',
    `${(median(shared.scaleUpMs) / 1000).toFixed(1)} s`,
    `${(median(today.scaleUpMs) / 1000).toFixed(1)} s`,
    '< 15 s',
  );
  row('CC requests per hour, steady', shared.perHour.toFixed(0), today.perHour.toFixed(0), '≤ 1,000');
  const range = (xs: number[]) =>
    `median ${(median(xs) / 1000).toFixed(1)} s, range ${(Math.min(...xs) / 1000).toFixed(1)}–${(Math.max(...xs) / 1000).toFixed(1)} s`;
  console.log(
    `scale-up rounds (ms): shared ${shared.scaleUpMs.join(', ')} (${range(shared.scaleUpMs)}, space output of a` +
      ` replica that does not discover); today ${today.scaleUpMs.join(', ')} (${range(today.scaleUpMs)}, a` +
      ` replica's view, TTL ${TODAY_TTL_MS / 1000} s)`,
  );
  const rss = shared.rss as ReplicaRss[];
  console.log(
    `RSS per replica process, sampled every ${RSS_SAMPLE_MS} ms from spawn (start peak, until all serve` +
      ` / median / max over the steady phases / max overall):`,
  );
  for (const [i, r] of rss.entries()) {
    console.log(
      `  replica ${i + 1}${r.discoverer ? ' (discoverer)' : '              '}  ${mb(r.start)} / ${mb(r.median)} /` +
        ` ${mb(r.steadyMax)} / ${mb(r.max)}   ${r.max <= RSS_GOAL ? 'ok' : 'OVER'} (goal ≤ ${mb(RSS_GOAL)} at the max)`,
    );
  }
  console.log(`today: ${today.rss}`);
  console.log(
    `ratios today/shared: cold ${(today.cold / shared.cold).toFixed(1)}×, per hour ${(today.perHour / shared.perHour).toFixed(0)}×`,
  );
  const rssOk = rss.every((r) => r.max <= RSS_GOAL);
  const ok =
    shared.cold <= 350 &&
    shared.nothingChanged <= 2 &&
    shared.fiftyChanged <= 10 &&
    median(shared.scaleUpMs) < 15_000 &&
    shared.perHour <= 1_000 &&
    rssOk;
  console.log(`foundation goals: ${ok ? 'met' : 'MISSED'}`);
  return ok;
}
