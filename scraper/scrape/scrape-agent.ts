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
 * One undici Agent for all scrapes: it keeps one keep-alive pool per origin (route host), which is what
 * makes 200 instances behind one gorouter cheap. With `connectTo` the connector swaps only the TCP
 * destination; undici still derives Host and the TLS server name from the URL.
 */
export function createScrapeAgent(options: ScrapeAgentOptions): Agent {
  const tls = { rejectUnauthorized: !options.skipSslValidation, timeout: options.connectTimeoutMs ?? 10_000 };
  const to = options.connectTo === undefined ? undefined : parseHostPort(options.connectTo);
  let connect: buildConnector.connector;
  if (to) {
    const base = buildConnector(tls);
    connect = (opts, callback) => base({ ...opts, hostname: to.host, port: to.port }, callback);
  } else {
    connect = options.routePolicy ? guardedConnector(options.routePolicy, tls) : buildConnector(tls);
  }
  return new Agent({ connect, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
}

/** `host:port`, `[v6]:port`. The config layer validated the shape; this only splits it. */
export function parseHostPort(value: string): { host: string; port: string } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: value.slice(colon + 1) };
}
