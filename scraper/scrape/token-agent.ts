import { Agent } from 'undici';
import type { OutboundPolicy } from '../../common/outbound/policy.ts';
import { guardedConnector } from './guarded-connector.ts';

export interface TokenAgentOptions {
  /** Decides what a tenant-named token URL may reach, on the address actually dialled. */
  policy: OutboundPolicy;
  /** CF_SKIP_SSL_VALIDATION: accept self-signed certificates of test landscapes. */
  skipSslValidation: boolean;
  connectTimeoutMs?: number;
}

/**
 * The dispatcher for oauth2 token requests, whose URLs tenants choose: every connection held to the
 * outbound policy (guardedConnector). Redirects are never followed (undici does not unless told to).
 * SCRAPE_CONNECT_TO does not apply: token endpoints are not app routes.
 */
export function createTokenAgent(options: TokenAgentOptions): Agent {
  const connect = guardedConnector(options.policy, {
    rejectUnauthorized: !options.skipSslValidation,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  return new Agent({ connect, keepAliveTimeout: 30_000 });
}
