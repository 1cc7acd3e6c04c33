import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../common/logging.ts';
import { safeEqual } from '../../common/secrets.ts';
import { PAGE_HEADERS } from './html.ts';
import type { InstanceModel } from './instance-view.ts';
import type { PermissionCache } from './permission-cache.ts';
import { type Message, renderMessage } from './render-message.ts';
import { renderInstancePage } from './render-page.ts';
import { type DashboardSession, PENDING_TTL_MS, type SessionCodec } from './session.ts';
import type { SsoClient, SsoFailure } from './sso-client.ts';

export type DashboardRoute =
  | { name: 'dashboard-instance'; instanceId: string }
  | { name: 'dashboard-callback' }
  | { name: 'dashboard-logout' };

export interface DashboardDeps {
  sso: SsoClient;
  sessions: SessionCodec;
  permissions: PermissionCache;
  model: (instanceId: string) => Promise<InstanceModel | undefined>;
  clock: () => number;
  /** Lifetime of a login. */
  sessionTtlMs: number;
  /** Seconds between the page's own reloads. */
  refreshSeconds: number;
  logger: Logger;
}

export interface Dashboard {
  handle(req: IncomingMessage, res: ServerResponse, route: DashboardRoute, url: URL): Promise<void>;
}

/**
 * Dashboard SSO and pages. The dashboard URL grants nothing: a browser without a login is sent to UAA
 * (state bound to its session cookie), the callback trades the code for the user's token, and every page
 * is shown only while the CC says the user may `read` the instance (verdict cached for the TTL).
 */
export function createDashboard(deps: DashboardDeps): Dashboard {
  const instancePath = (id: string) => `/dashboard/instances/${encodeURIComponent(id)}`;

  function send(res: ServerResponse, req: IncomingMessage, message: Message, cookie?: string): void {
    const headers: Record<string, string> = { ...PAGE_HEADERS };
    if (cookie !== undefined) headers['set-cookie'] = cookie;
    if (wantsJson(req)) {
      headers['content-type'] = 'application/json; charset=utf-8';
      res.writeHead(message.status, headers);
      res.end(JSON.stringify({ error: message.title, description: message.text }));
      return;
    }
    res.writeHead(message.status, headers);
    res.end(req.method === 'HEAD' ? undefined : renderMessage(message));
  }

  function redirect(res: ServerResponse, location: string, cookie: string): void {
    res.writeHead(302, {
      location,
      'set-cookie': cookie,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.end();
  }

  function unavailable(failure: SsoFailure & { kind: 'unavailable' }, instanceId?: string): Message {
    // 502 when UAA gave no usable answer to the login, 503 when the CC cannot be asked: both retryable.
    return {
      status: failure.service === 'UAA' ? 502 : 503,
      title: `${failure.service} unavailable`,
      text: `The ${failure.service} did not answer, so your access cannot be checked right now. Try again in a moment.`,
      ...(instanceId !== undefined && { link: { href: instancePath(instanceId), label: 'Try again' } }),
    };
  }

  async function startLogin(req: IncomingMessage, res: ServerResponse, instanceId: string): Promise<void> {
    const state = randomBytes(24).toString('base64url');
    const target = await deps.sso.authorizeUrl(state);
    if (typeof target !== 'string') {
      deps.logger.warn({ detail: target.detail }, 'dashboard: login server unknown');
      return send(
        res,
        req,
        target.kind === 'unavailable' ? unavailable(target, instanceId) : rejected(target.detail),
      );
    }
    const session: DashboardSession = {
      pending: { state, instanceId },
      expiresAt: deps.clock() + PENDING_TTL_MS,
    };
    redirect(res, target, deps.sessions.cookie(session));
  }

  async function instancePage(req: IncomingMessage, res: ServerResponse, instanceId: string): Promise<void> {
    const session = deps.sessions.read(req.headers.cookie);
    const user = session?.user;
    if (!user || user.tokenExpiresAt <= deps.clock()) return startLogin(req, res, instanceId);
    let verdict = deps.permissions.get(user.id, instanceId);
    if (!verdict) {
      const answer = await deps.sso.permissions(user.token, instanceId);
      if (!answer.ok) {
        if (answer.kind === 'unauthenticated') return startLogin(req, res, instanceId);
        if (answer.kind === 'unavailable') {
          deps.logger.warn({ detail: answer.detail }, 'dashboard: permission check failed');
          return send(res, req, unavailable(answer, instanceId));
        }
        return send(res, req, rejected(answer.detail));
      }
      verdict = { read: answer.read, manage: answer.manage };
      deps.permissions.set(user.id, instanceId, verdict);
    }
    if (!verdict.read) {
      return send(res, req, {
        status: 403,
        title: 'Not authorized',
        text: `${user.name} may not see this service instance. Ask a manager of its space for a role there.`,
      });
    }
    const model = await deps.model(instanceId);
    if (!model) {
      return send(res, req, {
        status: 404,
        title: 'Unknown service instance',
        text: 'This scraper does not know the service instance (yet): it may have been deleted, or was created a moment ago.',
      });
    }
    if (wantsJson(req)) {
      res.writeHead(200, { ...PAGE_HEADERS, 'content-type': 'application/json; charset=utf-8' });
      return void res.end(req.method === 'HEAD' ? undefined : JSON.stringify(model));
    }
    res.writeHead(200, PAGE_HEADERS);
    res.end(
      req.method === 'HEAD'
        ? undefined
        : renderInstancePage(model, { refreshSeconds: deps.refreshSeconds, userName: user.name }),
    );
  }

  async function callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const session = deps.sessions.read(req.headers.cookie);
    const pending = session?.pending;
    const state = url.searchParams.get('state');
    if (!pending) {
      return send(res, req, {
        status: 400,
        title: 'Login expired',
        text: 'The login took too long or did not start here. Open the dashboard link again.',
      });
    }
    const back = { href: instancePath(pending.instanceId), label: 'Open the dashboard again' };
    // The state ties the answer to the browser that started the login: anything else may be forged.
    if (state === null || !safeEqual(state, pending.state)) {
      return send(
        res,
        req,
        {
          status: 400,
          title: 'Login refused',
          text: 'The login answer does not belong to this browser session.',
          link: back,
        },
        deps.sessions.clear(),
      );
    }
    if (url.searchParams.has('error')) {
      const denied = url.searchParams.get('error') === 'access_denied';
      return send(
        res,
        req,
        {
          status: 403,
          title: denied ? 'Login cancelled' : 'Login failed',
          text: denied ? 'The login was cancelled.' : 'The login server refused the login.',
          link: back,
        },
        deps.sessions.clear(),
      );
    }
    const code = url.searchParams.get('code');
    if (!code)
      return send(res, req, {
        status: 400,
        title: 'Login refused',
        text: 'No authorization code.',
        link: back,
      });
    const login = await deps.sso.login(code);
    if (!login.ok) {
      if (login.kind === 'unavailable') {
        deps.logger.warn({ detail: login.detail }, 'dashboard: code exchange failed');
        return send(res, req, { ...unavailable(login), link: back });
      }
      return send(res, req, { ...rejected(login.detail), link: back }, deps.sessions.clear());
    }
    const now = deps.clock();
    const next: DashboardSession = {
      user: {
        id: login.userId,
        name: login.userName,
        token: login.token,
        tokenExpiresAt: login.tokenExpiresAt,
      },
      expiresAt: Math.min(now + deps.sessionTtlMs, login.tokenExpiresAt),
    };
    redirect(res, instancePath(pending.instanceId), deps.sessions.cookie(next));
  }

  function logout(req: IncomingMessage, res: ServerResponse): void {
    const user = deps.sessions.read(req.headers.cookie)?.user;
    if (user) deps.permissions.forgetUser(user.id);
    send(
      res,
      req,
      { status: 200, title: 'Signed out', text: 'You are signed out of the dashboard.' },
      deps.sessions.clear(),
    );
  }

  return {
    async handle(req, res, route, url) {
      const method = req.method ?? 'GET';
      if (route.name === 'dashboard-logout') {
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        return logout(req, res);
      }
      // The callback redeems a single-use code: GET only, never a HEAD a crawler might send.
      if (route.name === 'dashboard-callback') {
        return method === 'GET' ? callback(req, res, url) : methodNotAllowed(res, 'GET');
      }
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      return instancePage(req, res, route.instanceId);
    },
  };
}

function rejected(detail: string): Message {
  return { status: 401, title: 'Login failed', text: `The login could not be completed: ${detail}.` };
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { allow, 'content-type': 'text/plain; charset=utf-8' });
  res.end('method not allowed');
}

/** JSON for scripts that ask for it first; browsers send text/html ahead of anything else. */
function wantsJson(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  const json = accept.indexOf('application/json');
  if (json < 0) return false;
  const html = accept.indexOf('text/html');
  return html < 0 || json < html;
}
