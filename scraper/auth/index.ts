export {
  type Authenticator,
  type AuthFailureCode,
  type AuthResult,
  createAuthenticator,
} from './authenticate.ts';
export { type Caller, canRead, visibilityKey } from './caller.ts';
export { FailureLimiter } from './failure-limiter.ts';
export { Tarpit } from './tarpit.ts';
export { createXsuaaVerifier, type JwtVerdict, type JwtVerifier } from './xsuaa.ts';
