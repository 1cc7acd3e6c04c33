import type { TargetAuth } from '../../common/targets.ts';
import type { OAuthTokens } from './oauth-tokens.ts';

export type AuthorizationResult = { ok: true; value: string | undefined } | { ok: false; reason: string };

/** The Authorization header a target expects from the scraper, per the binding's auth type. */
export async function authorizationFor(
  auth: TargetAuth,
  tokens: OAuthTokens,
  deadline: number,
): Promise<AuthorizationResult> {
  switch (auth.type) {
    case 'none':
      return { ok: true, value: undefined };
    case 'basic':
    case 'binding':
      return { ok: true, value: basicHeader(auth.username, auth.password) };
    case 'oauth2': {
      const token = await tokens.get(auth, deadline);
      return token.ok ? { ok: true, value: `Bearer ${token.token}` } : token;
    }
  }
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
