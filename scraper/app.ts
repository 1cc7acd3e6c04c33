import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { Agent } from 'undici';
import type { Config } from '../common/config/types.ts';
import type { Knex } from '../common/db/connect.ts';
import { rekeyStoredSecrets } from '../common/db/rekey.ts';
import type { Logger } from '../common/logging.ts';
import {
  APP_ROUTE_ADDRESS_KINDS,
  createOutboundPolicy,
  type HostResolver,
} from '../common/outbound/policy.ts';
import { SecretKeys } from '../common/secrets.ts';
import { createAuthenticator, createXsuaaVerifier, FailureLimiter, Tarpit } from './auth/index.ts';
import { createBindingsStore } from './bindings/index.ts';
import { createCcRequestCounter, createCloudControllerClient } from './cf/index.ts';
import { composeDashboard } from './dashboard/index.ts';
import { createDiscoveryMetrics, createSharedDiscovery } from './discovery/index.ts';
import { createHandler, type Rendered } from './http/index.ts';
import { createIdleCollector } from './idle-gc.ts';
import { createScraperMetrics } from './metrics.ts';
import {
  createScrapeAgent,
  createScrapeService,
  createTokenAgent,
  FairSemaphore,
  OAuthTokens,
  ScrapeRecorder,
  SingleFlight,
} from './scrape/index.ts';
import { createGarbageCollector } from './young-gc.ts';

export interface ScraperOptions {
  config: Readonly<Config>;
  db: Knex;
  logger: Logger;
  /** Listen port; 0 picks a free one. Default config.port. */
  port?: number;
  /** Listen address. Default all interfaces. */
  host?: string;
  /** For the LISTEN connection; default config.database.url (local mode passes the embedded server's). */
  databaseUrl?: string;
  clock?: () => number;
  /** How token_url hosts are resolved at connect time; default the system resolver (tests inject one). */
  resolveHost?: HostResolver;
}

export interface RunningScraper {
  /** `http://127.0.0.1:<port>` (loopback form of the bound port). */
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes every part. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Composes one scraper: bindings store, CC client, discovery, scrape service, HTTP server. Everything is
 * created here and owned by the returned handle (its own prom-client Registry, its own connection
 * pools), so several scrapers can run in one process.
 */
export async function startScraper(options: ScraperOptions): Promise<RunningScraper> {
  const { config, db, logger } = options;
  const clock = options.clock ?? Date.now;
  const databaseUrl = options.databaseUrl ?? config.database.url;
  if (!databaseUrl) throw new Error('startScraper: no database URL');
  const keys = new SecretKeys(config.credentialsKey, config.credentialsKeyPrevious);
  await rekeyStoredSecrets(db, keys, logger.child({ part: 'rekey' }));
  const metrics = createScraperMetrics();

  const bindings = createBindingsStore({
    db,
    databaseUrl,
    keys,
    logger: logger.child({ part: 'bindings' }),
    resyncMs: config.discovery.resyncMs,
    clock,
    ...(config.database.ssl !== undefined && { ssl: config.database.ssl }),
  });
  const cc = createCloudControllerClient({
    config: config.cf,
    logger: logger.child({ part: 'cc' }),
    requestCounter: createCcRequestCounter(metrics.registry),
    clock,
  });
  const discovery = createSharedDiscovery({
    db,
    databaseUrl,
    ...(config.database.ssl !== undefined && { ssl: config.database.ssl }),
    leaderRetryMs: config.discovery.leaderRetryMs,
    name: instanceName(config),
    cc,
    bindings,
    logger: logger.child({ part: 'discovery' }),
    ttlMs: config.discovery.ttlMs,
    guidsPerRequest: config.discovery.guidsPerRequest,
    metrics: createDiscoveryMetrics(metrics.registry),
    collect: createIdleCollector(),
    clock,
    ...(config.discovery.eventsMs > 0 && {
      events: { intervalMs: config.discovery.eventsMs, fullMs: config.discovery.fullMs },
    }),
  });

  const scrapeAgent = createScrapeAgent({
    ...(config.scrape.connectTo !== undefined && { connectTo: config.scrape.connectTo }),
    routePolicy: createOutboundPolicy({
      allowPrivate: config.outbound.allowPrivate,
      allowedHosts: [],
      schemes: ['https:', 'http:'],
      allowKinds: APP_ROUTE_ADDRESS_KINDS,
      ...(options.resolveHost && { resolve: options.resolveHost }),
    }),
    skipSslValidation: config.cf.skipSslValidation,
  });
  // Token URLs are the tenants': held to the outbound policy on every connection.
  const outbound = createOutboundPolicy({
    allowPrivate: config.outbound.allowPrivate,
    allowedHosts: config.outbound.tokenHosts,
    ...(options.resolveHost && { resolve: options.resolveHost }),
  });
  const tokenAgent = createTokenAgent({ policy: outbound, skipSslValidation: config.cf.skipSslValidation });
  const recorder = new ScrapeRecorder();
  const scrapeLog = logger.child({ part: 'scrape' });
  const scrape = createScrapeService({
    recorder,
    fetch: {
      dispatcher: scrapeAgent,
      tokens: new OAuthTokens(tokenAgent, outbound, clock),
      maxBodyBytes: config.scrape.maxBodyBytes,
      // Every 4 MB of socket reads and zlib output copied into the arena, as they are: ~5 scavenges
      // for a 200 x 100 KB space of plain bodies (gzip ones leave a twentieth), against 20-30 MB less
      // at its peak.
      onBufferGarbage: createGarbageCollector(4 << 20),
      clock,
    },
    // One tenant may hold a quarter of the process's scrape slots at most (FairSemaphore).
    global: new FairSemaphore(
      config.scrape.globalConcurrency,
      Math.max(1, Math.floor(config.scrape.globalConcurrency / 4)),
    ),
    requestConcurrency: config.scrape.requestConcurrency,
    defaults: config.scrape,
    instanceStates: (appGuid) => discovery.instanceStates(appGuid),
    onFailure: (reason, detail) => {
      metrics.scrapeFailures.inc({ reason });
      if (detail !== undefined) scrapeLog.debug({ reason, detail }, 'instance scrape failed');
    },
    onDeadlineUse: (share) => metrics.deadlineUse.observe(share),
    onPoolTrim: createIdleCollector({ trimMalloc: true }),
    clock,
  });
  const authenticate = createAuthenticator({
    bindings,
    keys,
    limiter: new FailureLimiter({ clock }),
    tarpit: new Tarpit(),
    jwt: config.xsuaa.credentials
      ? createXsuaaVerifier(config.xsuaa.credentials, config.xsuaa.readScope)
      : undefined,
    onFailure: (reason) => metrics.authFailures.inc({ reason }),
  });

  let boundUrl = '';
  const dashboardAgent = new Agent({
    keepAliveTimeout: 30_000,
    ...(config.cf.skipSslValidation && { connect: { rejectUnauthorized: false } }),
  });
  const dashboard = composeDashboard({
    config,
    keys,
    clock,
    logger: logger.child({ part: 'dashboard' }),
    dispatcher: dashboardAgent,
    cc,
    publicUrl: () => config.scraperPublicUrl || boundUrl,
    sources: { bindings: () => bindings.snapshot(), discovery, recorder },
  });

  const server = createServer(
    { keepAliveTimeout: 65_000 },
    createHandler({
      authenticate,
      discovery,
      scrape,
      fanouts: new SingleFlight<Rendered>(),
      metrics,
      databaseReady: async () => {
        await db.raw('select 1');
        return true;
      },
      publicUrl: config.scraperPublicUrl,
      logger: logger.child({ part: 'http' }),
      ...(dashboard && { dashboard }),
    }),
  );
  // Listen first: a taken port fails fast, before any connection is opened.
  await listen(server, options.port ?? config.port, options.host);
  const port = (server.address() as AddressInfo).port;
  boundUrl = `http://127.0.0.1:${port}`;

  const closeParts = async () => {
    await discovery.stop().catch(() => {});
    await bindings.stop().catch(() => {});
    await cc.close().catch(() => {});
    await Promise.all([scrapeAgent.close(), tokenAgent.close(), dashboardAgent.close()]).catch(() => {});
  };
  try {
    await bindings.start();
    await discovery.start();
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeParts();
    throw err;
  }
  logger.info({ port }, 'scraper listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        await drain(server, graceMs);
        await closeParts();
      })();
      return closing;
    },
  };
}

/** Who discovered the stored view: the CF app instance, else host and pid. */
function instanceName(config: Readonly<Config>): string {
  if (config.cfApp) return `${config.cfApp.name}/${config.cfApp.instanceIndex}`;
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stop accepting, close idle keep-alive sockets, give in-flight requests `graceMs`, then cut the rest. */
async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, graceMs);
    }),
  ]);
  clearTimeout(timer);
  await closed;
}
