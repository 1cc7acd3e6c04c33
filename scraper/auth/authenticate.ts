import type { BindingsStore } from '../bindings/types.ts';
import { parseBasic, parseBearer } from './basic-credentials.ts';
import type { Caller } from './caller.ts';
import type { KeyVerifier } from './key-verifier.ts';
import type { JwtVerifier } from './xsuaa.ts';

export type AuthResult =
  | { ok: true; caller: Caller }
  | { ok: false; status: 401 | 403 | 503; code: AuthFailureCode };

export type AuthFailureCode =
  | 'missing_credentials'
  | 'bad_credentials'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'token_keys_unavailable';

export interface AuthenticatorDeps {
  bindings: Pick<BindingsStore, 'snapshot'>;
  keys: KeyVerifier;
  /** Absent when no XSUAA is bound: bearer tokens are then refused. */
  jwt: JwtVerifier | undefined;
  onCacheLookup?: (hit: boolean) => void;
}

export type Authenticator = (authorization: string | undefined) => Promise<AuthResult>;

/** Service-key Basic credentials or an XSUAA bearer token; everything else is refused. */
export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return async (authorization) => {
    if (!authorization) return { ok: false, status: 401, code: 'missing_credentials' };
    const basic = parseBasic(authorization);
    if (basic) {
      const record = deps.bindings.snapshot().keys.get(basic.username);
      if (!record) return { ok: false, status: 401, code: 'bad_credentials' };
      const verdict = await deps.keys.verify(record, basic.password);
      deps.onCacheLookup?.(verdict.hit);
      return verdict.ok
        ? { ok: true, caller: { kind: 'key', instanceId: record.instanceId } }
        : { ok: false, status: 401, code: 'bad_credentials' };
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
}
