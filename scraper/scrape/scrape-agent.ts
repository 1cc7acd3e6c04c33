import { createSecureContext } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import type { OutboundPolicy } from '../../common/outbound/policy.ts';
import { guardedConnector } from './guarded-connector.ts';

export interface ScrapeAgentOptions {
  /** `host:port` every connection goes to (SCRAPE_CONNECT_TO); the URL's host stays Host header and SNI. */
  connectTo?: string;
  /**
   * Without connectTo, where a route's host may lead (APP_ROUTE_ADDRESS_KINDS): tenants control the DNS
   * of their private domains. Not applied with connectTo, whose destination the operator chose.
   */
  routePolicy?: OutboundPolicy;
  /** CF_SKIP_SSL_VALIDATION: accept self-signed certificates of test landscapes. */
  skipSslValidation: boolean;
  connectTimeoutMs?: number;
}

/**
 * An idle connection is closed after this long, whatever the server's Keep-Alive hint says. Longer than
 * the scrape intervals Prometheus is usually run with (15–30 s), so regular scrapes reuse their
 * connections; bounded, because an idle TLS connection holds ~90 KB (bench/memory.bench.ts): the 520
 * instances of that benchmark's spaces held ~45 MB for as long as their connections stayed open.
 */
const IDLE_CONNECTION_MS = 30_000;

/**
 * One undici Agent for all scrapes: it keeps one keep-alive pool per origin (route host), which is what
 * makes 200 instances behind one gorouter cheap. With `connectTo` the connector swaps only the TCP
 * destination; undici still derives Host and the TLS server name from the URL.
 */
export function createScrapeAgent(options: ScrapeAgentOptions): Agent {
  const tls = {
    rejectUnauthorized: !options.skipSslValidation,
    timeout: options.connectTimeoutMs ?? 10_000,
    // One TLS context for every connection (each would otherwise get a context of its own, ~14 KB held
    // per open connection); certificates are still verified per connection.
    secureContext: createSecureContext(),
  };
  const to = options.connectTo === undefined ? undefined : parseHostPort(options.connectTo);
  let connect: buildConnector.connector;
  if (to) {
    const base = buildConnector(tls);
    connect = (opts, callback) => base({ ...opts, hostname: to.host, port: to.port }, callback);
  } else {
    connect = options.routePolicy ? guardedConnector(options.routePolicy, tls) : buildConnector(tls);
  }
  return new Agent({
    connect,
    keepAliveTimeout: IDLE_CONNECTION_MS,
    keepAliveMaxTimeout: IDLE_CONNECTION_MS,
  });
}

/** `host:port`, `[v6]:port`. The config layer validated the shape; this only splits it. */
export function parseHostPort(value: string): { host: string; port: string } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: value.slice(colon + 1) };
}
