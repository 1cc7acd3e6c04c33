import { randomUUID } from 'node:crypto';
import { type AuditActor, AuditLog, CONTROL_ACTOR } from './audit-log.ts';
import type {
  AppAuth,
  AppSpec,
  ExtraFamily,
  InstanceBehavior,
  MetricsSpec,
  RouteSpec,
  SandboxApp,
} from './types.ts';

// The one model of the simulated foundation. CC, router and apps all read it, so their views always agree.

export interface OrgRecord {
  guid: string;
  name: string;
  createdAt: string;
}
export interface SpaceRecord {
  guid: string;
  name: string;
  orgGuid: string;
  createdAt: string;
}
export interface DomainRecord {
  guid: string;
  name: string;
  internal: boolean;
  createdAt: string;
}
export interface RouteRecord {
  guid: string;
  host: string;
  /** '' or '/segment...' without trailing slash. */
  path: string;
  domainGuid: string;
  spaceGuid: string;
  appGuids: string[];
  createdAt: string;
}
export type InstanceState = 'RUNNING' | 'CRASHED' | 'STARTING';
export interface InstanceRecord {
  /** Changes on every (re)start, like a container: per-process state (counters) is keyed by it. */
  id: string;
  appGuid: string;
  index: number;
  state: InstanceState;
  startedAt: number;
  behavior: InstanceBehavior;
}
export interface ResolvedMetrics {
  format: 'prom-client' | 'payload';
  payloadBytes: number;
  seriesCount: number | undefined;
  metricsPath: string;
  families: readonly ExtraFamily[];
}
export interface AppRecord {
  guid: string;
  name: string;
  spaceGuid: string;
  state: 'STARTED' | 'STOPPED';
  processGuid: string;
  desiredInstances: number;
  /** Present only while STARTED, one per desired index. */
  instances: InstanceRecord[];
  metrics: ResolvedMetrics;
  auth: AppAuth;
  createdAt: string;
  updatedAt: string;
}

export class SandboxError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

const GUID_RE = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/;

export function ccTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export class Foundation {
  readonly orgs = new Map<string, OrgRecord>();
  readonly spaces = new Map<string, SpaceRecord>();
  readonly domains = new Map<string, DomainRecord>();
  readonly routes = new Map<string, RouteRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly instancesById = new Map<string, InstanceRecord>();
  /** Bumped on every change that affects routing, so the router can cache its table. */
  version = 0;
  readonly audit: AuditLog;
  private readonly instanceGoneListeners: Array<(id: string) => void> = [];

  constructor(
    readonly appsDomain: string,
    private readonly now: () => number = Date.now,
  ) {
    this.audit = new AuditLog(() => this.stamp());
    this.ensureDomain(appsDomain, false);
    this.ensureDomain('apps.internal', true);
  }

  onInstanceGone(listener: (id: string) => void): void {
    this.instanceGoneListeners.push(listener);
  }

  // CC timestamps have second resolution; lists keep insertion order, as CC breaks created_at ties by id.
  private stamp(): string {
    return ccTimestamp(this.now());
  }

  createOrg(name: string, guid: string = randomUUID()): OrgRecord {
    const org = { guid, name, createdAt: this.stamp() };
    this.orgs.set(guid, org);
    return org;
  }

  createSpace(orgGuid: string, name: string, guid: string = randomUUID()): SpaceRecord {
    if (!this.orgs.has(orgGuid)) throw new SandboxError('not_found', `no org ${orgGuid}`);
    const space = { guid, name, orgGuid, createdAt: this.stamp() };
    this.spaces.set(guid, space);
    return space;
  }

  ensureDomain(name: string, internal: boolean): DomainRecord {
    const lower = name.toLowerCase();
    for (const d of this.domains.values()) if (d.name === lower) return d;
    const domain = { guid: randomUUID(), name: lower, internal, createdAt: this.stamp() };
    this.domains.set(domain.guid, domain);
    return domain;
  }

  createApp(spec: AppSpec): AppRecord {
    if (!this.spaces.has(spec.spaceGuid)) throw new SandboxError('not_found', `no space ${spec.spaceGuid}`);
    const guid = spec.guid ?? randomUUID();
    if (!GUID_RE.test(guid)) throw new SandboxError('invalid', `app guid must be a lowercase GUID: ${guid}`);
    if (this.apps.has(guid)) throw new SandboxError('conflict', `app ${guid} exists`);
    const createdAt = this.stamp();
    const app: AppRecord = {
      guid,
      name: spec.name,
      spaceGuid: spec.spaceGuid,
      state: spec.state ?? 'STARTED',
      processGuid: randomUUID(),
      desiredInstances: checkInstances(spec.instances ?? 1),
      instances: [],
      metrics: resolveMetrics(spec.metrics),
      auth: spec.auth ?? { type: 'none' },
      createdAt,
      updatedAt: createdAt,
    };
    this.apps.set(guid, app);
    this.appEvent(app, 'audit.app.create', { request: { name: app.name, state: app.state } });
    if (app.state === 'STARTED') this.converge(app);
    const routes: RouteSpec[] =
      spec.routes ?? (spec.host === null ? [] : [{ host: spec.host ?? spec.name.toLowerCase() }]);
    for (const r of routes) this.addRoute(guid, r);
    this.version++;
    return app;
  }

  app(guid: string): AppRecord {
    const app = this.apps.get(guid);
    if (!app) throw new SandboxError('not_found', `no app ${guid}`);
    return app;
  }

  instance(appGuid: string, index: number): InstanceRecord {
    const app = this.app(appGuid);
    const inst = app.instances[index];
    if (!inst) throw new SandboxError('not_found', `app ${app.name} has no running instance ${index}`);
    return inst;
  }

  addRoute(appGuid: string, spec: RouteSpec): RouteRecord {
    const app = this.app(appGuid);
    const internal = spec.internal ?? spec.domain === 'apps.internal';
    const domain = this.ensureDomain(spec.domain ?? (internal ? 'apps.internal' : this.appsDomain), internal);
    const host = spec.host.toLowerCase();
    const path = normalizePath(spec.path ?? '');
    for (const r of this.routes.values()) {
      if (r.domainGuid === domain.guid && r.host === host && r.path === path) {
        if (!r.appGuids.includes(appGuid)) {
          r.appGuids.push(appGuid);
          this.appEvent(app, 'audit.app.map-route', { route_guid: r.guid });
        }
        this.version++;
        return r;
      }
    }
    const route = {
      guid: randomUUID(),
      host,
      path,
      domainGuid: domain.guid,
      spaceGuid: app.spaceGuid,
      appGuids: [appGuid],
      createdAt: this.stamp(),
    };
    this.routes.set(route.guid, route);
    this.appEvent(app, 'audit.app.map-route', { route_guid: route.guid });
    this.version++;
    return route;
  }

  /** Unmaps the app from the route (`cf unmap-route`); the route itself stays, as in CF. */
  removeRoute(appGuid: string, spec: RouteSpec): void {
    const app = this.app(appGuid);
    const internal = spec.internal ?? spec.domain === 'apps.internal';
    const domainName = (spec.domain ?? (internal ? 'apps.internal' : this.appsDomain)).toLowerCase();
    const host = spec.host.toLowerCase();
    const path = normalizePath(spec.path ?? '');
    for (const r of this.routes.values()) {
      const domain = this.domains.get(r.domainGuid);
      if (domain?.name !== domainName || r.host !== host || r.path !== path) continue;
      if (!r.appGuids.includes(appGuid)) break;
      r.appGuids = r.appGuids.filter((g) => g !== appGuid);
      this.appEvent(app, 'audit.app.unmap-route', { route_guid: r.guid });
      this.version++;
      return;
    }
    throw new SandboxError('not_found', `app ${app.name} is not mapped to ${host}.${domainName}${path}`);
  }

  /** `cf delete`: instances go, routes are unmapped, the app is unknown to the CC afterwards. */
  deleteApp(appGuid: string): void {
    const app = this.app(appGuid);
    this.appEvent(app, 'audit.app.delete-request', { request: { recursive: true } });
    this.dropInstances(app, 0);
    for (const r of this.routes.values()) r.appGuids = r.appGuids.filter((g) => g !== appGuid);
    this.apps.delete(appGuid);
    this.version++;
  }

  /** `cf restart`: every instance in a new container. */
  restart(appGuid: string): void {
    const app = this.app(appGuid);
    this.appEvent(app, 'audit.app.restart', {});
    if (app.state === 'STOPPED') {
      app.state = 'STARTED';
      this.touch(app);
    }
    this.dropInstances(app, 0);
    this.converge(app);
  }

  routeHostname(route: RouteRecord): string {
    const domain = this.domains.get(route.domainGuid)?.name ?? '';
    return route.host ? `${route.host}.${domain}` : domain;
  }

  scale(appGuid: string, instances: number): void {
    const app = this.app(appGuid);
    app.desiredInstances = checkInstances(instances);
    this.appEvent(app, 'audit.app.process.scale', { process_type: 'web', request: { instances } });
    this.touch(app);
    if (app.state === 'STARTED') this.converge(app);
  }

  setState(appGuid: string, state: 'STARTED' | 'STOPPED'): void {
    const app = this.app(appGuid);
    if (app.state === state) return;
    app.state = state;
    this.appEvent(app, state === 'STARTED' ? 'audit.app.start' : 'audit.app.stop', {});
    this.touch(app);
    if (state === 'STOPPED') this.dropInstances(app, 0);
    else this.converge(app);
  }

  setInstanceState(appGuid: string, index: number, state: InstanceState): void {
    const inst = this.instance(appGuid, index);
    if (state === 'RUNNING' && inst.state === 'CRASHED') {
      // Diego restarts a crashed instance in a new container: new identity, fresh process state.
      this.replaceInstance(this.app(appGuid), index);
    } else {
      if (state === 'CRASHED' && inst.state !== 'CRASHED') {
        // Diego reports the crash; CC records it with the process as actor.
        const app = this.app(appGuid);
        const actor: AuditActor = { guid: app.processGuid, type: 'process', name: 'web' };
        this.appEvent(
          app,
          'audit.app.process.crash',
          {
            instance: inst.id,
            index,
            exit_status: 137,
            reason: 'CRASHED',
            exit_description: 'APP/PROC/WEB: Exited',
          },
          actor,
        );
      }
      inst.state = state;
    }
    this.version++;
  }

  private appEvent(
    app: AppRecord,
    type: string,
    data: Record<string, unknown>,
    actor: AuditActor = CONTROL_ACTOR,
  ): void {
    const spaceGuid = app.spaceGuid;
    this.audit.record({
      type,
      actor,
      target: { guid: app.guid, type: 'app', name: app.name },
      data,
      spaceGuid,
      orgGuid: this.spaces.get(spaceGuid)?.orgGuid ?? '',
    });
  }

  private touch(app: AppRecord): void {
    app.updatedAt = this.stamp();
    this.version++;
  }

  private converge(app: AppRecord): void {
    this.dropInstances(app, app.desiredInstances);
    for (let i = app.instances.length; i < app.desiredInstances; i++) this.replaceInstance(app, i);
  }

  private replaceInstance(app: AppRecord, index: number): void {
    const old = app.instances[index];
    if (old) this.forget(old);
    const inst: InstanceRecord = {
      id: randomUUID(),
      appGuid: app.guid,
      index,
      state: 'RUNNING',
      startedAt: this.now(),
      behavior: { kind: 'normal' },
    };
    app.instances[index] = inst;
    this.instancesById.set(inst.id, inst);
  }

  private dropInstances(app: AppRecord, keep: number): void {
    for (const inst of app.instances.splice(keep)) this.forget(inst);
    this.version++;
  }

  private forget(inst: InstanceRecord): void {
    this.instancesById.delete(inst.id);
    for (const l of this.instanceGoneListeners) l(inst.id);
  }

  view(app: AppRecord): SandboxApp {
    const space = this.spaces.get(app.spaceGuid);
    const routes: string[] = [];
    for (const r of this.routes.values())
      if (r.appGuids.includes(app.guid)) routes.push(this.routeHostname(r));
    return {
      guid: app.guid,
      name: app.name,
      spaceGuid: app.spaceGuid,
      orgGuid: space?.orgGuid ?? '',
      state: app.state,
      instances: app.desiredInstances,
      routes,
      processGuid: app.processGuid,
    };
  }
}

function checkInstances(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new SandboxError('invalid', `bad instance count ${n}`);
  return n;
}

function normalizePath(path: string): string {
  if (path === '' || path === '/') return '';
  if (!path.startsWith('/')) throw new SandboxError('invalid', `route path must start with /: ${path}`);
  return path.replace(/\/+$/, '');
}

function resolveMetrics(spec: MetricsSpec | undefined): ResolvedMetrics {
  return {
    format: spec?.format ?? 'prom-client',
    payloadBytes: spec?.payloadBytes ?? 64 * 1024,
    seriesCount: spec?.seriesCount,
    metricsPath: spec?.metricsPath ?? '/metrics',
    families: spec?.families ?? [],
  };
}
