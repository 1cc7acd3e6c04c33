/** Which app the configuration is built for; decides which settings are required. */
export type AppRole = 'broker' | 'scraper' | 'local';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface DatabaseConfig {
  /** Postgres URL; absent only in local mode, where an embedded server is started. */
  url?: string;
  ssl?: TlsFiles & { rejectUnauthorized: boolean };
  poolMax: number;
  /** How long a request waits for a connection before the database counts as unavailable. */
  acquireTimeoutMs: number;
}

export interface CatalogConfig {
  serviceId: string;
  serviceName: string;
  planId: string;
  planName: string;
  /** Semver of the plan's maintenance_info. */
  maintenanceVersion: string;
  documentationUrl: string;
}

export interface CfApiConfig {
  apiUrl?: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  skipSslValidation: boolean;
}

export interface XsuaaCredentials {
  clientid: string;
  clientsecret?: string;
  url: string;
  uaadomain: string;
  xsappname: string;
  identityzone?: string;
  verificationkey?: string;
  [key: string]: unknown;
}

export interface ScrapeConfig {
  /** host:port every scrape connection goes to instead of the route's host. */
  connectTo?: string;
  defaultTimeoutMs: number;
  /** Subtracted from Prometheus's scrape timeout so our answer arrives before it gives up. */
  timeoutMarginMs: number;
  maxBodyBytes: number;
  /** Upper bound of scrapes in flight over the whole process. */
  globalConcurrency: number;
  /** Upper bound of scrapes in flight for one incoming request. */
  requestConcurrency: number;
}

export interface DiscoveryConfig {
  /** Age after which a discovery view is refreshed in the background. */
  ttlMs: number;
  /** Full reload of bindings from the database, in case a notification was missed. */
  resyncMs: number;
  /** GUIDs per CC filter; CF load balancers cap URL length. */
  guidsPerRequest: number;
  /** How often the discoverer reads the CC audit event feed; 0: never (TTL refresh only). */
  eventsMs: number;
  /** Full discovery interval while the event feed is read (the safety net). */
  fullMs: number;
  /** How often an instance that does not hold the discoverer lock tries to take it. */
  leaderRetryMs: number;
}

/** The outbound policy for URLs a tenant names (common/outbound/policy.ts). */
export interface OutboundConfig {
  /** OUTBOUND_ALLOW_PRIVATE: plain http and loopback/private addresses (local mode and tests only). */
  allowPrivate: boolean;
  /** OAUTH2_TOKEN_HOSTS: host patterns a token_url may name, `*` one label; empty: any public host. */
  tokenHosts: readonly string[];
}

/**
 * The dashboard SSO client: advertised in the catalog as `dashboard_client` (the CC then creates it in
 * UAA), used by the scraper for the authorization-code grant. Both set or neither.
 */
export interface DashboardConfig {
  clientId?: string;
  clientSecret?: string;
  /** How long a verdict of the CC's service-instance permissions is reused. */
  permissionTtlMs: number;
  /** Lifetime of a dashboard login (the session cookie). */
  sessionTtlMs: number;
}

export interface Config {
  role: AppRole;
  port: number;
  logLevel: string;
  database: DatabaseConfig;
  broker: { username: string; password: string; catalog: CatalogConfig };
  /** The scraper's external base URL; '' when unknown (local mode before the scraper listens). */
  scraperPublicUrl: string;
  credentialsKey: string;
  /** Keys CREDENTIALS_KEY replaced: still accepted for what was issued under them (rotation). */
  credentialsKeyPrevious: readonly string[];
  cf: CfApiConfig;
  scrape: ScrapeConfig;
  discovery: DiscoveryConfig;
  xsuaa: { readScope: string; credentials?: XsuaaCredentials };
  outbound: OutboundConfig;
  dashboard: DashboardConfig;
  /** From VCAP_APPLICATION when running on Cloud Foundry. */
  cfApp?: { name: string; instanceIndex: number };
}
