import type { SecretKeys } from '../../common/secrets.ts';
import type { JsonObject } from '../osb/types.ts';
import type { InstanceRow } from './deps.ts';
import { jobNameFor, prometheusScrapeJob } from './prometheus-yml.ts';

/**
 * What an app bound with auth type "binding" finds in VCAP_SERVICES: the basic-auth credentials the
 * scraper will present, so the app can check them. Other auth types are configured by the developer, who
 * knows their secrets already: nothing secret is echoed.
 */
export function appBindingCredentials(
  keys: SecretKeys,
  bindingId: string,
  keyId: string,
  parameters: JsonObject,
): JsonObject {
  const auth = parameters.auth as { type?: unknown } | undefined;
  const type = typeof auth?.type === 'string' ? auth.type : 'binding';
  if (type !== 'binding') return { auth_type: type };
  return { auth_type: 'basic', ...keys.bindingCredentials(bindingId, keyId) };
}

export interface ServiceKeyInput {
  keys: SecretKeys;
  /** The credentials key the password was issued under. */
  keyId: string;
  scraperPublicUrl: string;
  bindingId: string;
  username: string;
  salt: string;
  instance: Pick<InstanceRow, 'id' | 'space_guid' | 'space_name' | 'instance_name'>;
}

/** Credentials for Prometheus; the password is derived again from the salt, never read from storage. */
export function serviceKeyCredentials(input: ServiceKeyInput): JsonObject {
  const { instance } = input;
  const password = input.keys.serviceKeyPassword(input.bindingId, input.salt, input.keyId);
  const url = `${input.scraperPublicUrl}/v1/spaces/${encodeURIComponent(instance.space_guid)}/metrics`;
  return {
    url,
    discovery_url: `${input.scraperPublicUrl}/v1/discovery`,
    username: input.username,
    password,
    space_guid: instance.space_guid,
    instance_id: instance.id,
    prometheus_yml: prometheusScrapeJob({
      jobName: jobNameFor(instance.instance_name ?? instance.space_name ?? instance.space_guid),
      url,
      username: input.username,
      password,
    }),
  };
}
