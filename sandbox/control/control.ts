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
}

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
  };
}
