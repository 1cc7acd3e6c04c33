import type { AppRecord } from '../state.ts';
import { type CfError, cfErrors, isCfError } from './errors.ts';
import { type Page, paginate, sortByOrder } from './pagination.ts';
import {
  type PresentContext,
  presentApp,
  presentAuditEvent,
  presentDomain,
  presentOrg,
  presentProcess,
  presentRoute,
  presentSpace,
  presentStats,
} from './presenters.ts';
import { type ListQuery, type ListRules, matches, matchesTime, parseListQuery } from './query.ts';

// The flat route table of the simulated Cloud Controller: template → handler returning a body or a CfError.

export interface EndpointRequest {
  params: Record<string, string>;
  search: URLSearchParams;
  path: string;
  /** The caller, from its verified token (absent on public endpoints). */
  caller?: { user: string; scopes: string[] };
}
export type EndpointResult = { status: number; body: unknown } | CfError;
export interface Endpoint {
  template: string;
  /** Without a token: root and info documents. */
  public: boolean;
  /**
   * Which tokens may call it: `read-all` (the scraper's: admin, admin_read_only or global_auditor), or
   * `user` (any user token for the CC, e.g. a dashboard's with cloud_controller_service_permissions.read).
   */
  access: 'read-all' | 'user';
  /** Scopes of which the token needs one beyond the read-all check; absent: no further check. */
  scopes?: readonly string[];
  pattern: RegExp;
  names: string[];
  handle(ctx: PresentContext, req: EndpointRequest): EndpointResult;
}

function endpoint(
  template: string,
  handle: Endpoint['handle'],
  isPublic = false,
  access: Endpoint['access'] = 'read-all',
  scopes?: readonly string[],
): Endpoint {
  const names: string[] = [];
  const source = template.replace(/:(\w+)/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  return {
    template,
    public: isPublic,
    access,
    ...(scopes && { scopes }),
    pattern: new RegExp(`^${source}/?$`),
    names,
    handle,
  };
}

/** Who reads every space's audit events (CLOUD_FOUNDRY.md "Audit events"). */
const AUDIT_READERS = [
  'cloud_controller.admin',
  'cloud_controller.admin_read_only',
  'cloud_controller.global_auditor',
] as const;

const ok = (body: unknown): EndpointResult => ({ status: 200, body });

function list<R, T>(
  ctx: PresentContext,
  req: EndpointRequest,
  rules: ListRules,
  records: Iterable<R & { createdAt: string; name?: string }>,
  keep: (q: ListQuery, r: R) => boolean,
  present: (r: R) => T,
  included?: (q: ListQuery, page: R[]) => Record<string, unknown[]> | undefined,
): EndpointResult {
  const q = parseListQuery(req.search, rules);
  if (isCfError(q)) return q;
  const filtered = sortByOrder(
    [...records].filter((r) => keep(q, r)),
    q.orderBy,
  );
  const page = paginate(filtered, q, ctx.ccUrl, req.path);
  const body: Page<T> & { included?: Record<string, unknown[]> } = {
    pagination: page.pagination,
    resources: page.resources.map(present),
  };
  const inc = included?.(q, page.resources);
  if (inc) body.included = inc;
  return ok(body);
}

function spaceIncludes(
  ctx: PresentContext,
  q: ListQuery,
  spaceGuids: string[],
): Record<string, unknown[]> | undefined {
  const f = ctx.foundation;
  const wantSpaces = q.include.has('space') || q.include.has('space.organization');
  if (!wantSpaces) return undefined;
  const spaces = [...new Set(spaceGuids)].flatMap((g) => f.spaces.get(g) ?? []);
  const out: Record<string, unknown[]> = { spaces: spaces.map((s) => presentSpace(ctx, s)) };
  if (q.include.has('space.organization')) {
    const orgs = [...new Set(spaces.map((s) => s.orgGuid))].flatMap((g) => f.orgs.get(g) ?? []);
    out.organizations = orgs.map((o) => presentOrg(ctx, o));
  }
  return out;
}

function findApp(ctx: PresentContext, guid: string | undefined): AppRecord | CfError {
  return ctx.foundation.apps.get(guid ?? '') ?? cfErrors.resourceNotFound('App');
}

function findProcess(ctx: PresentContext, guid: string | undefined): AppRecord | CfError {
  for (const app of ctx.foundation.apps.values()) if (app.processGuid === guid) return app;
  return cfErrors.resourceNotFound('Process');
}

function orgOfSpace(ctx: PresentContext, spaceGuid: string): string {
  return ctx.foundation.spaces.get(spaceGuid)?.orgGuid ?? '';
}

export function createEndpoints(info: { uaaUrl: string }): Endpoint[] {
  return [
    endpoint(
      '/',
      (ctx) =>
        ok({
          links: {
            self: { href: ctx.ccUrl },
            bits_service: null,
            cloud_controller_v2: null,
            cloud_controller_v3: { href: `${ctx.ccUrl}/v3`, meta: { version: '3.180.0' } },
            network_policy_v0: { href: `${ctx.ccUrl}/networking/v0/external` },
            network_policy_v1: { href: `${ctx.ccUrl}/networking/v1/external` },
            login: { href: info.uaaUrl },
            uaa: { href: info.uaaUrl },
            credhub: null,
            routing: null,
            logging: null,
            log_cache: null,
            log_stream: null,
            app_ssh: null,
          },
        }),
      true,
    ),
    endpoint(
      '/v3',
      (ctx) =>
        ok({
          links: {
            self: { href: `${ctx.ccUrl}/v3` },
            apps: { href: `${ctx.ccUrl}/v3/apps` },
            domains: { href: `${ctx.ccUrl}/v3/domains` },
            organizations: { href: `${ctx.ccUrl}/v3/organizations` },
            processes: { href: `${ctx.ccUrl}/v3/processes` },
            routes: { href: `${ctx.ccUrl}/v3/routes` },
            spaces: { href: `${ctx.ccUrl}/v3/spaces` },
          },
        }),
      true,
    ),
    endpoint(
      '/v3/info',
      (ctx) =>
        ok({
          build: 'sandbox',
          cli_version: { minimum: null, recommended: null },
          custom: {},
          description: 'Promregator sandbox foundation',
          name: 'sandbox',
          version: 1,
          links: { self: { href: `${ctx.ccUrl}/v3/info` }, support: { href: '' } },
        }),
      true,
    ),
    endpoint('/v3/apps', (ctx, req) =>
      list(
        ctx,
        req,
        {
          filters: ['guids', 'names', 'space_guids', 'organization_guids', 'stacks', 'lifecycle_type'],
          includes: ['space', 'space.organization'],
          orderBy: ['created_at', 'updated_at', 'name', 'state'],
        },
        ctx.foundation.apps.values(),
        (q, a) =>
          matches(q, 'guids', a.guid) &&
          matches(q, 'names', a.name) &&
          matches(q, 'space_guids', a.spaceGuid) &&
          matches(q, 'organization_guids', orgOfSpace(ctx, a.spaceGuid)),
        (a) => presentApp(ctx, a),
        (q, page) =>
          spaceIncludes(
            ctx,
            q,
            page.map((a) => a.spaceGuid),
          ),
      ),
    ),
    endpoint('/v3/apps/:guid', (ctx, req) => {
      const app = findApp(ctx, req.params.guid);
      return isCfError(app) ? app : ok(presentApp(ctx, app));
    }),
    endpoint('/v3/apps/:guid/processes', (ctx, req) => {
      const app = findApp(ctx, req.params.guid);
      if (isCfError(app)) return app;
      return list(
        ctx,
        req,
        { filters: ['types', 'guids'] },
        [app],
        (q, a) => matches(q, 'types', 'web') && matches(q, 'guids', a.processGuid),
        (a) => presentProcess(ctx, a),
      );
    }),
    endpoint('/v3/apps/:guid/processes/:type', (ctx, req) => {
      const app = findApp(ctx, req.params.guid);
      if (isCfError(app)) return app;
      return req.params.type === 'web' ? ok(presentProcess(ctx, app)) : cfErrors.resourceNotFound('Process');
    }),
    endpoint('/v3/apps/:guid/processes/:type/stats', (ctx, req) => {
      const app = findApp(ctx, req.params.guid);
      if (isCfError(app)) return app;
      return req.params.type === 'web' ? ok(presentStats(ctx, app)) : cfErrors.resourceNotFound('Process');
    }),
    endpoint('/v3/processes', (ctx, req) =>
      list(
        ctx,
        req,
        { filters: ['guids', 'types', 'app_guids', 'space_guids', 'organization_guids'] },
        ctx.foundation.apps.values(),
        (q, a) =>
          matches(q, 'guids', a.processGuid) &&
          matches(q, 'types', 'web') &&
          matches(q, 'app_guids', a.guid) &&
          matches(q, 'space_guids', a.spaceGuid) &&
          matches(q, 'organization_guids', orgOfSpace(ctx, a.spaceGuid)),
        (a) => presentProcess(ctx, a),
      ),
    ),
    endpoint('/v3/processes/:guid', (ctx, req) => {
      const app = findProcess(ctx, req.params.guid);
      return isCfError(app) ? app : ok(presentProcess(ctx, app));
    }),
    endpoint('/v3/processes/:guid/stats', (ctx, req) => {
      const app = findProcess(ctx, req.params.guid);
      return isCfError(app) ? app : ok(presentStats(ctx, app));
    }),
    endpoint('/v3/routes', (ctx, req) =>
      list(
        ctx,
        req,
        {
          filters: [
            'guids',
            'app_guids',
            'space_guids',
            'organization_guids',
            'domain_guids',
            'hosts',
            'paths',
            'ports',
          ],
          includes: ['domain', 'space', 'space.organization'],
        },
        ctx.foundation.routes.values(),
        (q, r) =>
          matches(q, 'guids', r.guid) &&
          (!q.filters.has('app_guids') || r.appGuids.some((g) => matches(q, 'app_guids', g))) &&
          matches(q, 'space_guids', r.spaceGuid) &&
          matches(q, 'organization_guids', orgOfSpace(ctx, r.spaceGuid)) &&
          matches(q, 'domain_guids', r.domainGuid) &&
          matches(q, 'hosts', r.host) &&
          matches(q, 'paths', r.path),
        (r) => presentRoute(ctx, r),
        (q, page) => {
          const out =
            spaceIncludes(
              ctx,
              q,
              page.map((r) => r.spaceGuid),
            ) ?? {};
          if (q.include.has('domain')) {
            const domains = [...new Set(page.map((r) => r.domainGuid))].flatMap(
              (g) => ctx.foundation.domains.get(g) ?? [],
            );
            out.domains = domains.map((d) => presentDomain(ctx, d));
          }
          return Object.keys(out).length > 0 ? out : undefined;
        },
      ),
    ),
    endpoint('/v3/routes/:guid', (ctx, req) => {
      const r = ctx.foundation.routes.get(req.params.guid ?? '');
      return r ? ok(presentRoute(ctx, r)) : cfErrors.resourceNotFound('Route');
    }),
    endpoint('/v3/spaces', (ctx, req) =>
      list(
        ctx,
        req,
        {
          filters: ['guids', 'names', 'organization_guids'],
          includes: ['organization'],
          orderBy: ['created_at', 'updated_at', 'name'],
        },
        ctx.foundation.spaces.values(),
        (q, s) =>
          matches(q, 'guids', s.guid) &&
          matches(q, 'names', s.name) &&
          matches(q, 'organization_guids', s.orgGuid),
        (s) => presentSpace(ctx, s),
        (q, page) => {
          if (!q.include.has('organization')) return undefined;
          const orgs = [...new Set(page.map((s) => s.orgGuid))].flatMap(
            (g) => ctx.foundation.orgs.get(g) ?? [],
          );
          return { organizations: orgs.map((o) => presentOrg(ctx, o)) };
        },
      ),
    ),
    endpoint('/v3/spaces/:guid', (ctx, req) => {
      const s = ctx.foundation.spaces.get(req.params.guid ?? '');
      return s ? ok(presentSpace(ctx, s)) : cfErrors.resourceNotFound('Space');
    }),
    endpoint('/v3/organizations', (ctx, req) =>
      list(
        ctx,
        req,
        { filters: ['guids', 'names'], orderBy: ['created_at', 'updated_at', 'name'] },
        ctx.foundation.orgs.values(),
        (q, o) => matches(q, 'guids', o.guid) && matches(q, 'names', o.name),
        (o) => presentOrg(ctx, o),
      ),
    ),
    endpoint('/v3/organizations/:guid', (ctx, req) => {
      const o = ctx.foundation.orgs.get(req.params.guid ?? '');
      return o ? ok(presentOrg(ctx, o)) : cfErrors.resourceNotFound('Organization');
    }),
    endpoint(
      '/v3/audit_events',
      (ctx, req) =>
        list(
          ctx,
          req,
          {
            filters: ['types', 'target_guids', 'space_guids', 'organization_guids'],
            orderBy: ['created_at', 'updated_at'],
            timestamps: ['created_ats', 'updated_ats'],
          },
          ctx.foundation.audit.events,
          (q, e) =>
            matches(q, 'types', e.type) &&
            matches(q, 'target_guids', e.target.guid) &&
            matches(q, 'space_guids', e.spaceGuid) &&
            matches(q, 'organization_guids', e.orgGuid) &&
            matchesTime(q, 'created_ats', e.createdAt) &&
            matchesTime(q, 'updated_ats', e.createdAt),
          (e) => presentAuditEvent(ctx, e),
        ),
      false,
      'read-all',
      AUDIT_READERS,
    ),
    endpoint('/v3/domains', (ctx, req) =>
      list(
        ctx,
        req,
        { filters: ['guids', 'names', 'organization_guids'] },
        ctx.foundation.domains.values(),
        (q, d) =>
          matches(q, 'guids', d.guid) && matches(q, 'names', d.name) && !q.filters.has('organization_guids'),
        (d) => presentDomain(ctx, d),
      ),
    ),
    endpoint('/v3/domains/:guid', (ctx, req) => {
      const d = ctx.foundation.domains.get(req.params.guid ?? '');
      return d ? ok(presentDomain(ctx, d)) : cfErrors.resourceNotFound('Domain');
    }),
    endpoint('/v3/service_credential_bindings', (ctx, req) =>
      list(
        ctx,
        req,
        {
          filters: ['guids', 'names', 'service_instance_guids', 'type'],
          orderBy: ['created_at', 'updated_at', 'name'],
        },
        ctx.roles.serviceKeys.values(),
        (q, k) =>
          matches(q, 'guids', k.guid) &&
          matches(q, 'names', k.name) &&
          matches(q, 'service_instance_guids', k.serviceInstanceGuid) &&
          matches(q, 'type', 'key'),
        (k) => ({
          guid: k.guid,
          created_at: k.createdAt,
          updated_at: k.createdAt,
          name: k.name,
          type: 'key',
          last_operation: {
            type: 'create',
            state: 'succeeded',
            description: '',
            created_at: k.createdAt,
            updated_at: k.createdAt,
          },
          metadata: { labels: {}, annotations: {} },
          relationships: { service_instance: { data: { guid: k.serviceInstanceGuid } } },
          links: {
            self: { href: `${ctx.ccUrl}/v3/service_credential_bindings/${k.guid}` },
            details: { href: `${ctx.ccUrl}/v3/service_credential_bindings/${k.guid}/details` },
            service_instance: { href: `${ctx.ccUrl}/v3/service_instances/${k.serviceInstanceGuid}` },
          },
        }),
      ),
    ),
    endpoint(
      '/v3/service_instances/:guid/permissions',
      (ctx, req) => {
        const instance = ctx.roles.serviceInstances.get(req.params.guid ?? '');
        if (!instance) return cfErrors.resourceNotFound('Service instance');
        const caller = req.caller ?? { user: '', scopes: [] };
        return ok(ctx.roles.permissions(caller.user, caller.scopes, instance));
      },
      false,
      'user',
    ),
  ];
}

export function matchEndpoint(
  endpoints: Endpoint[],
  path: string,
): { endpoint: Endpoint; params: Record<string, string> } | undefined {
  for (const ep of endpoints) {
    const m = ep.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    ep.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { endpoint: ep, params };
  }
  return undefined;
}
