import type { CloudControllerClient, ListResult } from '../cf/types.ts';
import type { AppFacts, RouteFact } from './app-facts.ts';
import {
  byGuid,
  type WireApp,
  type WireDomain,
  type WireNamed,
  type WireProcess,
  type WireRoute,
  type WireSpace,
} from './wire.ts';

export interface FetchOptions {
  /** GUIDs per filter (URL length limits of gorouter and load balancers). */
  guidsPerRequest: number;
  /** CC page size: 5000 (the maximum) keeps one request per batch. */
  perPage: number;
  /** Batches in flight at once. */
  concurrency: number;
  /**
   * Called after every SLICE_BATCHES batches of a long fetch (a full discovery): the caller runs a GC
   * there, so the parsed CC answers V8 promotes meanwhile are given back before the next slice, not all
   * at the end (at 10,000 apps, ~30 MB of them would pile up in the old generation).
   */
  betweenSlices?: () => void;
}

/** 2,000 apps at 100 GUIDs per request. */
const SLICE_BATCHES = 20;

/** Internal domains are named `apps.internal` by default; the `internal` flag is authoritative when present. */
const INTERNAL_SUFFIX = 'apps.internal';
const DEFAULT_APP_PORT = 8080;

type Named = { guid: string; name: string };

/**
 * One space or org object per guid for the whole fetch: 10,000 apps in 500 spaces then hold 500 of each,
 * not 10,000.
 */
class Interned {
  private readonly byGuid = new Map<string, Named>();
  get(guid: string, name: string): Named {
    const known = this.byGuid.get(guid);
    if (known?.name === name) return known;
    const fresh = { guid, name };
    this.byGuid.set(guid, fresh);
    return fresh;
  }
}

/**
 * Facts for the given app GUIDs: three list requests per batch (apps with space and org, routes with
 * domains, web processes), batches run a few at a time. All-or-nothing: one failed request fails the
 * whole call, so the caller keeps its previous facts instead of mixing in a half-seen world.
 * Apps the CC did not return are absent from the result.
 */
export async function fetchAppFacts(
  cc: CloudControllerClient,
  guids: readonly string[],
  options: FetchOptions,
): Promise<Map<string, AppFacts>> {
  const batches: string[][] = [];
  for (let i = 0; i < guids.length; i += options.guidsPerRequest) {
    batches.push(guids.slice(i, i + options.guidsPerRequest));
  }
  const result = new Map<string, AppFacts>();
  const spaces = new Interned();
  const orgs = new Interned();
  for (let i = 0; i < batches.length; i += SLICE_BATCHES) {
    if (i > 0) options.betweenSlices?.();
    await forEachLimited(batches.slice(i, i + SLICE_BATCHES), options.concurrency, async (batch) => {
      for (const facts of await fetchBatch(cc, batch, options.perPage, spaces, orgs)) {
        result.set(facts.guid, facts);
      }
    });
  }
  return result;
}

/**
 * Each answer is reduced to the few fields discovery keeps as soon as it is parsed, not when all three of
 * the batch have arrived: a CC answer for 100 apps is ~400 KB of JSON, several times that as objects,
 * and with 4 batches in flight the raw answers would outlive young-generation collections and be
 * promoted, which grows the discoverer's heap by tens of MB during a full discovery.
 */
async function fetchBatch(
  cc: CloudControllerClient,
  batch: string[],
  perPage: number,
  spaces: Interned,
  orgs: Interned,
): Promise<AppFacts[]> {
  const filter = batch.map(encodeURIComponent).join(',');
  const wanted = new Set(batch);
  const [apps, routesByApp, webByApp] = await Promise.all([
    cc
      .listAll<WireApp>(`/v3/apps?guids=${filter}&include=space.organization&per_page=${perPage}`)
      .then((list) => appsOf(list, wanted, spaces, orgs)),
    cc
      .listAll<WireRoute>(`/v3/routes?app_guids=${filter}&include=domain&per_page=${perPage}`)
      .then((list) => routesOf(list, batch, wanted)),
    cc
      .listAll<WireProcess>(`/v3/processes?app_guids=${filter}&types=web&per_page=${perPage}`)
      .then(webProcessesOf),
  ]);
  const out: AppFacts[] = [];
  for (const app of apps) {
    const web = webByApp.get(app.guid);
    out.push({
      guid: app.guid,
      name: app.name,
      state: app.state,
      space: app.space,
      org: app.org,
      routes: routesByApp.get(app.guid) ?? [],
      instances: web?.instances ?? 0,
      processGuid: web?.guid,
    });
  }
  return out;
}

type AppPart = Pick<AppFacts, 'guid' | 'name' | 'state' | 'space' | 'org'>;

function appsOf(list: ListResult<WireApp>, wanted: Set<string>, spaces: Interned, orgs: Interned): AppPart[] {
  const spacesByGuid = byGuid<WireSpace>(list.included.spaces);
  const orgsByGuid = byGuid<WireNamed>(list.included.organizations);
  const out: AppPart[] = [];
  for (const app of list.resources) {
    if (!app.guid || !wanted.has(app.guid)) continue;
    const space = spacesByGuid.get(app.relationships?.space?.data?.guid ?? '');
    const spaceGuid = space?.guid ?? app.relationships?.space?.data?.guid;
    const org = orgsByGuid.get(space?.relationships?.organization?.data?.guid ?? '');
    out.push({
      guid: app.guid,
      name: app.name ?? app.guid,
      // Anything but an explicit STOPPED is tried: a failed scrape is reported anyway.
      state: app.state === 'STOPPED' ? 'STOPPED' : 'STARTED',
      space: spaceGuid ? spaces.get(spaceGuid, space?.name ?? '') : undefined,
      org: org?.guid ? orgs.get(org.guid, org.name ?? '') : undefined,
    });
  }
  return out;
}

function routesOf(
  list: ListResult<WireRoute>,
  batch: string[],
  wanted: Set<string>,
): Map<string, RouteFact[]> {
  const domains = byGuid<WireDomain>(list.included.domains);
  const routesByApp = new Map<string, RouteFact[]>();
  const add = (route: WireRoute, domain: WireDomain | undefined, appGuid: string) => {
    const fact = routeFact(route, domain, appGuid);
    if (!fact) return;
    const routes = routesByApp.get(appGuid);
    if (routes) routes.push(fact);
    else routesByApp.set(appGuid, [fact]);
  };
  for (const route of list.resources) {
    const domain = domains.get(route.relationships?.domain?.data?.guid ?? '');
    const destinations = route.destinations ?? [];
    // A route without destinations can still be attributed when the batch holds a single app.
    if (destinations.length === 0) {
      if (batch.length === 1) add(route, domain, batch[0]!);
      continue;
    }
    // Once per app (an app may be a destination twice, e.g. on two ports); no arrays or sets per route.
    for (let i = 0; i < destinations.length; i++) {
      const appGuid = destinations[i]!.app?.guid;
      if (appGuid === undefined || !wanted.has(appGuid)) continue;
      let first = true;
      for (let j = 0; j < i && first; j++) if (destinations[j]!.app?.guid === appGuid) first = false;
      if (first) add(route, domain, appGuid);
    }
  }
  return routesByApp;
}

function webProcessesOf(
  list: ListResult<WireProcess>,
): Map<string, { instances: number; guid: string | undefined }> {
  const webByApp = new Map<string, { instances: number; guid: string | undefined }>();
  for (const p of list.resources) {
    const appGuid = p.relationships?.app?.data?.guid;
    if (appGuid && (p.type ?? 'web') === 'web' && !webByApp.has(appGuid)) {
      webByApp.set(appGuid, { instances: typeof p.instances === 'number' ? p.instances : 0, guid: p.guid });
    }
  }
  return webByApp;
}

function routeFact(route: WireRoute, domain: WireDomain | undefined, appGuid: string): RouteFact | undefined {
  let host: string | undefined;
  if (domain?.name) host = route.host ? `${route.host}.${domain.name}` : domain.name;
  else if (route.url) host = route.url.split('/')[0];
  if (!host) return undefined;
  host = host.toLowerCase();
  const internal = domain?.internal ?? (host === INTERNAL_SUFFIX || host.endsWith(`.${INTERNAL_SUFFIX}`));
  const destination = route.destinations?.find((d) => d.app?.guid === appGuid);
  const protocol = route.protocol === 'tcp' || (route.protocol === undefined && route.port) ? 'tcp' : 'http';
  return {
    ...(route.guid !== undefined && { guid: route.guid }),
    host,
    path: route.path ?? '',
    protocol,
    internal,
    port: destination?.port ?? (internal ? DEFAULT_APP_PORT : undefined),
  };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
