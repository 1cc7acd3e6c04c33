import type { BindingsSnapshot } from '../bindings/types.ts';
import type { DiscoveredTarget, DiscoveryView, TargetStatus } from '../discovery/types.ts';
import type { ScrapeRecord, ScrapeRecorder } from '../scrape/index.ts';

/**
 * What the dashboard shows of one service instance, as plain data: the HTML page renders it, the JSON
 * answer is it. Built from what the scraper already holds (bindings, discovery view, recorded scrapes):
 * opening a dashboard never scrapes an app nor asks the CC for more than permissions.
 */
export interface InstanceModel {
  instance: {
    id: string;
    name: string | null;
    orgGuid: string;
    orgName: string | null;
    spaceGuid: string;
    spaceName: string | null;
  };
  generatedAt: string;
  totals: { apps: number; instances: number; up: number; down: number; neverScraped: number };
  apps: AppModel[];
  /** Name from the CC (`cf create-service-key`'s), null when it could not be read. Never a secret. */
  serviceKeys: Array<{ id: string; name: string | null; username: string; createdAt: string | null }>;
}

export interface AppModel {
  bindingId: string;
  appGuid: string;
  appName: string | null;
  /** Discovery's verdict: only `scrapable` apps are scraped. */
  status: TargetStatus | 'not-discovered';
  state: 'STARTED' | 'STOPPED' | null;
  route: string | null;
  path: string;
  scheme: 'http' | 'https';
  desiredInstances: number;
  instances: InstanceRow[];
}

export interface InstanceRow {
  index: number;
  /** null: never scraped since this scraper started. */
  up: boolean | null;
  reason: string | null;
  detail: string | null;
  lastScrapeAt: string | null;
  durationMs: number | null;
  deadlineMs: number | null;
  samples: number | null;
  families: number | null;
  conflicts: number | null;
  timeline: Array<{ at: string; up: boolean; reason: string | null; durationMs: number }>;
}

/** Rows per app at most: a runaway instance count must not make a page of unbounded size. */
const MAX_ROWS_PER_APP = 500;

export interface ModelSources {
  bindings: () => BindingsSnapshot;
  discovery: () => DiscoveryView;
  recorder: ScrapeRecorder;
  clock: () => number;
  /** Key GUID → name, when the CC told (see key-names.ts). */
  keyNames?: ReadonlyMap<string, string> | undefined;
}

/** The model of `instanceId`, or undefined when this scraper does not know the instance. */
export function buildInstanceModel(sources: ModelSources, instanceId: string): InstanceModel | undefined {
  const snapshot = sources.bindings();
  const record = snapshot.instances.get(instanceId);
  if (!record) return undefined;
  const discovered = new Map<string, DiscoveredTarget>();
  for (const dt of sources.discovery().targets) {
    if (dt.target.instanceId === instanceId) discovered.set(dt.target.bindingId, dt);
  }
  const totals = { apps: 0, instances: 0, up: 0, down: 0, neverScraped: 0 };
  const apps: AppModel[] = [];
  for (const target of snapshot.targets) {
    if (target.instanceId !== instanceId) continue;
    const dt = discovered.get(target.bindingId);
    const desired = dt?.instances ?? 0;
    const rows: InstanceRow[] = [];
    // Only what is scraped gets rows; a stopped or unroutable app is explained by its status instead.
    const scraped = dt?.status === 'scrapable' ? Math.min(desired, MAX_ROWS_PER_APP) : 0;
    for (let index = 0; index < scraped; index++) {
      const row = instanceRow(index, sources.recorder.history(target.bindingId, index));
      if (row.up === null) totals.neverScraped++;
      else if (row.up) totals.up++;
      else totals.down++;
      rows.push(row);
    }
    totals.apps++;
    totals.instances += rows.length;
    apps.push({
      bindingId: target.bindingId,
      appGuid: target.appGuid,
      appName: dt?.app?.name ?? null,
      status: dt?.status ?? 'not-discovered',
      state: dt?.app?.state ?? null,
      route: dt?.route ? `${dt.route.host}${dt.route.path}` : null,
      path: target.path,
      scheme: target.scheme,
      desiredInstances: desired,
      instances: rows,
    });
  }
  const serviceKeys = [...snapshot.keys.values()]
    .filter((k) => k.instanceId === instanceId)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))
    .map((k) => ({
      id: k.bindingId,
      name: sources.keyNames?.get(k.bindingId) ?? null,
      username: k.username,
      createdAt: k.createdAt === undefined ? null : new Date(k.createdAt).toISOString(),
    }));
  return {
    instance: {
      id: record.id,
      name: record.name ?? null,
      orgGuid: record.orgGuid,
      orgName: record.orgName ?? null,
      spaceGuid: record.spaceGuid,
      spaceName: record.spaceName ?? null,
    },
    generatedAt: new Date(sources.clock()).toISOString(),
    totals,
    apps,
    serviceKeys,
  };
}

function instanceRow(index: number, history: readonly ScrapeRecord[]): InstanceRow {
  const last = history[history.length - 1];
  return {
    index,
    up: last ? last.up : null,
    reason: last?.reason ?? null,
    detail: last?.detail ?? null,
    lastScrapeAt: last ? new Date(last.at).toISOString() : null,
    durationMs: last ? Math.round(last.durationMs) : null,
    deadlineMs: last ? last.budgetMs : null,
    samples: last ? last.samples : null,
    families: last ? last.families : null,
    conflicts: last ? last.conflicts : null,
    timeline: history.map((h) => ({
      at: new Date(h.at).toISOString(),
      up: h.up,
      reason: h.reason ?? null,
      durationMs: Math.round(h.durationMs),
    })),
  };
}
