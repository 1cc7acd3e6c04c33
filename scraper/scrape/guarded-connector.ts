import type { SecureContext } from 'node:tls';
import { buildConnector } from 'undici';
import { type OutboundPolicy, OutboundRefusedError } from '../../common/outbound/policy.ts';

/**
 * A connector that holds every connection to an outbound policy where it is made: an IP literal before
 * dialling (no lookup sees it), a name by the policy's `lookup` that resolves it, so the address
 * connected to is the address checked and a name that changes its answer later (DNS rebinding) cannot
 * get past it. A refusal fails the connect with an OutboundRefusedError (code OUTBOUND_REFUSED).
 */
export function guardedConnector(
  policy: OutboundPolicy,
  options: { rejectUnauthorized: boolean; timeout: number; secureContext?: SecureContext },
): buildConnector.connector {
  const base = buildConnector({ ...options, lookup: policy.lookup });
  return (opts, callback) => {
    const verdict = policy.checkDial(opts.protocol, opts.hostname);
    if (!verdict.ok) {
      // Asynchronously, as a failed dial would report it.
      queueMicrotask(() => callback(new OutboundRefusedError(verdict.reason), null));
      return;
    }
    base(opts, callback);
  };
}
