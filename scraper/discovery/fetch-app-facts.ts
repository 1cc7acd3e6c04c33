import type { CloudControllerClient } from '../cf/types.ts';
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
}

/** Internal domains are named `apps.internal` by default; the `internal` flag is authoritative when present. */
const INTERNAL_SUFFIX = 'apps.internal';
const DEFAULT_APP_PORT = 8080;

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
  await forEachLimited(batches, options.concurrency, async (batch) => {
    for (const facts of await fetchBatch(cc, batch, options.perPage)) result.set(facts.guid, facts);
  });
  return result;
}

async function fetchBatch(cc: CloudControllerClient, batch: string[], perPage: number): Promise<AppFacts[]> {
  const filter = batch.map(encodeURIComponent).join(',');
  const [apps, routes, processes] = await Promise.all([
    cc.listAll<WireApp>(`/v3/apps?guids=${filter}&include=space.organization&per_page=${perPage}`),
    cc.listAll<WireRoute>(`/v3/routes?app_guids=${filter}&include=domain&per_page=${perPage}`),
    cc.listAll<WireProcess>(`/v3/processes?app_guids=${filter}&types=web&per_page=${perPage}`),
  ]);
  const spaces = byGuid<WireSpace>(apps.included.spaces);
  const orgs = byGuid<WireNamed>(apps.included.organizations);
  const domains = byGuid<WireDomain>(routes.included.domains);
  const wanted = new Set(batch);

  const routesByApp = new Map<string, RouteFact[]>();
  for (const route of routes.resources) {
    const domain = domains.get(route.relationships?.domain?.data?.guid ?? '');
    const destinations = route.destinations ?? [];
    // A route without destinations can still be attributed when the batch holds a single app.
    const owners = destinations.length
      ? destinations.map((d) => d.app?.guid).filter((g): g is string => g !== undefined && wanted.has(g))
      : batch.length === 1
        ? batch
        : [];
    for (const appGuid of new Set(owners)) {
      const fact = routeFact(route, domain, appGuid);
      if (!fact) continue;
      const list = routesByApp.get(appGuid) ?? [];
      list.push(fact);
      routesByApp.set(appGuid, list);
    }
  }

  const webByApp = new Map<string, WireProcess>();
  for (const p of processes.resources) {
    const appGuid = p.relationships?.app?.data?.guid;
    if (appGuid && (p.type ?? 'web') === 'web' && !webByApp.has(appGuid)) webByApp.set(appGuid, p);
  }

  const out: AppFacts[] = [];
  for (const app of apps.resources) {
    if (!app.guid || !wanted.has(app.guid)) continue;
    const space = spaces.get(app.relationships?.space?.data?.guid ?? '');
    const spaceGuid = space?.guid ?? app.relationships?.space?.data?.guid;
    const org = orgs.get(space?.relationships?.organization?.data?.guid ?? '');
    const web = webByApp.get(app.guid);
    out.push({
      guid: app.guid,
      name: app.name ?? app.guid,
      // Anything but an explicit STOPPED is tried: a failed scrape is reported anyway.
      state: app.state === 'STOPPED' ? 'STOPPED' : 'STARTED',
      space: spaceGuid ? { guid: spaceGuid, name: space?.name ?? '' } : undefined,
      org: org?.guid ? { guid: org.guid, name: org.name ?? '' } : undefined,
      routes: routesByApp.get(app.guid) ?? [],
      instances: typeof web?.instances === 'number' ? web.instances : 0,
      processGuid: web?.guid,
    });
  }
  return out;
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
