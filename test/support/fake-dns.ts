import type { HostResolver, ResolvedAddress } from '../../common/outbound/policy.ts';

/** A public address that no test ever dials: names resolving to it only pass the policy. */
export const PUBLIC_V4 = '93.184.215.14';
export const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

export interface FakeDns {
  resolve: HostResolver;
  /** Names looked up so far, in order. */
  asked: string[];
  /** Answers by name; change them to simulate a record that changes between two lookups. */
  table: Record<string, readonly string[]>;
}

/**
 * A resolver answering from a table, so tests never ask a real DNS server. Names not in the table get
 * `fallback` when given, else fail as getaddrinfo does (ENOTFOUND).
 */
export function fakeDns(table: Record<string, readonly string[]>, fallback?: readonly string[]): FakeDns {
  const dns: FakeDns = {
    asked: [],
    table: { ...table },
    resolve: async (hostname) => {
      dns.asked.push(hostname);
      const answers = dns.table[hostname] ?? fallback;
      if (!answers) {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      }
      return answers.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
  return dns;
}
