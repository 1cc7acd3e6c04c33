import { decodeJwt } from 'jose';
import type { Dispatcher } from 'undici';
import { describeCcError, exchange } from '../cf/http-exchange.ts';

/**
 * The three calls of dashboard SSO (CLOUD_FOUNDRY.md, "Authorization-code grant"): where to log in (the
 * CC root's `links.login` and `links.uaa`), the code exchange at UAA with the dashboard client's Basic
 * auth, and the CC's verdict on one service instance, asked with the user's own token.
 */
export interface SsoClientDeps {
  ccUrl: string;
  clientId: string;
  clientSecret: string;
  /** `<SCRAPER_PUBLIC_URL>/dashboard/callback`, exactly as registered (read late: local mode learns its port). */
  redirectUri: () => string;
  dispatcher: Dispatcher;
  clock: () => number;
  timeoutMs?: number;
}

export const SSO_SCOPES = 'openid cloud_controller_service_permissions.read';

/** `unavailable`: the other side did not answer usefully (network, timeout, 5xx); `rejected`: it said no. */
export type SsoFailure =
  | { ok: false; kind: 'unavailable'; service: 'UAA' | 'Cloud Controller'; detail: string }
  | { ok: false; kind: 'rejected'; detail: string };

export type LoginResult =
  | { ok: true; userId: string; userName: string; token: string; tokenExpiresAt: number }
  | SsoFailure;

export type PermissionResult =
  | { ok: true; read: boolean; manage: boolean }
  /** 401: the token is no longer good (expired, revoked): log in again. */
  | { ok: false; kind: 'unauthenticated' }
  | SsoFailure;

export interface SsoClient {
  authorizeUrl(state: string): Promise<string | SsoFailure>;
  login(code: string): Promise<LoginResult>;
  permissions(token: string, instanceId: string): Promise<PermissionResult>;
}

interface Links {
  login: string;
  uaa: string;
}

export function createSsoClient(deps: SsoClientDeps): SsoClient {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const ccUrl = deps.ccUrl.replace(/\/+$/, '');
  let links: Links | undefined;

  const unavailable = (service: 'UAA' | 'Cloud Controller', detail: string): SsoFailure => ({
    ok: false,
    kind: 'unavailable',
    service,
    detail,
  });

  /** Kept once read: the login server of a foundation does not move. A failure is retried next time. */
  async function discover(): Promise<Links | SsoFailure> {
    if (links) return links;
    try {
      const root = await exchange(deps.dispatcher, `${ccUrl}/`, {
        method: 'GET',
        headers: { accept: 'application/json' },
        timeoutMs,
      });
      const l = (
        root.json as { links?: { login?: { href?: unknown }; uaa?: { href?: unknown } } } | undefined
      )?.links;
      const uaa = typeof l?.uaa?.href === 'string' ? l.uaa.href : undefined;
      const login = typeof l?.login?.href === 'string' ? l.login.href : uaa;
      if (root.status !== 200 || !uaa || !login) {
        return unavailable('Cloud Controller', `GET / answered ${root.status} without links.login/uaa`);
      }
      links = { login: login.replace(/\/+$/, ''), uaa: uaa.replace(/\/+$/, '') };
      return links;
    } catch (error) {
      return unavailable('Cloud Controller', (error as Error).message);
    }
  }

  return {
    async authorizeUrl(state) {
      const l = await discover();
      if ('ok' in l) return l;
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: deps.clientId,
        redirect_uri: deps.redirectUri(),
        scope: SSO_SCOPES,
        state,
      });
      return `${l.login}/oauth/authorize?${query}`;
    },

    async login(code) {
      const l = await discover();
      if ('ok' in l) return l;
      const basic = Buffer.from(
        `${encodeURIComponent(deps.clientId)}:${encodeURIComponent(deps.clientSecret)}`,
      ).toString('base64');
      let answer: Awaited<ReturnType<typeof exchange>>;
      try {
        answer = await exchange(deps.dispatcher, `${l.uaa}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: deps.redirectUri(),
          }).toString(),
          timeoutMs,
        });
      } catch (error) {
        return unavailable('UAA', (error as Error).message);
      }
      const body = answer.json as
        | { access_token?: unknown; expires_in?: unknown; error?: unknown }
        | undefined;
      if (answer.status >= 500 || (answer.status === 200 && typeof body?.access_token !== 'string')) {
        return unavailable('UAA', `POST /oauth/token answered ${answer.status}`);
      }
      if (answer.status !== 200 || typeof body?.access_token !== 'string') {
        return {
          ok: false,
          kind: 'rejected',
          detail: `UAA refused the code (${String(body?.error ?? answer.status)})`,
        };
      }
      // The token came straight from UAA over our own connection: its claims are only read, for display.
      let claims: Record<string, unknown>;
      try {
        claims = decodeJwt(body.access_token);
      } catch {
        return { ok: false, kind: 'rejected', detail: 'UAA answered a token that is not a JWT' };
      }
      const userId = typeof claims.user_id === 'string' ? claims.user_id : String(claims.sub ?? '');
      if (!userId) return { ok: false, kind: 'rejected', detail: 'the token names no user' };
      const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 600;
      return {
        ok: true,
        userId,
        userName: typeof claims.user_name === 'string' ? claims.user_name : userId,
        token: body.access_token,
        tokenExpiresAt: deps.clock() + expiresIn * 1000,
      };
    },

    async permissions(token, instanceId) {
      const url = `${ccUrl}/v3/service_instances/${encodeURIComponent(instanceId)}/permissions`;
      let answer: Awaited<ReturnType<typeof exchange>>;
      try {
        answer = await exchange(deps.dispatcher, url, {
          method: 'GET',
          headers: { authorization: `bearer ${token}`, accept: 'application/json' },
          timeoutMs,
        });
      } catch (error) {
        return unavailable('Cloud Controller', (error as Error).message);
      }
      if (answer.status === 401) return { ok: false, kind: 'unauthenticated' };
      // Unknown or invisible instance, or a token without the permissions scope: nothing to show.
      if (answer.status === 404 || answer.status === 403) return { ok: true, read: false, manage: false };
      const body = answer.json as { read?: unknown; manage?: unknown } | undefined;
      if (answer.status !== 200 || typeof body?.read !== 'boolean') {
        const why = describeCcError(answer.json);
        return unavailable(
          'Cloud Controller',
          `permissions answered ${answer.status}${why ? ` (${why})` : ''}`,
        );
      }
      return { ok: true, read: body.read, manage: body.manage === true };
    },
  };
}
