import type { OutboundPolicy } from '../../common/outbound/policy.ts';
import { OSB_ERRORS, OsbError } from '../osb/errors.ts';
import type { JsonObject } from '../osb/types.ts';

/**
 * The URLs a tenant names in bind parameters, held to the outbound policy before anything is stored.
 * Runs after the schema check, so the shapes are known. A host that does not resolve now is refused:
 * the scraper could not use it either, and accepting it would let a name be pointed anywhere later
 * without ever passing this check (the scraper's connect-time check still stands behind it).
 */
export async function checkTenantUrls(policy: OutboundPolicy, parameters: JsonObject): Promise<void> {
  const auth = parameters.auth as JsonObject | undefined;
  if (auth?.type !== 'oauth2' || typeof auth.token_url !== 'string') return;
  const verdict = await policy.checkUrlResolved(auth.token_url);
  if (!verdict.ok) {
    throw new OsbError(OSB_ERRORS.invalidParameters, `parameters.auth.token_url: ${verdict.reason}`);
  }
}
