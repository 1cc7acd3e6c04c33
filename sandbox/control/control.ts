import type { RoleBook } from '../cc/roles.ts';
import type { CcSettings } from '../cc/server.ts';
import type { RequestCounter } from '../net/request-counter.ts';
import { type Foundation, SandboxError } from '../state.ts';
import type { SandboxControl } from '../types.ts';
import type { Directory } from '../uaa/clients.ts';
import type { UaaSettings } from '../uaa/server.ts';
import type { TokenIssuer } from '../uaa/tokens.ts';

export interface ControlDeps {
  foundation: Foundation;
  directory: Directory;
  issuer: TokenIssuer;
  uaa: UaaSettings;
  cc: CcSettings;
  counter: RequestCounter;
  roles: RoleBook;
}

/** Scopes of a user made with addUser: a plain developer's, plus what a dashboard asks for. */
const PLAIN_USER_SCOPES = [
  'openid',
  'uaa.user',
  'cloud_controller.read',
  'cloud_controller.write',
  'cloud_controller_service_permissions.read',
];
const DASHBOARD_SCOPES = ['openid', 'cloud_controller_service_permissions.read'];

/** The typed control surface: every change goes through the one Foundation model. */
export function createControl(d: ControlDeps): SandboxControl {
  const f = d.foundation;
  return {
    createOrg: (name) => {
      const o = f.createOrg(name);
      return { guid: o.guid, name: o.name };
    },
    createSpace: (orgGuid, name) => {
      const s = f.createSpace(orgGuid, name);
      return { guid: s.guid, name: s.name };
    },
    createApp: (spec) => f.view(f.createApp(spec)),
    getApp: (guid) => f.view(f.app(guid)),
    listApps: () => [...f.apps.values()].map((a) => f.view(a)),
    scale: (guid, n) => f.scale(guid, n),
    stopApp: (guid) => f.setState(guid, 'STOPPED'),
    startApp: (guid) => f.setState(guid, 'STARTED'),
    crashInstance: (guid, index) => f.setInstanceState(guid, index, 'CRASHED'),
    restoreInstance: (guid, index) => f.setInstanceState(guid, index, 'RUNNING'),
    setInstanceState: (guid, index, state) => f.setInstanceState(guid, index, state),
    setInstanceBehavior: (guid, index, behavior) => {
      f.instance(guid, index).behavior = behavior;
    },
    setAppAuth: (guid, auth) => {
      f.app(guid).auth = auth;
    },
    addRoute: (guid, host, opts = {}) => {
      f.addRoute(guid, { host, ...opts });
    },
    removeRoute: (guid, host, opts = {}) => f.removeRoute(guid, { host, ...opts }),
    restartApp: (guid) => f.restart(guid),
    deleteApp: (guid) => f.deleteApp(guid),
    failCcEndpoint: (template, mode) => {
      if (mode) d.cc.endpointFailures.set(template, mode);
      else d.cc.endpointFailures.delete(template);
    },
    failCc: (mode) => {
      d.cc.failure = mode;
    },
    refuseUaa: (refuse) => {
      d.uaa.refuse = refuse;
    },
    failUaa: (status) => {
      d.uaa.failStatus = status;
    },
    setCcLatency: (ms) => {
      if (!(ms >= 0)) throw new SandboxError('invalid', `bad latency ${ms}`);
      d.cc.latencyMs = ms;
    },
    requestCounts: () => d.counter.snapshot(),
    resetRequestCounts: () => d.counter.reset(),
    issueToken: async (clientId, opts = {}) => {
      const client = d.directory.clients.get(clientId);
      const { token } = await d.issuer.issue({
        clientId,
        grantType: 'client_credentials',
        scopes: opts.scopes ?? client?.authorities ?? [],
        ...(opts.audience ? { audience: opts.audience } : {}),
        lifetimeSeconds: opts.expiresInSeconds ?? d.uaa.tokenLifetimeSeconds,
      });
      return token;
    },
    addClient: (id, secret, authorities) => d.directory.addClient(id, secret, authorities),
    registerDashboardClient: (client) => {
      if (!client.id || !client.redirect_uri)
        throw new SandboxError('invalid', 'id and redirect_uri required');
      d.directory.addAuthorizationCodeClient(client.id, client.secret, client.redirect_uri, DASHBOARD_SCOPES);
    },
    addUser: (username, password) => {
      if (d.directory.users.has(username)) throw new SandboxError('conflict', `user ${username} exists`);
      const user = d.directory.addUser(username, password, PLAIN_USER_SCOPES);
      return { guid: user.id, username, password };
    },
    setSpaceRoles: (username, spaceGuid, roles) =>
      d.roles.setSpaceRoles(userGuid(username), spaceGuid, roles),
    setOrgRoles: (username, orgGuid, roles) => d.roles.setOrgRoles(userGuid(username), orgGuid, roles),
    removeRole: (username, guid, role) => d.roles.removeRole(userGuid(username), guid, role),
    registerServiceInstance: (spec) => {
      d.roles.registerServiceInstance(spec);
    },
    registerServiceKey: (spec) => {
      d.roles.registerServiceKey(spec);
    },
  };

  function userGuid(username: string): string {
    const user = d.directory.users.get(username);
    if (!user) throw new SandboxError('not_found', `no user ${username}`);
    return user.id;
  }
}
