import type { Foundation, InstanceRecord, RouteRecord } from '../state.ts';

// gorouter's routing decision: route by Host (+ longest path prefix), then round-robin or the instance
// named by X-CF-APP-INSTANCE. Errors carry the status and X-Cf-Routererror clients must decide on.

export type RouteDecision =
  | { kind: 'endpoint'; instance: InstanceRecord }
  | { kind: 'error'; status: number; routerError: string; body: string };

const INSTANCE_HEADER_RE = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}:\d+$/;

export class RouteTable {
  private cachedVersion = -1;
  private byHost = new Map<string, RouteRecord[]>();
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly foundation: Foundation,
    private readonly emptyPool503: boolean,
  ) {}

  decide(hostHeader: string | undefined, path: string, instanceHeader: string | undefined): RouteDecision {
    const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
    if (instanceHeader !== undefined && !INSTANCE_HEADER_RE.test(instanceHeader)) {
      return error(
        400,
        'invalid_cf_app_instance_header',
        '400 Bad Request: Invalid X-CF-App-Instance Header',
      );
    }
    const route = this.find(host, path);
    if (instanceHeader !== undefined) {
      const colon = instanceHeader.indexOf(':');
      const appGuid = instanceHeader.slice(0, colon);
      const index = Number(instanceHeader.slice(colon + 1));
      const instance = route && this.pool(route).find((i) => i.appGuid === appGuid && i.index === index);
      if (!instance) {
        return error(
          400,
          'unknown_route',
          `400 Bad Request: Requested instance ('${index}') with guid ('${appGuid}') does not exist for route ('${host}')`,
        );
      }
      return { kind: 'endpoint', instance };
    }
    if (!route)
      return error(404, 'unknown_route', `404 Not Found: Requested route ('${host}') does not exist.`);
    const pool = this.pool(route);
    if (pool.length === 0) {
      // A pool emptied by its last instance leaving is pruned, unless the operator keeps it and answers 503.
      return this.emptyPool503
        ? error(
            503,
            'no_endpoints',
            `503 Service Unavailable: Requested route ('${host}') has no available endpoints.`,
          )
        : error(404, 'unknown_route', `404 Not Found: Requested route ('${host}') does not exist.`);
    }
    const cursor = this.cursors.get(route.guid) ?? 0;
    this.cursors.set(route.guid, cursor + 1);
    return { kind: 'endpoint', instance: pool[cursor % pool.length] as InstanceRecord };
  }

  private pool(route: RouteRecord): InstanceRecord[] {
    const out: InstanceRecord[] = [];
    for (const guid of route.appGuids) {
      const app = this.foundation.apps.get(guid);
      if (app?.state !== 'STARTED') continue;
      for (const inst of app.instances) if (inst.state === 'RUNNING') out.push(inst);
    }
    return out;
  }

  private find(host: string, path: string): RouteRecord | undefined {
    this.refresh();
    const candidates = this.byHost.get(host);
    if (!candidates) return undefined;
    // Sorted longest path first: the most specific route wins, matching whole segments only.
    return candidates.find((r) => r.path === '' || path === r.path || path.startsWith(`${r.path}/`));
  }

  private refresh(): void {
    if (this.cachedVersion === this.foundation.version) return;
    const byHost = new Map<string, RouteRecord[]>();
    for (const route of this.foundation.routes.values()) {
      if (this.foundation.domains.get(route.domainGuid)?.internal) continue; // container-to-container only
      const hostname = this.foundation.routeHostname(route);
      const list = byHost.get(hostname) ?? [];
      list.push(route);
      byHost.set(hostname, list);
    }
    for (const list of byHost.values()) list.sort((a, b) => b.path.length - a.path.length);
    this.byHost = byHost;
    this.cachedVersion = this.foundation.version;
  }
}

function error(status: number, routerError: string, body: string): RouteDecision {
  return { kind: 'error', status, routerError, body: `${body}\n` };
}
