import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../net/http.ts';
import type { RequestCounter } from '../net/request-counter.ts';
import { createAuthorizeHandler } from './authorize.ts';
import type { ClientRecord, Directory } from './clients.ts';
import type { AuthorizationCodes } from './codes.ts';
import type { TokenIssuer, TokenRequest } from './tokens.ts';

export interface UaaSettings {
  tokenLifetimeSeconds: number;
  refuse: boolean;
  /** While set, the token endpoint answers this status (an outage behind UAA's load balancer). */
  failStatus?: number | null;
}

interface OAuthError {
  status: number;
  error: string;
  description: string;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function createUaaHandler(
  issuer: TokenIssuer,
  directory: Directory,
  settings: UaaSettings,
  counter: RequestCounter,
  codes: AuthorizationCodes,
): (req: IncomingMessage, res: ServerResponse) => void {
  const authorize = createAuthorizeHandler(directory, codes);
  // Refresh tokens are opaque here: only this sandbox redeems them.
  const refreshTokens = new Map<string, { clientId: string; username: string }>();

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://uaa');
    if (url.search !== '') {
      return oauthError(res, {
        status: 406,
        error: 'query_string_not_allowed',
        description: 'Parameters must be passed in the body of the request',
      });
    }
    const form = new URLSearchParams(await readBody(req, 64 * 1024));
    if (settings.failStatus) {
      return oauthError(res, {
        status: settings.failStatus,
        error: 'server_error',
        description: 'UAA unavailable',
      });
    }
    const client = authenticateClient(req, form);
    if ('status' in client) return oauthError(res, client);
    if (settings.refuse) {
      return oauthError(res, { status: 401, error: 'invalid_client', description: 'Bad credentials' });
    }
    const grantType = form.get('grant_type') ?? '';
    if (!client.grantTypes.includes(grantType)) {
      const known = ['client_credentials', 'password', 'refresh_token', 'authorization_code'].includes(
        grantType,
      );
      return oauthError(
        res,
        known
          ? { status: 401, error: 'invalid_client', description: `Unauthorized grant type: ${grantType}` }
          : {
              status: 400,
              error: 'unsupported_grant_type',
              description: `Unsupported grant type: ${grantType}`,
            },
      );
    }
    let request: TokenRequest;
    let refresh = false;
    if (grantType === 'client_credentials') {
      // An optional `scope` narrows the token to part of the client's authorities; anything else is refused.
      const requested = form.get('scope')?.split(' ').filter(Boolean);
      const invalid = requested?.filter((s) => !client.authorities.includes(s)) ?? [];
      if (invalid.length > 0) {
        return oauthError(res, {
          status: 400,
          error: 'invalid_scope',
          description: `Invalid scope: ${invalid.join(' ')}`,
        });
      }
      request = {
        clientId: client.id,
        grantType,
        scopes: requested ?? client.authorities,
        lifetimeSeconds: settings.tokenLifetimeSeconds,
      };
    } else {
      let username: string;
      let granted: string[] | undefined;
      if (grantType === 'authorization_code') {
        const grant = codes.redeem(form.get('code') ?? '', client.id, form.get('redirect_uri'));
        if (!grant) {
          return oauthError(res, {
            status: 400,
            error: 'invalid_grant',
            description: 'Invalid authorization code',
          });
        }
        username = grant.username;
        granted = grant.scopes;
      } else if (grantType === 'password') {
        const user = directory.users.get(form.get('username') ?? '');
        if (!user || user.password !== (form.get('password') ?? '')) {
          return oauthError(res, { status: 401, error: 'unauthorized', description: 'Bad credentials' });
        }
        username = user.username;
      } else {
        const entry = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!entry || entry.clientId !== client.id) {
          return oauthError(res, {
            status: 401,
            error: 'invalid_token',
            description: 'Invalid refresh token',
          });
        }
        username = entry.username;
      }
      const user = directory.users.get(username);
      if (!user) return oauthError(res, { status: 401, error: 'invalid_token', description: 'User gone' });
      const scopes = (granted ?? user.scopes).filter(
        (s) => client.scopes.includes(s) && user.scopes.includes(s),
      );
      request = {
        clientId: client.id,
        grantType:
          grantType === 'refresh_token' ? 'refresh_token' : (grantType as 'password' | 'authorization_code'),
        scopes,
        user: { id: user.id, name: user.username },
        lifetimeSeconds: settings.tokenLifetimeSeconds,
      };
      refresh = true;
    }
    const { token, claims } = await issuer.issue(request);
    const body: Record<string, unknown> = {
      access_token: token,
      token_type: 'bearer',
      expires_in: claims.exp - claims.iat,
      scope: claims.scope.join(' '),
      jti: claims.jti,
    };
    if (refresh && request.user) {
      const rt = `${randomUUID().replaceAll('-', '')}-r`;
      refreshTokens.set(rt, { clientId: client.id, username: request.user.name });
      body.refresh_token = rt;
    }
    sendJson(res, 200, body, NO_STORE);
  }

  function authenticateClient(req: IncomingMessage, form: URLSearchParams): ClientRecord | OAuthError {
    let id: string | null = null;
    let secret: string | null = null;
    const auth = req.headers.authorization;
    if (auth?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        id = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    } else if (form.has('client_id')) {
      id = form.get('client_id');
      secret = form.get('client_secret') ?? '';
    }
    if (id === null || secret === null) {
      return {
        status: 401,
        error: 'unauthorized',
        description: 'Full authentication is required to access this resource',
      };
    }
    return (
      directory.authenticateClient(id, secret) ?? {
        status: 401,
        error: 'invalid_client',
        description: 'Bad credentials',
      }
    );
  }

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/oauth/token') {
      counter.count('POST /oauth/token', false);
      token(req, res).catch(() => {
        if (!res.headersSent)
          oauthError(res, { status: 400, error: 'invalid_request', description: 'Bad request' });
        else res.destroy();
      });
      return;
    }
    if ((method === 'GET' || method === 'POST') && path === '/oauth/authorize') {
      counter.count(`${method} /oauth/authorize`, false);
      return authorize(req, res);
    }
    if (method === 'GET' && path === '/token_keys') {
      counter.count('GET /token_keys', false);
      return sendJson(res, 200, { keys: [issuer.key] });
    }
    if (method === 'GET' && path === '/token_key') {
      counter.count('GET /token_key', false);
      return sendJson(res, 200, issuer.key);
    }
    if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    counter.count(`${method} *uaa`, false);
    sendJson(res, 404, { error: 'not_found', error_description: 'Not Found' });
  };
}

function oauthError(res: ServerResponse, e: OAuthError): void {
  const headers: Record<string, string> = { ...NO_STORE };
  if (e.status === 401)
    headers['www-authenticate'] =
      `Basic realm="UAA/client", error="${e.error}", error_description="${e.description}"`;
  sendJson(res, e.status, { error: e.error, error_description: e.description }, headers);
}
