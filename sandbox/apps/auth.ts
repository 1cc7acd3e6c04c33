import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppAuth } from '../types.ts';
import type { TokenIssuer } from '../uaa/tokens.ts';

export type AuthOutcome = { ok: true } | { ok: false; status: 401 | 403; challenge: string; reason: string };

/** What a protected sample app checks: basic credentials, or a sandbox-UAA JWT meant for it. */
export async function checkAppAuth(
  req: IncomingMessage,
  auth: AppAuth,
  issuer: TokenIssuer,
): Promise<AuthOutcome> {
  if (auth.type === 'none') return { ok: true };
  const header = req.headers.authorization ?? '';
  if (auth.type === 'basic') {
    const challenge = 'Basic realm="sandbox-app"';
    if (!header.toLowerCase().startsWith('basic '))
      return { ok: false, status: 401, challenge, reason: 'missing credentials' };
    const expected = Buffer.from(`${auth.username}:${auth.password}`);
    const given = Buffer.from(Buffer.from(header.slice(6).trim(), 'base64').toString('utf8'));
    const same = expected.length === given.length && timingSafeEqual(expected, given);
    return same ? { ok: true } : { ok: false, status: 401, challenge, reason: 'bad credentials' };
  }
  const challenge = 'Bearer realm="sandbox-app"';
  const m = /^bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) return { ok: false, status: 401, challenge, reason: 'missing token' };
  const verified = await issuer.verify(m[1]);
  if (!verified.ok)
    return {
      ok: false,
      status: 401,
      challenge: `${challenge}, error="invalid_token"`,
      reason: verified.reason,
    };
  const { aud, scope } = verified.claims;
  const fits = (v: unknown) =>
    typeof v === 'string' && (v === auth.audience || v.startsWith(`${auth.audience}.`));
  const meant = (Array.isArray(aud) && aud.some(fits)) || (Array.isArray(scope) && scope.some(fits));
  return meant
    ? { ok: true }
    : {
        ok: false,
        status: 403,
        challenge: `${challenge}, error="insufficient_scope"`,
        reason: 'wrong audience',
      };
}
