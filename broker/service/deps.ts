import type { CatalogConfig } from '../../common/config/types.ts';
import type { Knex } from '../../common/db/connect.ts';
import type { OutboundPolicy } from '../../common/outbound/policy.ts';
import type { SecretKeys } from '../../common/secrets.ts';
import type { ParameterValidators } from '../osb/parameters.ts';

/** What the contract implementation needs; passed in, never imported as a singleton. */
export interface ServiceDeps {
  db: Knex;
  keys: SecretKeys;
  catalog: CatalogConfig;
  validators: ParameterValidators;
  /** What a URL in the parameters may reach (auth.token_url). */
  outbound: OutboundPolicy;
  /** The scraper's external base URL, written into service keys. */
  scraperPublicUrl: string;
  /** `<SCRAPER_PUBLIC_URL>/dashboard/instances/`; undefined when no dashboard client is configured. */
  dashboardBase: string | undefined;
}

/** Rows as migrations/001-initial.ts defines them (the subset the broker reads). */
export interface InstanceRow {
  id: string;
  service_id: string;
  plan_id: string;
  organization_guid: string;
  space_guid: string;
  organization_name: string | null;
  space_name: string | null;
  instance_name: string | null;
  parameters: Record<string, unknown>;
  maintenance_version: string | null;
  request_digest: string;
}

export interface BindingRow {
  id: string;
  instance_id: string;
  kind: 'app' | 'key';
  app_guid: string | null;
  parameters: Record<string, unknown>;
  key_username: string | null;
  key_salt: string | null;
  request_digest: string;
  /** The CREDENTIALS_KEY its derived credentials were issued under (null only before the start-time rekey). */
  credentials_key_id: string | null;
}
