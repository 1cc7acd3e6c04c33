import { createRequire } from 'node:module';
import type { XsuaaCredentials } from '../../common/config/types.ts';

/** What the rest of the scraper knows about a bearer token; nothing of @sap/xssec leaks past this module. */
export type JwtVerdict =
  | { kind: 'reader' }
  /** Valid token of our XSUAA, without the read scope. */
  | { kind: 'forbidden' }
  /** Expired, wrong audience, bad signature, malformed… */
  | { kind: 'invalid'; why: string }
  /** The key set could not be fetched: the token may well be good, so this is not a 401. */
  | { kind: 'unavailable' };

export interface JwtVerifier {
  verify(jwt: string): Promise<JwtVerdict>;
}

/**
 * Validates Prometheus's XSUAA JWT with @sap/xssec (signature via the JWKS of `uaadomain`, audience,
 * expiry) and checks the local read scope. @sap/xssec's licence is not open source: it stays behind this
 * one small interface so another validator can replace it.
 */
export function createXsuaaVerifier(credentials: XsuaaCredentials, readScope: string): JwtVerifier {
  // Loaded only where XSUAA is bound: it and the tracing API it pulls in are ~120 modules that a
  // scraper without XSUAA would carry for nothing.
  const xssec = createRequire(import.meta.url)('@sap/xssec') as typeof import('@sap/xssec');
  const service = new xssec.XsuaaService(credentials as ConstructorParameters<typeof xssec.XsuaaService>[0]);
  return {
    async verify(jwt) {
      try {
        const ctx = await xssec.createSecurityContext(service, { jwt });
        return ctx.checkLocalScope(readScope) ? { kind: 'reader' } : { kind: 'forbidden' };
      } catch (err) {
        if (err instanceof xssec.errors.NetworkError) return { kind: 'unavailable' };
        if (err instanceof xssec.errors.ValidationError) return { kind: 'invalid', why: err.name };
        // Anything else (configuration, unexpected) must not let the caller in; report it as unavailable
        // rather than blaming the token.
        return { kind: 'unavailable' };
      }
    },
  };
}
