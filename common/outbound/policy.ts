import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { type AddressClass, type AddressKind, classifyAddress, describeRefusal } from './address-ranges.ts';
import { type HostPattern, hostAllowed, normalizeHost, parseHostPattern } from './host-patterns.ts';

/**
 * The outbound policy for every URL a tenant names (today a binding's `auth.token_url`): the broker
 * applies it at bind, the scraper again at connect time on the address actually dialled, so a name that
 * resolves differently later (DNS rebinding) cannot get past it. One rule, one place.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. Injectable so tests never ask a real DNS server. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface OutboundPolicyOptions {
  /** OUTBOUND_ALLOW_PRIVATE: plain http and any address (local mode and tests only). */
  allowPrivate: boolean;
  /** OAUTH2_TOKEN_HOSTS; empty: any public host. Patterns as the config validated them. */
  allowedHosts: readonly string[];
  /** Default: the system resolver (getaddrinfo, so /etc/hosts counts), as a plain connect would use. */
  resolve?: HostResolver;
  /** Bound of one resolution; a slow DNS answer must not hold a bind request or a scrape. */
  resolveTimeoutMs?: number;
  /** Schemes allowed without OUTBOUND_ALLOW_PRIVATE. Default: https only (a token URL carries a secret). */
  schemes?: readonly string[];
  /** Non-public address kinds allowed all the same (see APP_ROUTE_ADDRESS_KINDS). Default: none. */
  allowKinds?: readonly AddressKind[];
}

/**
 * Where an app route may lead without SCRAPE_CONNECT_TO: a gorouter or its load balancer, which on an
 * on-premise foundation has a private address, or a container behind an internal route. Never loopback,
 * link-local (the cloud metadata service at 169.254.169.254), unspecified or multicast: a tenant controls
 * the DNS of its private domains, and a route pointing there would have the scraper fetch, and report
 * the first line of, something that is not an app.
 */
export const APP_ROUTE_ADDRESS_KINDS: readonly AddressKind[] = [
  'private',
  'shared (CGNAT)',
  'unique-local',
  'site-local',
];

export interface OutboundPolicy {
  /** Everything decidable without the network: scheme, credentials in the URL, allow-list, IP literals. */
  checkUrl(url: string): Verdict;
  /** checkUrl, then every address the host resolves to; a host that does not resolve is refused. */
  checkUrlResolved(url: string): Promise<Verdict>;
  /** The host a connection is about to dial (a name, or an IP literal that no lookup will see). */
  checkDial(protocol: string, hostname: string): Verdict;
  /** A `lookup` for net/tls connect: resolves through the policy's resolver and refuses forbidden answers. */
  readonly lookup: LookupFunction;
}

/** Thrown (or passed to a connect callback) when the policy refuses; `reason` is safe to show the tenant. */
export class OutboundRefusedError extends Error {
  readonly code = 'OUTBOUND_REFUSED';
  constructor(readonly reason: string) {
    super(`outbound connection refused: ${reason}`);
    this.name = 'OutboundRefusedError';
  }
}

export function isOutboundRefusal(error: unknown): error is OutboundRefusedError {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'OUTBOUND_REFUSED') return true;
  }
  return false;
}

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

export function createOutboundPolicy(options: OutboundPolicyOptions): OutboundPolicy {
  const { allowPrivate } = options;
  const patterns = options.allowedHosts.map((text) => {
    const parsed = parseHostPattern(text);
    // Dropping a bad pattern would widen the list (to "any host" when none is left): refuse to start.
    if (typeof parsed === 'string') throw new Error(`outbound policy: ${parsed}`);
    return parsed;
  });
  const resolve = options.resolve ?? systemResolver;
  const timeoutMs = options.resolveTimeoutMs ?? 2_000;
  const schemes = options.schemes ?? ['https:'];
  const allowKinds = options.allowKinds ?? [];
  const refused = (found: AddressClass): found is Extract<AddressClass, { public: false }> =>
    !found.public && !allowKinds.includes(found.kind);

  const checkDial = (protocol: string, hostname: string): Verdict => {
    if (!schemes.includes(protocol) && !(allowPrivate && protocol === 'http:'))
      return refuse('must use https');
    return checkHost(normalizeHost(unbracket(hostname)), patterns, allowPrivate, refused);
  };

  const checkUrl = (text: string): Verdict => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return refuse('must be an https URL');
    }
    if (url.username !== '' || url.password !== '') {
      return refuse('must not carry credentials (give them as client_id and client_secret)');
    }
    return checkDial(url.protocol, url.hostname);
  };

  const resolveChecked = async (hostname: string): Promise<readonly ResolvedAddress[]> => {
    const addresses = await withTimeout(resolve(hostname), timeoutMs, hostname);
    if (addresses.length === 0)
      throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
    if (!allowPrivate) {
      for (const { address } of addresses) {
        const found = classifyAddress(address);
        if (refused(found)) throw new OutboundRefusedError(describeRefusal(address, found, hostname));
      }
    }
    return addresses;
  };

  return {
    checkUrl,
    checkDial,
    async checkUrlResolved(text) {
      const first = checkUrl(text);
      if (!first.ok) return first;
      const host = normalizeHost(unbracket(new URL(text).hostname));
      if (isIP(host) !== 0) return OK;
      try {
        await resolveChecked(host);
        return OK;
      } catch (error) {
        if (error instanceof OutboundRefusedError) return refuse(error.reason);
        const code = (error as NodeJS.ErrnoException).code;
        return refuse(
          code === 'ETIMEOUT'
            ? `${host} did not resolve within ${timeoutMs} ms`
            : `${host} does not resolve${code ? ` (${code})` : ''}`,
        );
      }
    },
    lookup: (hostname, lookupOptions, callback) => {
      resolveChecked(hostname).then(
        (all) => {
          const family = familyOf(lookupOptions.family);
          const wanted = family === 0 ? all : all.filter((a) => a.family === family);
          const first = wanted[0];
          if (!first) {
            const error = Object.assign(new Error(`${hostname} has no IPv${family} address`), {
              code: 'ENOTFOUND',
            });
            return lookupOptions.all ? callback(error, []) : callback(error, '', 0);
          }
          if (lookupOptions.all) return callback(null, [...wanted]);
          callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => (lookupOptions.all ? callback(error, []) : callback(error, '', 0)),
      );
    },
  };
}

/** Names and IP literals, before any resolution: the allow-list first, then what the host itself says. */
function checkHost(
  host: string,
  patterns: readonly HostPattern[],
  allowPrivate: boolean,
  refused: (found: AddressClass) => found is Extract<AddressClass, { public: false }>,
): Verdict {
  if (host === '') return refuse('must name a host');
  if (patterns.length > 0 && !hostAllowed(host, patterns)) {
    return refuse(
      `${host} is not a host the operator allows (${patterns.map((p) => p.join('.')).join(', ')})`,
    );
  }
  if (allowPrivate) return OK;
  if (isIP(host) !== 0) {
    const found = classifyAddress(host);
    return refused(found) ? refuse(describeRefusal(host, found)) : OK;
  }
  // RFC 6761: resolvers must answer these with loopback, whatever DNS says.
  if (host === 'localhost' || host.endsWith('.localhost')) return refuse(`${host} is a loopback name`);
  return OK;
}

function familyOf(family: number | string | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

async function systemResolver(hostname: string): Promise<readonly ResolvedAddress[]> {
  const found = await dnsLookup(hostname, { all: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

async function withTimeout<T>(work: Promise<T>, ms: number, hostname: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${hostname}: no answer within ${ms} ms`), { code: 'ETIMEOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
