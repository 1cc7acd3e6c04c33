import type { SecretKeys } from '../../common/secrets.ts';
import type { BindingsStore } from '../bindings/types.ts';
import { parseBasic, parseBearer } from './basic-credentials.ts';
import type { Caller } from './caller.ts';
import type { FailureLimiter } from './failure-limiter.ts';
import type { Tarpit } from './tarpit.ts';
import type { JwtVerifier } from './xsuaa.ts';

export type AuthResult =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401 | 403 | 503; code: AuthFailureCode }
  | { ok: false; status: 429; code: 'rate_limited'; retryAfterSeconds: number };

/** Also the `reason` label of promregator_auth_failures_total. */
export type AuthFailureCode =
  | 'missing_credentials'
  | 'unknown_user'
  | 'wrong_password'
  | 'rate_limited'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'token_keys_unavailable';

export interface AuthenticatorDeps {
  bindings: Pick<BindingsStore, 'snapshot'>;
  /** Checks service-key passwords against their keyed digests (microseconds, on the calling thread). */
  keys: SecretKeys;
  limiter: FailureLimiter;
  /** Holds back answers to rate-limited guesses; absent: answered at once. */
  tarpit?: Tarpit;
  /** Absent when no XSUAA is bound: bearer tokens are then refused. */
  jwt: JwtVerifier | undefined;
  onFailure?: (code: AuthFailureCode) => void;
}

export type Authenticator = (authorization: string | undefined) => Promise<AuthResult>;

/** Service-key Basic credentials or an XSUAA bearer token; everything else is refused. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const authenticate = async (authorization: string | undefined): Promise<AuthResult> => {
    if (!authorization) return { ok: false, status: 401, code: 'missing_credentials' };
    const basic = parseBasic(authorization);
    if (basic) {
      const record = deps.bindings.snapshot().keys.get(basic.username);
      if (!record) return { ok: false, status: 401, code: 'unknown_user' };
      // The password is checked before the limiter is asked: the right one always gets in.
      if (deps.keys.checkKeyPassword(basic.password, record.passwordHash, record.keyId)) {
        return { ok: true, caller: { kind: 'key', instanceId: record.instanceId } };
      }
      const retryAfterSeconds = deps.limiter.fail(basic.username);
      if (retryAfterSeconds === undefined) return { ok: false, status: 401, code: 'wrong_password' };
      await deps.tarpit?.hold();
      return { ok: false, status: 429, code: 'rate_limited', retryAfterSeconds };
    }
    const jwt = parseBearer(authorization);
    if (jwt === undefined || deps.jwt === undefined) {
      return { ok: false, status: 401, code: jwt === undefined ? 'missing_credentials' : 'invalid_token' };
    }
    const verdict = await deps.jwt.verify(jwt);
    switch (verdict.kind) {
      case 'reader':
        return { ok: true, caller: { kind: 'reader' } };
      case 'forbidden':
        return { ok: false, status: 403, code: 'insufficient_scope' };
      case 'invalid':
        return { ok: false, status: 401, code: 'invalid_token' };
      case 'unavailable':
        return { ok: false, status: 503, code: 'token_keys_unavailable' };
    }
  };
  return async (authorization) => {
    const result = await authenticate(authorization);
    if (!result.ok) deps.onFailure?.(result.code);
    return result;
  };
}
