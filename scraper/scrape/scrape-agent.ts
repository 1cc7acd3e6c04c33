import { Agent, buildConnector } from 'undici';

export interface ScrapeAgentOptions {
  /** `host:port` every connection goes to (SCRAPE_CONNECT_TO); the URL's host stays Host header and SNI. */
  connectTo?: string;
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
  const base = buildConnector({
    rejectUnauthorized: !options.skipSslValidation,
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  const to = options.connectTo === undefined ? undefined : parseHostPort(options.connectTo);
  const connect: buildConnector.connector = to
    ? (opts, callback) => base({ ...opts, hostname: to.host, port: to.port }, callback)
    : base;
  return new Agent({ connect, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
}

/** `host:port`, `[v6]:port`. The config layer validated the shape; this only splits it. */
export function parseHostPort(value: string): { host: string; port: string } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: value.slice(colon + 1) };
}
