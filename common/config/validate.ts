import { parseHostPattern } from '../outbound/host-patterns.ts';
import { defaultConfig } from './defaults.ts';
import { isPlainObject, type Layer } from './layers.ts';
import type { AppRole, Config, XsuaaCredentials } from './types.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const GUIDISH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Reads one typed field out of the merged layers, recording a problem instead of throwing. */
class Reader {
  constructor(
    private readonly root: Layer,
    readonly problems: string[],
  ) {}

  private raw(path: string): unknown {
    let node: unknown = this.root;
    for (const key of path.split('.')) node = isPlainObject(node) ? node[key] : undefined;
    return node;
  }

  string(path: string, fallback: string): string;
  string(path: string, fallback?: string): string | undefined;
  string(path: string, fallback?: string): string | undefined {
    const value = this.raw(path);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problems.push(`${path}: expected a string`);
    return fallback;
  }

  integer(path: string, fallback: number, min: number, max: number): number {
    const value = this.raw(path);
    if (value === undefined || value === null || value === '') return fallback;
    const number = typeof value === 'string' ? Number(value.trim()) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      this.problems.push(`${path}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return number;
  }

  boolean(path: string, fallback: boolean): boolean {
    const value = this.raw(path);
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problems.push(`${path}: expected true or false, got ${JSON.stringify(value)}`);
    return fallback;
  }

  url(path: string, fallback?: string, protocols = ['http:', 'https:']): string | undefined {
    const value = this.string(path, fallback);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value.replace(/\/+$/, '');
    } catch {
      // Never echo the value: database URLs carry passwords.
      this.problems.push(`${path}: expected a URL (${protocols.join(' or ')})`);
      return fallback;
    }
  }

  /** A comma-separated string (environment) or a YAML list of strings; blanks dropped. */
  list(path: string): string[] {
    const value = this.raw(path);
    if (value === undefined || value === null || value === '') return [];
    const items = typeof value === 'string' ? value.split(',') : value;
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
      this.problems.push(`${path}: expected a comma-separated string or a list of strings`);
      return [];
    }
    return items.map((item) => item.trim()).filter((item) => item !== '');
  }

  object(path: string): Layer | undefined {
    const value = this.raw(path);
    return isPlainObject(value) ? value : undefined;
  }
}

/** Turns the merged layers into the typed config, listing every problem at once. */
export function validateConfig(merged: Layer, role: AppRole, problems: string[]): Config {
  const d = defaultConfig();
  const r = new Reader(merged, problems);
  const local = role === 'local';

  const databaseUrl = r.url('database.url', undefined, ['postgres:', 'postgresql:']);
  const ssl = r.object('database.ssl');
  const config: Config = {
    role,
    port: r.integer('port', d.port, 0, 65535),
    logLevel: r.string('logLevel', d.logLevel),
    database: {
      ...(databaseUrl !== undefined && { url: databaseUrl }),
      ...(ssl && {
        ssl: {
          rejectUnauthorized: ssl.rejectUnauthorized !== false,
          ...(typeof ssl.ca === 'string' && { ca: ssl.ca }),
          ...(typeof ssl.cert === 'string' && { cert: ssl.cert }),
          ...(typeof ssl.key === 'string' && { key: ssl.key }),
        },
      }),
      poolMax: r.integer('database.poolMax', d.database.poolMax, 1, 200),
      acquireTimeoutMs: r.integer('database.acquireTimeoutMs', d.database.acquireTimeoutMs, 100, 60_000),
    },
    broker: {
      username: r.string('broker.username', ''),
      password: r.string('broker.password', ''),
      catalog: {
        serviceId: r.string('broker.catalog.serviceId', d.broker.catalog.serviceId),
        serviceName: r.string('broker.catalog.serviceName', d.broker.catalog.serviceName),
        planId: r.string('broker.catalog.planId', d.broker.catalog.planId),
        planName: r.string('broker.catalog.planName', d.broker.catalog.planName),
        maintenanceVersion: r.string(
          'broker.catalog.maintenanceVersion',
          d.broker.catalog.maintenanceVersion,
        ),
        documentationUrl: r.string('broker.catalog.documentationUrl', d.broker.catalog.documentationUrl),
      },
    },
    scraperPublicUrl: r.url('scraperPublicUrl') ?? '',
    credentialsKey: r.string('credentialsKey', ''),
    credentialsKeyPrevious: r.list('credentialsKeyPrevious'),
    cf: {
      skipSslValidation: r.boolean('cf.skipSslValidation', false),
    },
    scrape: {
      defaultTimeoutMs: r.integer('scrape.defaultTimeoutMs', d.scrape.defaultTimeoutMs, 100, 600_000),
      timeoutMarginMs: r.integer('scrape.timeoutMarginMs', d.scrape.timeoutMarginMs, 0, 60_000),
      maxBodyBytes: r.integer('scrape.maxBodyBytes', d.scrape.maxBodyBytes, 1024, 1024 ** 3),
      globalConcurrency: r.integer('scrape.globalConcurrency', d.scrape.globalConcurrency, 1, 10_000),
      requestConcurrency: r.integer('scrape.requestConcurrency', d.scrape.requestConcurrency, 1, 10_000),
    },
    discovery: {
      ttlMs: r.integer('discovery.ttlMs', d.discovery.ttlMs, 1_000, 86_400_000),
      resyncMs: r.integer('discovery.resyncMs', d.discovery.resyncMs, 1_000, 86_400_000),
      guidsPerRequest: r.integer('discovery.guidsPerRequest', d.discovery.guidsPerRequest, 1, 500),
      eventsMs: r.integer('discovery.eventsMs', d.discovery.eventsMs, 0, 3_600_000),
      fullMs: r.integer('discovery.fullMs', d.discovery.fullMs, 10_000, 86_400_000),
      leaderRetryMs: r.integer('discovery.leaderRetryMs', d.discovery.leaderRetryMs, 100, 600_000),
    },
    xsuaa: { readScope: r.string('xsuaa.readScope', d.xsuaa.readScope) },
    outbound: {
      allowPrivate: r.boolean('outbound.allowPrivate', local || d.outbound.allowPrivate),
      tokenHosts: hostPatterns(r.list('outbound.tokenHosts'), problems),
    },
    dashboard: {
      permissionTtlMs: r.integer('dashboard.permissionTtlMs', d.dashboard.permissionTtlMs, 0, 3_600_000),
      sessionTtlMs: r.integer('dashboard.sessionTtlMs', d.dashboard.sessionTtlMs, 60_000, 86_400_000),
    },
  };

  const optional = {
    apiUrl: r.url('cf.apiUrl'),
    clientId: r.string('cf.clientId'),
    clientSecret: r.string('cf.clientSecret'),
    username: r.string('cf.username'),
    password: r.string('cf.password'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (config.cf as unknown as Record<string, unknown>)[key] = value;
  }
  const dashboardId = r.string('dashboard.clientId');
  const dashboardSecret = r.string('dashboard.clientSecret');
  if ((dashboardId === undefined) !== (dashboardSecret === undefined)) {
    problems.push('DASHBOARD_CLIENT_ID and DASHBOARD_CLIENT_SECRET: set both or neither');
  } else if (dashboardId !== undefined && dashboardSecret !== undefined) {
    config.dashboard.clientId = dashboardId;
    config.dashboard.clientSecret = dashboardSecret;
  }
  const connectTo = r.string('scrape.connectTo');
  if (connectTo !== undefined) {
    if (/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/.test(connectTo))
      config.scrape.connectTo = connectTo;
    else problems.push('SCRAPE_CONNECT_TO (scrape.connectTo): expected host:port');
  }
  const xsuaa = r.object('xsuaa.credentials');
  if (xsuaa) {
    const missing = ['clientid', 'url', 'uaadomain', 'xsappname'].filter((k) => typeof xsuaa[k] !== 'string');
    if (missing.length > 0) problems.push(`VCAP_SERVICES xsuaa credentials: missing ${missing.join(', ')}`);
    else config.xsuaa.credentials = xsuaa as XsuaaCredentials;
  }
  const cfApp = r.object('cfApp');
  if (cfApp && typeof cfApp.name === 'string') {
    config.cfApp = { name: cfApp.name, instanceIndex: Number(cfApp.instanceIndex) || 0 };
  }

  if (!LOG_LEVELS.includes(config.logLevel)) {
    problems.push(`LOG_LEVEL (logLevel): expected one of ${LOG_LEVELS.join(', ')}`);
  }
  for (const key of ['serviceId', 'planId'] as const) {
    if (!GUIDISH.test(config.broker.catalog[key])) problems.push(`broker.catalog.${key}: not a valid id`);
  }
  if (!local) requireDeployed(config, role, problems);
  return config;
}

function hostPatterns(texts: string[], problems: string[]): string[] {
  return texts.flatMap((text) => {
    const parsed = parseHostPattern(text);
    if (typeof parsed !== 'string') return [parsed.join('.')];
    problems.push(`OAUTH2_TOKEN_HOSTS (outbound.tokenHosts): ${parsed}`);
    return [];
  });
}

/** Outside local mode nothing may fall back to a generated secret or an embedded database. */
function requireDeployed(config: Config, role: AppRole, problems: string[]): void {
  if (!config.database.url) {
    problems.push('DATABASE_URL: required (or bind a Postgres service so VCAP_SERVICES provides it)');
  }
  if (config.credentialsKey.length < 16) {
    problems.push('CREDENTIALS_KEY: required, at least 16 characters');
  }
  if (config.credentialsKeyPrevious.some((key) => key.length < 16)) {
    problems.push('CREDENTIALS_KEY_PREVIOUS: every key at least 16 characters');
  }
  if (role === 'broker') {
    if (!config.broker.username) problems.push('BROKER_USERNAME: required');
    if (!config.broker.password) problems.push('BROKER_PASSWORD: required');
    if (!config.scraperPublicUrl) problems.push('SCRAPER_PUBLIC_URL: required (service keys carry it)');
  }
  if (role === 'scraper' && config.dashboard.clientId !== undefined && !config.scraperPublicUrl) {
    problems.push(
      'SCRAPER_PUBLIC_URL: required with DASHBOARD_CLIENT_ID (the SSO redirect_uri is built from it)',
    );
  }
  if (role === 'scraper') {
    if (!config.cf.apiUrl) problems.push('CF_API_URL: required');
    const client = config.cf.clientId !== undefined;
    const user = config.cf.username !== undefined;
    if (!client && !user) {
      problems.push('CF_CLIENT_ID/CF_CLIENT_SECRET or CF_USERNAME/CF_PASSWORD: one login is required');
    }
    if (user && config.cf.password === undefined) problems.push('CF_PASSWORD: required with CF_USERNAME');
  }
}
