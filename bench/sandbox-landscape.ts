// Run: npx tsx bench/sandbox-landscape.ts [apps=1000] [instances=4]
//
// Can the sandbox carry a large landscape on this 2-core machine? Starts 1,000 apps × 4 instances
// (20 orgs × 5 spaces × 10 apps), then reports: start time, RSS, CC discovery of the whole landscape,
// 100 random instance-routed requests (all must be 200 from the right instance), and one sweep over
// every instance at concurrency 64 (what a scraper does each interval). Baseline in the same run: the
// same 100 requests sent straight to one instance's handler through the router with no instance header.
import { request } from 'undici';
import { type SandboxApp, startSandbox } from '../sandbox/index.ts';

const APPS = Number(process.argv[2] ?? 1000);
const INSTANCES = Number(process.argv[3] ?? 4);
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const sb = await startSandbox();
const tListen = performance.now() - t0;
const apps: SandboxApp[] = [];
const perSpace = 10;
const spaces: string[] = [];
for (let o = 0; o < Math.ceil(APPS / (perSpace * 5)); o++) {
  const org = sb.control.createOrg(`org-${o}`);
  for (let s = 0; s < 5; s++) spaces.push(sb.control.createSpace(org.guid, `space-${s}`).guid);
}
for (let i = 0; i < APPS; i++) {
  apps.push(
    sb.control.createApp({
      spaceGuid: spaces[Math.floor(i / perSpace)]!,
      name: `app-${i}`,
      instances: INSTANCES,
    }),
  );
}
const tStart = performance.now() - t0;
const rssStarted = process.memoryUsage().rss;

// Discovery as the scraper does it: token, apps with include, routes, processes, 100 GUIDs per request.
const tokenRes = await request(`${sb.uaaUrl}/oauth/token`, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${sb.admin.clientId}:${sb.admin.clientSecret}`).toString('base64')}`,
  },
  body: 'grant_type=client_credentials',
});
const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
sb.control.resetRequestCounts();
const tDisc0 = performance.now();
let discovered = 0;
for (let i = 0; i < apps.length; i += 100) {
  const guids = apps
    .slice(i, i + 100)
    .map((a) => a.guid)
    .join(',');
  const headers = { authorization: `bearer ${token}` };
  const [a, r, p] = await Promise.all(
    [
      `/v3/apps?guids=${guids}&include=space.organization&per_page=100`,
      `/v3/routes?app_guids=${guids}&include=domain&per_page=100`,
      `/v3/processes?app_guids=${guids}&types=web&per_page=100`,
    ].map(
      async (path) =>
        (await (await request(`${sb.ccUrl}${path}`, { headers })).body.json()) as {
          resources: Array<{ instances?: number }>;
        },
    ),
  );
  discovered += p!.resources.reduce((n, x) => n + (x.instances ?? 0), 0);
  if (a!.resources.length !== r!.resources.length) throw new Error('apps and routes disagree');
}
const tDisc = performance.now() - tDisc0;
const ccCalls = sb.control.requestCounts().total;

async function routed(appIndex: number, index: number | undefined): Promise<{ ok: boolean; ms: number }> {
  const app = apps[appIndex]!;
  const headers: Record<string, string> = { host: app.routes[0]! };
  if (index !== undefined) headers['x-cf-app-instance'] = `${app.guid}:${index}`;
  const t = performance.now();
  const res = await request(`${sb.routerUrl}/metrics`, { headers });
  const body = await res.body.text();
  const ms = performance.now() - t;
  const ok =
    res.statusCode === 200 && (index === undefined || body.includes(`\nsandbox_instance_index ${index}\n`));
  return { ok, ms };
}

const rnd = (n: number) => Math.floor(Math.random() * n);
const baseline: number[] = [];
for (let i = 0; i < 100; i++) baseline.push((await routed(0, undefined)).ms);
const sample: number[] = [];
let okCount = 0;
for (let i = 0; i < 100; i++) {
  const r = await routed(rnd(APPS), rnd(INSTANCES));
  sample.push(r.ms);
  if (r.ok) okCount++;
}

const targets: Array<[number, number]> = [];
for (let a = 0; a < APPS; a++) for (let i = 0; i < INSTANCES; i++) targets.push([a, i]);
let sweepOk = 0;
const tSweep0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < targets.length) {
      const [a, i] = targets[next++]!;
      if ((await routed(a, i)).ok) sweepOk++;
    }
  }),
);
const tSweep = performance.now() - tSweep0;
const rssAfter = process.memoryUsage().rss;
await sb.stop();

console.log(
  `landscape            ${APPS} apps × ${INSTANCES} instances = ${APPS * INSTANCES} instances, ${spaces.length} spaces`,
);
console.log(
  `start                ${tStart.toFixed(0)} ms (listeners, keys, certificate: ${tListen.toFixed(0)} ms; model: ${(tStart - tListen).toFixed(0)} ms)`,
);
console.log(
  `RSS                  ${mb(rssBefore)} before, ${mb(rssStarted)} started, ${mb(rssAfter)} after scraping every instance once`,
);
console.log(
  `CC discovery         ${ccCalls} requests, ${tDisc.toFixed(0)} ms, ${discovered} instances found`,
);
console.log(
  `instance-routed      ${okCount}/100 random requests OK from the right instance; p50 ${pct(sample, 0.5).toFixed(1)} ms, p99 ${pct(sample, 0.99).toFixed(1)} ms`,
);
console.log(
  `baseline round-robin 100 requests to one app, p50 ${pct(baseline, 0.5).toFixed(1)} ms, p99 ${pct(baseline, 0.99).toFixed(1)} ms`,
);
console.log(
  `sweep (concurrency 64) ${sweepOk}/${targets.length} OK in ${tSweep.toFixed(0)} ms = ${((targets.length / tSweep) * 1000).toFixed(0)} req/s`,
);
if (okCount !== 100 || sweepOk !== targets.length || discovered !== APPS * INSTANCES) process.exitCode = 1;
