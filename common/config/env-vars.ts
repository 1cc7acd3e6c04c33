/**
 * The environment variables of the configuration contract, mapped onto config paths. The names are fixed:
 * operators, manifest.yml and external harnesses use them. The settings below the fixed ones are our own
 * additions for tuning.
 */
export const ENV_VARS: ReadonlyArray<readonly [name: string, path: string]> = [
  ['DATABASE_URL', 'database.url'],
  ['PORT', 'port'],
  ['BROKER_USERNAME', 'broker.username'],
  ['BROKER_PASSWORD', 'broker.password'],
  ['SCRAPER_PUBLIC_URL', 'scraperPublicUrl'],
  ['CF_API_URL', 'cf.apiUrl'],
  ['CF_CLIENT_ID', 'cf.clientId'],
  ['CF_CLIENT_SECRET', 'cf.clientSecret'],
  ['CF_USERNAME', 'cf.username'],
  ['CF_PASSWORD', 'cf.password'],
  ['CF_SKIP_SSL_VALIDATION', 'cf.skipSslValidation'],
  ['CREDENTIALS_KEY', 'credentialsKey'],
  ['CREDENTIALS_KEY_PREVIOUS', 'credentialsKeyPrevious'],
  ['SCRAPE_CONNECT_TO', 'scrape.connectTo'],
  ['XSUAA_READ_SCOPE', 'xsuaa.readScope'],
  ['LOG_LEVEL', 'logLevel'],
  ['OAUTH2_TOKEN_HOSTS', 'outbound.tokenHosts'],
  ['OUTBOUND_ALLOW_PRIVATE', 'outbound.allowPrivate'],
  ['DASHBOARD_CLIENT_ID', 'dashboard.clientId'],
  ['DASHBOARD_CLIENT_SECRET', 'dashboard.clientSecret'],
  ['CATALOG_SERVICE_ID', 'broker.catalog.serviceId'],
  ['CATALOG_PLAN_ID', 'broker.catalog.planId'],
  ['CATALOG_SERVICE_NAME', 'broker.catalog.serviceName'],
  ['SCRAPE_TIMEOUT_MS', 'scrape.defaultTimeoutMs'],
  ['SCRAPE_MAX_BODY_BYTES', 'scrape.maxBodyBytes'],
  ['SCRAPE_CONCURRENCY', 'scrape.globalConcurrency'],
  ['DISCOVERY_TTL_MS', 'discovery.ttlMs'],
  ['DISCOVERY_RESYNC_MS', 'discovery.resyncMs'],
  ['DISCOVERY_EVENTS_MS', 'discovery.eventsMs'],
  ['DISCOVERY_FULL_MS', 'discovery.fullMs'],
  ['DISCOVERY_LEADER_RETRY_MS', 'discovery.leaderRetryMs'],
  ['DATABASE_POOL_MAX', 'database.poolMax'],
];
