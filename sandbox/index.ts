import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createInstanceHandler } from './apps/instance-server.ts';
import { createEndpoints } from './cc/endpoints.ts';
import type { PresentContext } from './cc/presenters.ts';
import { RateLimiter } from './cc/rate-limit.ts';
import { RoleBook } from './cc/roles.ts';
import { type CcSettings, createCcHandler } from './cc/server.ts';
import { createControl } from './control/control.ts';
import { seedDemo } from './control/demo-seed.ts';
import { startControlApi } from './control/http-api.ts';
import { type Listening, listenTracked } from './net/listen.ts';
import { RequestCounter } from './net/request-counter.ts';
import { createDualServer } from './router/dual-listener.ts';
import { createProxyHandler } from './router/proxy.ts';
import { RouteTable } from './router/route-table.ts';
import { generateRouterCertificate } from './router/tls.ts';
import { Foundation } from './state.ts';
import type { Sandbox, SandboxOptions } from './types.ts';
import { Directory } from './uaa/clients.ts';
import { AuthorizationCodes } from './uaa/codes.ts';
import { createUaaHandler, type UaaSettings } from './uaa/server.ts';
import { TokenIssuer } from './uaa/tokens.ts';

export { seedDemo } from './control/demo-seed.ts';
export { type ControlApi, describeSandbox, startControlApi } from './control/http-api.ts';
export { SandboxError } from './state.ts';
export type * from './types.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const USER_SCOPES = ['openid', 'uaa.user', 'cloud_controller.read', 'cloud_controller.admin'];
// Without a configured limit CC still answers with headers, but the limit is out of reach.
const UNREACHABLE_LIMIT = { limit: 1_000_000, windowSeconds: 3600 };

/** Starts UAA, Cloud Controller, gorouter and the sample apps on loopback ports chosen by the OS. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = Date.now;
  const appsDomain = (options.appsDomain ?? 'apps.sandbox.test').toLowerCase();
  const counter = new RequestCounter();
  const foundation = new Foundation(appsDomain, now);
  const listeners: Listening[] = [];
  const closeAll = () => Promise.all(listeners.map((l) => l.close())).then(() => undefined);
  try {
    const certificate = generateRouterCertificate(appsDomain);
    // Handlers need the URLs of their peers, so listen first and plug the handlers in afterwards.
    const handlers: { uaa?: Handler; cc?: Handler; apps?: Handler } = {};
    const serve = (name: keyof typeof handlers) =>
      createServer({ keepAliveTimeout: 30_000 }, (req, res) => handlers[name]?.(req, res));
    const [uaa, cc, apps] = await Promise.all([
      listenTracked(serve('uaa')),
      listenTracked(serve('cc')),
      listenTracked(serve('apps')),
    ]);
    listeners.push(uaa, cc, apps);
    const uaaUrl = `http://127.0.0.1:${uaa.port}`;
    const ccUrl = `http://127.0.0.1:${cc.port}`;

    const issuer = await TokenIssuer.create(`${uaaUrl}/oauth/token`, now);
    const directory = new Directory();
    const admin = { clientId: 'sandbox-admin', clientSecret: secret() };
    const auditor = { clientId: 'sandbox-auditor', clientSecret: secret() };
    const user = { username: 'sandbox-user', password: secret() };
    directory.addClient(admin.clientId, admin.clientSecret, ['cloud_controller.admin_read_only']);
    directory.addClient(auditor.clientId, auditor.clientSecret, ['cloud_controller.global_auditor']);
    directory.addUserClient('cf', [
      ...USER_SCOPES,
      'cloud_controller.write',
      'cloud_controller.admin_read_only',
    ]);
    directory.addUser(user.username, user.password, USER_SCOPES);

    const uaaSettings: UaaSettings = {
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      refuse: false,
    };
    const ccSettings: CcSettings = {
      latencyMs: options.ccLatencyMs ?? 0,
      failure: null,
      endpointFailures: new Map(),
    };
    const rate = options.rateLimit ?? UNREACHABLE_LIMIT;
    const limiter = new RateLimiter(rate.limit, rate.windowSeconds, now);
    const roles = new RoleBook(foundation, now);
    const ctx: PresentContext = {
      foundation,
      roles,
      ccUrl,
      instanceHost: '127.0.0.1',
      instancePort: apps.port,
      now,
    };
    handlers.uaa = createUaaHandler(issuer, directory, uaaSettings, counter, new AuthorizationCodes(now));
    handlers.cc = createCcHandler(ctx, createEndpoints({ uaaUrl }), issuer, limiter, ccSettings, counter);
    handlers.apps = createInstanceHandler(foundation, issuer);

    const table = new RouteTable(foundation, options.emptyPoolResponse503 ?? false);
    const proxy = createProxyHandler(table, { host: '127.0.0.1', port: apps.port });
    const cert = await certificate;
    const router = await listenTracked(createDualServer(cert, proxy.handler));
    listeners.push(router);

    const control = createControl({
      foundation,
      directory,
      issuer,
      uaa: uaaSettings,
      cc: ccSettings,
      counter,
      roles,
    });
    if (options.seed === 'demo') seedDemo(control);

    let stopping: Promise<void> | undefined;
    const sandbox: Sandbox = {
      ccUrl,
      uaaUrl,
      routerUrl: `http://127.0.0.1:${router.port}`,
      routerAddress: `127.0.0.1:${router.port}`,
      routerCaPem: cert.cert,
      appsDomain,
      admin,
      auditor,
      user,
      control,
      stop() {
        stopping ??= (async () => {
          proxy.agent.destroy();
          await closeAll();
        })();
        return stopping;
      },
    };
    if (options.controlApi) {
      const api = await startControlApi(sandbox);
      listeners.push({ port: 0, close: api.close });
      sandbox.controlUrl = api.url;
    }
    return sandbox;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function secret(): string {
  return randomBytes(12).toString('base64url');
}
