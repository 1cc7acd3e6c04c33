import type { Config } from './types.ts';

/**
 * Built-in defaults, the lowest layer. The service and plan ids are fixed GUIDs so a re-deployed broker
 * keeps its identity; operators running two brokers on one foundation override them (ids must be unique
 * across the whole CF).
 */
export function defaultConfig(): Omit<Config, 'role'> {
  return {
    port: 8080,
    logLevel: 'info',
    database: { poolMax: 10, acquireTimeoutMs: 5_000 },
    broker: {
      username: '',
      password: '',
      catalog: {
        serviceId: 'a4b5c6d0-6e0f-4f8a-9c57-1d0e5f3b7a21',
        serviceName: 'promregator',
        planId: '3f1c9b2e-8d47-4a6b-b0f5-7c2e9d4a1b63',
        planName: 'standard',
        maintenanceVersion: '1.0.0',
        documentationUrl: 'https://github.com/promregator/promregator',
      },
    },
    // Empty: unknown. The scraper then answers discovery with the host it was reached by.
    scraperPublicUrl: '',
    credentialsKey: '',
    credentialsKeyPrevious: [],
    cf: { skipSslValidation: false },
    scrape: {
      defaultTimeoutMs: 10_000,
      timeoutMarginMs: 500,
      maxBodyBytes: 16 * 1024 * 1024,
      globalConcurrency: 256,
      // Instance fetches in flight per space scrape. Each open TLS connection carries its read buffers
      // (socket, OpenSSL, the body's pieces until joined): a 200 × 100 KB plain scrape peaked at
      // 161–167 MB with 64, 157 MB with 48, 154 MB with 32 (bench:memory). Fewer slow the gzip path, whose
      // targets take longer per answer (bench:space wall against its baseline: 64 → 1.41–1.49×, 48 →
      // 1.38×, 32 → 1.47–1.75×, 16 → 1.78×). 48 × a 300 ms instance answers 200 instances in ~1.5 s of the
      // 10 s timeout; SCRAPE_SPACE_CONCURRENCY raises it.
      requestConcurrency: 48,
    },
    // fullMs: at 10,000 bound apps a full discovery costs ~300 CC requests; hourly keeps the whole
    // foundation's discovery under 1,000 requests an hour with events read every 10 s (360).
    discovery: {
      ttlMs: 60_000,
      resyncMs: 300_000,
      guidsPerRequest: 100,
      eventsMs: 10_000,
      fullMs: 3_600_000,
      leaderRetryMs: 3_000,
    },
    xsuaa: { readScope: 'Read' },
    // Local mode turns allowPrivate on (validate.ts): its sandbox lives on loopback.
    outbound: { allowPrivate: false, tokenHosts: [] },
    // No client, no secret: the operator registers one; without it no dashboard_client is advertised.
    dashboard: { permissionTtlMs: 60_000, sessionTtlMs: 15 * 60_000 },
  };
}
