import { Agent, buildConnector } from 'undici';
import { type OutboundPolicy, OutboundRefusedError } from '../../common/outbound/policy.ts';

export interface TokenAgentOptions {
  /** Decides what a tenant-named token URL may reach, on the address actually dialled. */
  policy: OutboundPolicy;
  /** CF_SKIP_SSL_VALIDATION: accept self-signed certificates of test landscapes. */
  skipSslValidation: boolean;
  connectTimeoutMs?: number;
}

/**
 * The dispatcher for oauth2 token requests, whose URLs tenants choose. Every connection is checked where
 * it is made: an IP literal before dialling (no lookup sees it), a name by the `lookup` that resolves it,
 * so the address connected to is the address checked and a name that changes its answer after bind
 * (DNS rebinding) still cannot reach loopback or the platform network. A refusal fails the connect with
 * an OutboundRefusedError. Redirects are never followed (undici does not unless told to).
 * SCRAPE_CONNECT_TO does not apply: token endpoints are not app routes.
 */
export function createTokenAgent(options: TokenAgentOptions): Agent {
  const { policy } = options;
  const base = buildConnector({
    rejectUnauthorized: !options.skipSslValidation,
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: policy.lookup,
  });
  const connect: buildConnector.connector = (opts, callback) => {
    const verdict = policy.checkDial(opts.protocol, opts.hostname);
    if (!verdict.ok) {
      // Asynchronously, as a failed dial would report it.
      queueMicrotask(() => callback(new OutboundRefusedError(verdict.reason), null));
      return;
    }
    base(opts, callback);
  };
  return new Agent({ connect, keepAliveTimeout: 30_000 });
}
