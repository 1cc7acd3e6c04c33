import type { AuditEventRecord } from '../audit-log.ts';
import type {
  AppRecord,
  DomainRecord,
  Foundation,
  InstanceRecord,
  OrgRecord,
  RouteRecord,
  SpaceRecord,
} from '../state.ts';
import type { RoleBook } from './roles.ts';

// Wire shapes of CC v3 resources (snake_case lives here and nowhere else in the sandbox).

export interface PresentContext {
  foundation: Foundation;
  /** Roles and service instances: what the permissions endpoint decides by. */
  roles: RoleBook;
  ccUrl: string;
  /** Where the instances actually listen: reported as host + external port, like Diego cells. */
  instanceHost: string;
  instancePort: number;
  now: () => number;
}

const QUOTA_GUID = '00000000-0000-4000-8000-000000000001';
const meta = () => ({ labels: {}, annotations: {} });
const link = (ctx: PresentContext, path: string) => ({ href: `${ctx.ccUrl}${path}` });

export function presentOrg(ctx: PresentContext, org: OrgRecord) {
  return {
    guid: org.guid,
    created_at: org.createdAt,
    updated_at: org.createdAt,
    name: org.name,
    suspended: false,
    relationships: { quota: { data: { guid: QUOTA_GUID } } },
    metadata: meta(),
    links: {
      self: link(ctx, `/v3/organizations/${org.guid}`),
      domains: link(ctx, `/v3/organizations/${org.guid}/domains`),
      default_domain: link(ctx, `/v3/organizations/${org.guid}/domains/default`),
      quota: link(ctx, `/v3/organization_quotas/${QUOTA_GUID}`),
    },
  };
}

export function presentSpace(ctx: PresentContext, space: SpaceRecord) {
  return {
    guid: space.guid,
    created_at: space.createdAt,
    updated_at: space.createdAt,
    name: space.name,
    relationships: { organization: { data: { guid: space.orgGuid } }, quota: { data: null } },
    metadata: meta(),
    links: {
      self: link(ctx, `/v3/spaces/${space.guid}`),
      features: link(ctx, `/v3/spaces/${space.guid}/features`),
      organization: link(ctx, `/v3/organizations/${space.orgGuid}`),
      apply_manifest: { ...link(ctx, `/v3/spaces/${space.guid}/actions/apply_manifest`), method: 'POST' },
    },
  };
}

export function presentDomain(ctx: PresentContext, d: DomainRecord) {
  return {
    guid: d.guid,
    created_at: d.createdAt,
    updated_at: d.createdAt,
    name: d.name,
    internal: d.internal,
    router_group: null,
    supported_protocols: ['http'],
    metadata: meta(),
    relationships: { organization: { data: null }, shared_organizations: { data: [] } },
    links: {
      self: link(ctx, `/v3/domains/${d.guid}`),
      route_reservations: link(ctx, `/v3/domains/${d.guid}/route_reservations`),
    },
  };
}

export function presentApp(ctx: PresentContext, app: AppRecord) {
  const g = app.guid;
  return {
    guid: g,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
    name: app.name,
    state: app.state,
    lifecycle: { type: 'buildpack', data: { buildpacks: ['nodejs_buildpack'], stack: 'cflinuxfs4' } },
    relationships: { space: { data: { guid: app.spaceGuid } } },
    metadata: meta(),
    links: {
      self: link(ctx, `/v3/apps/${g}`),
      environment_variables: link(ctx, `/v3/apps/${g}/environment_variables`),
      space: link(ctx, `/v3/spaces/${app.spaceGuid}`),
      processes: link(ctx, `/v3/apps/${g}/processes`),
      packages: link(ctx, `/v3/apps/${g}/packages`),
      current_droplet: link(ctx, `/v3/apps/${g}/droplets/current`),
      droplets: link(ctx, `/v3/apps/${g}/droplets`),
      tasks: link(ctx, `/v3/apps/${g}/tasks`),
      start: { ...link(ctx, `/v3/apps/${g}/actions/start`), method: 'POST' },
      stop: { ...link(ctx, `/v3/apps/${g}/actions/stop`), method: 'POST' },
      revisions: link(ctx, `/v3/apps/${g}/revisions`),
      deployed_revisions: link(ctx, `/v3/apps/${g}/revisions/deployed`),
      features: link(ctx, `/v3/apps/${g}/features`),
    },
  };
}

export function routeUrl(ctx: PresentContext, route: RouteRecord): string {
  return `${ctx.foundation.routeHostname(route)}${route.path}`;
}

export function presentRoute(ctx: PresentContext, route: RouteRecord) {
  return {
    guid: route.guid,
    protocol: 'http',
    port: null,
    created_at: route.createdAt,
    updated_at: route.createdAt,
    host: route.host,
    path: route.path,
    url: routeUrl(ctx, route),
    destinations: route.appGuids.map((appGuid, i) => ({
      guid: `${route.guid.slice(0, 24)}${String(i).padStart(12, '0')}`,
      app: { guid: appGuid, process: { type: 'web' } },
      weight: null,
      port: 8080,
      protocol: 'http1',
    })),
    options: {},
    metadata: meta(),
    relationships: {
      space: { data: { guid: route.spaceGuid } },
      domain: { data: { guid: route.domainGuid } },
    },
    links: {
      self: link(ctx, `/v3/routes/${route.guid}`),
      space: link(ctx, `/v3/spaces/${route.spaceGuid}`),
      domain: link(ctx, `/v3/domains/${route.domainGuid}`),
      destinations: link(ctx, `/v3/routes/${route.guid}/destinations`),
    },
  };
}

export function presentProcess(ctx: PresentContext, app: AppRecord) {
  const g = app.processGuid;
  return {
    guid: g,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
    type: 'web',
    command: '[PRIVATE DATA HIDDEN IN LISTS]',
    instances: app.desiredInstances,
    memory_in_mb: 256,
    disk_in_mb: 1024,
    log_rate_limit_in_bytes_per_second: -1,
    health_check: { type: 'port', data: { timeout: null, invocation_timeout: null, interval: null } },
    readiness_health_check: { type: 'process', data: { invocation_timeout: null, interval: null } },
    relationships: { app: { data: { guid: app.guid } }, revision: null },
    metadata: meta(),
    links: {
      self: link(ctx, `/v3/processes/${g}`),
      scale: { ...link(ctx, `/v3/processes/${g}/actions/scale`), method: 'POST' },
      app: link(ctx, `/v3/apps/${app.guid}`),
      space: link(ctx, `/v3/spaces/${app.spaceGuid}`),
      stats: link(ctx, `/v3/processes/${g}/stats`),
    },
  };
}

/** One entry per desired index, sorted by index; a stopped app reports every index DOWN. */
export function presentStats(ctx: PresentContext, app: AppRecord) {
  const out: unknown[] = [];
  for (let index = 0; index < app.desiredInstances; index++) {
    const inst = app.state === 'STARTED' ? app.instances[index] : undefined;
    out.push(
      inst
        ? presentInstance(ctx, inst)
        : { type: 'web', index, state: 'DOWN', routable: false, uptime: 0, details: null },
    );
  }
  return { resources: out };
}

function presentInstance(ctx: PresentContext, inst: InstanceRecord) {
  const base = { type: 'web', index: inst.index, state: inst.state };
  if (inst.state === 'CRASHED') {
    return {
      ...base,
      routable: false,
      host: '',
      uptime: 0,
      details: 'APP/PROC/WEB: Exited with status 1',
      instance_ports: [],
    };
  }
  const uptime = Math.max(0, Math.floor((ctx.now() - inst.startedAt) / 1000));
  const running = inst.state === 'RUNNING';
  return {
    ...base,
    routable: running,
    isolation_segment: null,
    details: null,
    host: running ? ctx.instanceHost : '',
    instance_internal_ip: `10.255.${(inst.index >> 8) & 255}.${inst.index & 255}`,
    instance_ports: running
      ? [
          {
            external: ctx.instancePort,
            internal: 8080,
            external_tls_proxy_port: 0,
            internal_tls_proxy_port: 61001,
          },
        ]
      : [],
    uptime,
    mem_quota: 268435456,
    disk_quota: 1073741824,
    log_rate_limit: -1,
    fds_quota: 16384,
    usage: {
      time: new Date(ctx.now()).toISOString(),
      cpu: 0.004 + inst.index / 1000,
      cpu_entitlement: 0.01,
      mem: 41_000_000 + inst.index * 1_000_000,
      disk: 120_000_000,
      log_rate: 0,
    },
  };
}

export function presentAuditEvent(ctx: PresentContext, e: AuditEventRecord) {
  return {
    guid: e.guid,
    created_at: e.createdAt,
    updated_at: e.createdAt,
    type: e.type,
    actor: e.actor,
    target: e.target,
    data: e.data,
    space: { guid: e.spaceGuid },
    organization: { guid: e.orgGuid },
    links: { self: link(ctx, `/v3/audit_events/${e.guid}`) },
  };
}
