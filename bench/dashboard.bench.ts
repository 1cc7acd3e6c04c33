// Run: npm run bench:dashboard
//
// Cost of one dashboard answer for a service instance with 200 app instances (20 apps × 10 instances,
// each with a full timeline of 20 recorded scrapes, half of them failed with a detail, tenant strings
// that need escaping), in the scraper's own process:
//   A  HTML: model from bindings + discovery + recorder, then the page (what a browser gets)
//   B  JSON: the same model, JSON.stringify (the baseline: what a script gets, no markup at all)
// CPU per answer from process.cpuUsage() (user + system), medians of alternating rounds A B A B …
// Goal: A under 50 ms of CPU per page.

import type { ScrapeTarget } from '../common/targets.ts';
import type { BindingsSnapshot, InstanceRecord, ServiceKeyRecord } from '../scraper/bindings/types.ts';
import { buildInstanceModel, renderInstancePage } from '../scraper/dashboard/index.ts';
import type { DiscoveredTarget, DiscoveryView } from '../scraper/discovery/types.ts';
import { ScrapeRecorder } from '../scraper/scrape/index.ts';

const APPS = 20;
const PER_APP = 10;
const HISTORY = 20;
const ROUNDS = 15;
const PAGES_PER_ROUND = 20;
const INSTANCE_ID = 'bench-instance';

const instance: InstanceRecord = {
  id: INSTANCE_ID,
  orgGuid: 'org-guid',
  spaceGuid: 'space-guid',
  orgName: 'acme & co',
  spaceName: '<prod>',
  name: 'metrics',
};
const targets: ScrapeTarget[] = [];
const discovered: DiscoveredTarget[] = [];
const recorder = new ScrapeRecorder({ perInstance: HISTORY });
const now = Date.now();
for (let a = 0; a < APPS; a++) {
  const target: ScrapeTarget = {
    bindingId: `binding-${a}`,
    instanceId: INSTANCE_ID,
    appGuid: `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`,
    path: '/actuator/prometheus',
    scheme: 'https',
    auth: { type: 'none' },
    labels: {},
    honorLabels: false,
  };
  targets.push(target);
  discovered.push({
    target,
    status: 'scrapable',
    app: {
      guid: target.appGuid,
      name: a % 2 ? `app-${a}` : `<script>alert("app-${a}")</script>`,
      state: 'STARTED',
    },
    space: { guid: 'space-guid', name: '<prod>' },
    org: { guid: 'org-guid', name: 'acme & co' },
    route: { host: `app-${a}.apps.example.com`, path: '', internal: false },
    instances: PER_APP,
  });
  for (let i = 0; i < PER_APP; i++) {
    for (let h = 0; h < HISTORY; h++) {
      const up = (i + h) % 2 === 0;
      recorder.record(target.bindingId, i, {
        at: now - (HISTORY - h) * 15_000,
        up,
        reason: up ? undefined : 'unparsable',
        detail: up ? undefined : `line 12: invalid value at "x{a=\\"<b>\\"} oops & more"`,
        durationMs: 12.5 + h,
        budgetMs: 9_500,
        samples: up ? 420 : 0,
        families: up ? 37 : 0,
        conflicts: up ? 1 : 0,
      });
    }
  }
}
const keys = new Map<string, ServiceKeyRecord>();
for (let k = 0; k < 3; k++) {
  keys.set(`key-${k}`, {
    bindingId: `key-binding-${k}`,
    instanceId: INSTANCE_ID,
    username: `key-${k}`,
    passwordHash: 'hmac-sha256$x',
    keyId: 'k',
    createdAt: now - k * 86_400_000,
  });
}
const snapshot: BindingsSnapshot = {
  targets,
  keys,
  instances: new Map([[INSTANCE_ID, instance]]),
  loadedAt: now,
};
const view: DiscoveryView = { targets: discovered, bySpace: new Map(), refreshedAt: now };
const sources = { bindings: () => snapshot, discovery: () => view, recorder, clock: Date.now };

let sink = 0;
function html(): void {
  const model = buildInstanceModel(sources, INSTANCE_ID);
  if (!model) throw new Error('no model');
  sink += renderInstancePage(model, { refreshSeconds: 15, userName: 'dev' }).length;
}
function json(): void {
  const model = buildInstanceModel(sources, INSTANCE_ID);
  if (!model) throw new Error('no model');
  sink += JSON.stringify(model).length;
}

/** CPU milliseconds per answer over one round. */
function round(fn: () => void): number {
  const before = process.cpuUsage();
  for (let p = 0; p < PAGES_PER_ROUND; p++) fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / PAGES_PER_ROUND;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (let w = 0; w < 3; w++) {
  round(html);
  round(json);
}
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  a.push(round(html));
  b.push(round(json));
}
const model = buildInstanceModel(sources, INSTANCE_ID)!;
const htmlBytes = renderInstancePage(model, { refreshSeconds: 15, userName: 'dev' }).length;
const jsonBytes = JSON.stringify(model).length;
console.log(
  `dashboard answer for ${APPS * PER_APP} instances (${HISTORY} recorded scrapes each), CPU per answer, medians of ${ROUNDS} alternating rounds`,
);
console.log(
  `  A  HTML page:       ${median(a).toFixed(2).padStart(7)} ms CPU  (${htmlBytes.toLocaleString('en-US')} bytes)  goal < 50 ms`,
);
console.log(
  `  B  JSON (baseline): ${median(b).toFixed(2).padStart(7)} ms CPU  (${jsonBytes.toLocaleString('en-US')} bytes)`,
);
console.log(
  `  ratio A/B: ${(median(a) / median(b)).toFixed(2)}×   ${median(a) < 50 ? 'goal met' : 'GOAL MISSED'}`,
);
if (sink === 0) console.log('');
