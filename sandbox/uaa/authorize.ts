import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../net/http.ts';
import type { ClientRecord, Directory } from './clients.ts';
import type { AuthorizationCodes } from './codes.ts';

// UAA's `/oauth/authorize` for the authorization-code grant, with a login form of its own in place of
// UAA's login server: GET shows the form, POST signs in (or cancels) and redirects back to the client.

interface AuthorizeRequest {
  client: ClientRecord;
  redirectUri: string;
  scopes: string[];
  state: string | null;
}

type Checked = AuthorizeRequest | { status: number; message: string; redirect?: string };

export function createAuthorizeHandler(directory: Directory, codes: AuthorizationCodes) {
  /** A bad client or redirect_uri is never redirected to (that would make UAA an open redirector). */
  function check(params: URLSearchParams): Checked {
    const client = directory.clients.get(params.get('client_id') ?? '');
    if (!client?.grantTypes.includes('authorization_code') || client.redirectUri === undefined) {
      return { status: 400, message: 'Unknown client, or not allowed the authorization_code grant.' };
    }
    const redirectUri = params.get('redirect_uri') ?? client.redirectUri;
    if (redirectUri !== client.redirectUri) {
      return { status: 400, message: 'The redirect_uri does not match the one registered for the client.' };
    }
    const state = params.get('state');
    if (params.get('response_type') !== 'code') {
      return {
        status: 302,
        message: '',
        redirect: withQuery(redirectUri, { error: 'unsupported_response_type', state }),
      };
    }
    const requested = (params.get('scope') ?? '').split(' ').filter(Boolean);
    const scopes = requested.length > 0 ? requested : client.scopes;
    const invalid = scopes.filter((s) => !client.scopes.includes(s));
    if (invalid.length > 0) {
      return {
        status: 302,
        message: '',
        redirect: withQuery(redirectUri, { error: 'invalid_scope', state }),
      };
    }
    return { client, redirectUri, scopes, state };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://uaa');
    const params =
      req.method === 'POST' ? new URLSearchParams(await readBody(req, 64 * 1024)) : url.searchParams;
    const checked = check(params);
    if ('message' in checked) {
      if (checked.redirect) return redirect(res, checked.redirect);
      return sendPage(res, checked.status, errorPage(checked.message));
    }
    if (req.method !== 'POST') return sendPage(res, 200, loginPage(checked, undefined));
    if (params.get('action') === 'cancel') {
      return redirect(res, withQuery(checked.redirectUri, { error: 'access_denied', state: checked.state }));
    }
    const user = directory.users.get(params.get('username') ?? '');
    if (!user || user.password !== (params.get('password') ?? '')) {
      return sendPage(res, 401, loginPage(checked, 'Unable to verify email or password. Please try again.'));
    }
    const code = codes.issue({
      clientId: checked.client.id,
      redirectUri: checked.redirectUri,
      username: user.username,
      scopes: checked.scopes.filter((s) => user.scopes.includes(s)),
    });
    redirect(res, withQuery(checked.redirectUri, { code, state: checked.state }));
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendPage(res, 400, errorPage('Bad request.'));
      else res.destroy();
    });
  };
}

function withQuery(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:24rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}' +
  'label,input,button{display:block;width:100%;box-sizing:border-box;margin:.4rem 0}' +
  'input{padding:.5rem;font-size:1rem}button{padding:.6rem;font-size:1rem}' +
  '.err{color:#a40000}';

function loginPage(r: AuthorizeRequest, error: string | undefined): string {
  const hidden = (name: string, value: string | null) =>
    value === null ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Sandbox UAA — sign in</title>
<style>${STYLE}</style></head><body><h1>Sign in</h1>
<p>${esc(r.client.id)} asks for: ${esc(r.scopes.join(', '))}</p>
${error ? `<p class="err" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/oauth/authorize">
${hidden('response_type', 'code')}${hidden('client_id', r.client.id)}${hidden('redirect_uri', r.redirectUri)}
${hidden('scope', r.scopes.join(' '))}${hidden('state', r.state)}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form></body></html>`;
}

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox UAA — error</title>
<style>${STYLE}</style></head><body><h1>Error</h1><p class="err">${esc(message)}</p></body></html>`;
}
