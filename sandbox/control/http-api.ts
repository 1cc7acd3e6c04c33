import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody, sendJson } from '../net/http.ts';
import { listenTracked } from '../net/listen.ts';
import { SandboxError } from '../state.ts';
import type { AppAuth, AppSpec, CcFailure, InstanceBehavior, Sandbox } from '../types.ts';

// The control surface over HTTP for scripts and other processes (`curl`): JSON in, JSON out,
// one route table, one error mapper.

type Json = Record<string, unknown>;
type Handler = (sb: Sandbox, p: Record<string, string>, body: Json) => unknown | Promise<unknown>;

const num = (v: unknown, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new SandboxError('invalid', `${what} must be a number`);
  return v;
};
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '')
    throw new SandboxError('invalid', `${what} must be a non-empty string`);
  return v;
};

const strings = (v: unknown, what: string): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new SandboxError('invalid', `${what} must be a list of strings`);
  return v;
};

const ROUTES: Array<[string, string, Handler]> = [
  ['GET', '/_sandbox/state', (sb) => describeSandbox(sb)],
  ['POST', '/_sandbox/orgs', (sb, _, b) => sb.control.createOrg(str(b.name, 'name'))],
  [
    'POST',
    '/_sandbox/spaces',
    (sb, _, b) => sb.control.createSpace(str(b.orgGuid, 'orgGuid'), str(b.name, 'name')),
  ],
  ['GET', '/_sandbox/apps', (sb) => sb.control.listApps()],
  ['POST', '/_sandbox/apps', (sb, _, b) => sb.control.createApp(b as unknown as AppSpec)],
  ['GET', '/_sandbox/apps/:guid', (sb, p) => sb.control.getApp(p.guid ?? '')],
  [
    'POST',
    '/_sandbox/apps/:guid/scale',
    (sb, p, b) => sb.control.scale(p.guid ?? '', num(b.instances, 'instances')),
  ],
  ['POST', '/_sandbox/apps/:guid/stop', (sb, p) => sb.control.stopApp(p.guid ?? '')],
  ['POST', '/_sandbox/apps/:guid/start', (sb, p) => sb.control.startApp(p.guid ?? '')],
  [
    'POST',
    '/_sandbox/apps/:guid/instances/:index/crash',
    (sb, p) => sb.control.crashInstance(p.guid ?? '', Number(p.index)),
  ],
  [
    'POST',
    '/_sandbox/apps/:guid/instances/:index/restore',
    (sb, p) => sb.control.restoreInstance(p.guid ?? '', Number(p.index)),
  ],
  [
    'PUT',
    '/_sandbox/apps/:guid/instances/:index/state',
    (sb, p, b) => {
      const state = b.state;
      if (state !== 'RUNNING' && state !== 'STARTING' && state !== 'CRASHED') {
        throw new SandboxError('invalid', 'state must be RUNNING, STARTING or CRASHED');
      }
      sb.control.setInstanceState(p.guid ?? '', Number(p.index), state);
    },
  ],
  [
    'PUT',
    '/_sandbox/apps/:guid/instances/:index/behavior',
    (sb, p, b) =>
      sb.control.setInstanceBehavior(p.guid ?? '', Number(p.index), b as unknown as InstanceBehavior),
  ],
  [
    'PUT',
    '/_sandbox/apps/:guid/auth',
    (sb, p, b) => sb.control.setAppAuth(p.guid ?? '', b as unknown as AppAuth),
  ],
  [
    'POST',
    '/_sandbox/apps/:guid/routes',
    (sb, p, b) => {
      const opts: { domain?: string; path?: string; internal?: boolean } = {};
      if (typeof b.domain === 'string') opts.domain = b.domain;
      if (typeof b.path === 'string') opts.path = b.path;
      if (typeof b.internal === 'boolean') opts.internal = b.internal;
      sb.control.addRoute(p.guid ?? '', str(b.host, 'host'), opts);
      return sb.control.getApp(p.guid ?? '');
    },
  ],
  [
    'DELETE',
    '/_sandbox/apps/:guid/routes',
    (sb, p, b) => {
      const opts: { domain?: string; path?: string; internal?: boolean } = {};
      if (typeof b.domain === 'string') opts.domain = b.domain;
      if (typeof b.path === 'string') opts.path = b.path;
      if (typeof b.internal === 'boolean') opts.internal = b.internal;
      sb.control.removeRoute(p.guid ?? '', str(b.host, 'host'), opts);
      return sb.control.getApp(p.guid ?? '');
    },
  ],
  ['POST', '/_sandbox/apps/:guid/restart', (sb, p) => sb.control.restartApp(p.guid ?? '')],
  ['DELETE', '/_sandbox/apps/:guid', (sb, p) => sb.control.deleteApp(p.guid ?? '')],
  [
    'PUT',
    '/_sandbox/cc/endpoint-failure',
    (sb, _, b) => {
      const { template, ...mode } = b;
      sb.control.failCcEndpoint(
        str(template, 'template'),
        Object.keys(mode).length ? (mode as unknown as CcFailure) : null,
      );
    },
  ],
  [
    'PUT',
    '/_sandbox/cc/failure',
    (sb, _, b) => sb.control.failCc(Object.keys(b).length ? (b as unknown as CcFailure) : null),
  ],
  ['DELETE', '/_sandbox/cc/failure', (sb) => sb.control.failCc(null)],
  ['PUT', '/_sandbox/cc/latency', (sb, _, b) => sb.control.setCcLatency(num(b.ms, 'ms'))],
  ['PUT', '/_sandbox/uaa/refuse', (sb, _, b) => sb.control.refuseUaa(b.refuse === true)],
  [
    'PUT',
    '/_sandbox/uaa/failure',
    (sb, _, b) => sb.control.failUaa(typeof b.status === 'number' ? b.status : null),
  ],
  ['GET', '/_sandbox/counts', (sb) => sb.control.requestCounts()],
  ['DELETE', '/_sandbox/counts', (sb) => sb.control.resetRequestCounts()],
  [
    'POST',
    '/_sandbox/tokens',
    async (sb, _, b) => {
      const opts: { scopes?: string[]; audience?: string[]; expiresInSeconds?: number } = {};
      if (Array.isArray(b.scopes)) opts.scopes = b.scopes.map(String);
      if (Array.isArray(b.audience)) opts.audience = b.audience.map(String);
      if (typeof b.expiresInSeconds === 'number') opts.expiresInSeconds = b.expiresInSeconds;
      return { access_token: await sb.control.issueToken(str(b.clientId, 'clientId'), opts) };
    },
  ],
  [
    'POST',
    '/_sandbox/clients',
    (sb, _, b) =>
      sb.control.addClient(
        str(b.clientId, 'clientId'),
        String(b.clientSecret ?? ''),
        (Array.isArray(b.authorities) ? b.authorities : []).map(String),
      ),
  ],
  [
    'POST',
    '/_sandbox/dashboard_clients',
    (sb, _, b) =>
      sb.control.registerDashboardClient({
        id: str(b.id, 'id'),
        secret: String(b.secret ?? ''),
        redirect_uri: str(b.redirect_uri, 'redirect_uri'),
      }),
  ],
  [
    'POST',
    '/_sandbox/users',
    (sb, _, b) => sb.control.addUser(str(b.username, 'username'), str(b.password, 'password')),
  ],
  [
    'PUT',
    '/_sandbox/users/:username/spaces/:guid/roles',
    (sb, p, b) => sb.control.setSpaceRoles(p.username ?? '', p.guid ?? '', strings(b.roles, 'roles')),
  ],
  [
    'PUT',
    '/_sandbox/users/:username/orgs/:guid/roles',
    (sb, p, b) => sb.control.setOrgRoles(p.username ?? '', p.guid ?? '', strings(b.roles, 'roles')),
  ],
  [
    'DELETE',
    '/_sandbox/users/:username/roles/:guid/:role',
    (sb, p) => sb.control.removeRole(p.username ?? '', p.guid ?? '', p.role ?? ''),
  ],
  [
    'POST',
    '/_sandbox/service_instances',
    (sb, _, b) =>
      sb.control.registerServiceInstance({
        guid: str(b.guid, 'guid'),
        name: str(b.name, 'name'),
        spaceGuid: str(b.spaceGuid, 'spaceGuid'),
      }),
  ],
  [
    'POST',
    '/_sandbox/service_keys',
    (sb, _, b) =>
      sb.control.registerServiceKey({
        guid: str(b.guid, 'guid'),
        name: str(b.name, 'name'),
        serviceInstanceGuid: str(b.serviceInstanceGuid, 'serviceInstanceGuid'),
      }),
  ],
];

const COMPILED = ROUTES.map(([method, template, handler]) => {
  const names: string[] = [];
  const source = template.replace(/:(\w+)/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  const re = new RegExp(`^${source}$`);
  return { method, re, names, handler };
});

export function describeSandbox(sb: Sandbox) {
  return {
    ccUrl: sb.ccUrl,
    uaaUrl: sb.uaaUrl,
    routerUrl: sb.routerUrl,
    routerAddress: sb.routerAddress,
    appsDomain: sb.appsDomain,
    admin: sb.admin,
    auditor: sb.auditor,
    user: sb.user,
    apps: sb.control.listApps(),
  };
}

export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

export async function startControlApi(sandbox: Sandbox): Promise<ControlApi> {
  const server = createServer((req, res) => {
    handle(sandbox, req, res).catch((err: unknown) => sendError(res, err));
  });
  const listening = await listenTracked(server);
  return { url: `http://127.0.0.1:${listening.port}`, close: () => listening.close() };
}

async function handle(sb: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  for (const r of COMPILED) {
    const m = r.re.exec(path);
    if (!m || r.method !== req.method) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    const text = await readBody(req);
    const body = text.trim() === '' ? {} : (JSON.parse(text) as Json);
    const result = await r.handler(sb, params, body ?? {});
    return sendJson(res, 200, result ?? { ok: true });
  }
  sendJson(res, 404, { error: 'not_found', description: `no control route ${req.method} ${path}` });
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof SandboxError) {
    const status = err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : 400;
    sendJson(res, status, { error: err.code, description: err.message });
  } else if (err instanceof SyntaxError) {
    sendJson(res, 400, { error: 'invalid', description: err.message });
  } else {
    sendJson(res, 500, { error: 'internal', description: String(err) });
  }
}
