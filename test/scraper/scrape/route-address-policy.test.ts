import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROUTE_ADDRESS_KINDS, createOutboundPolicy } from '../../../common/outbound/policy.ts';
import { classifyError } from '../../../scraper/scrape/classify-error.ts';
import { createScrapeAgent } from '../../../scraper/scrape/scrape-agent.ts';
import { fakeDns } from '../../support/fake-dns.ts';

// Without SCRAPE_CONNECT_TO the scraper dials what a route's host resolves to, and a tenant controls
// the DNS of its private domains: a route must not lead the scraper to loopback or to the cloud metadata
// service (link-local), while private addresses (an on-premise gorouter, internal routes) stay reachable.
describe('where an app route may lead', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('up 1\n'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const policy = (allowPrivate: boolean) =>
    createOutboundPolicy({
      allowPrivate,
      allowedHosts: [],
      schemes: ['https:', 'http:'],
      allowKinds: APP_ROUTE_ADDRESS_KINDS,
      resolve: fakeDns({ 'loop.tenant.example': ['127.0.0.1'], 'meta.tenant.example': ['169.254.169.254'] })
        .resolve,
    });

  it.each([
    ['10.0.4.17', true],
    ['172.20.0.3', true],
    ['192.168.10.1', true],
    ['100.64.1.1', true],
    ['fd00::17', true],
    ['93.184.215.14', true],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['fe80::1', false],
    ['::1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
  ])('%s → %s', (address, allowed) => {
    const host = address.includes(':') ? `[${address}]` : address;
    expect(policy(false).checkDial('https:', host).ok).toBe(allowed);
    expect(policy(false).checkDial('http:', host).ok).toBe(allowed);
  });

  it('refuses a route resolving to loopback or link-local before dialling, as reason address_refused', async () => {
    const agent = createScrapeAgent({ routePolicy: policy(false), skipSslValidation: true });
    try {
      for (const host of ['loop.tenant.example', 'meta.tenant.example', '127.0.0.1']) {
        const error = await request(`http://${host}:${port}/metrics`, { dispatcher: agent }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(classifyError(error, false), host).toBe('address_refused');
      }
      expect(connections).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('with OUTBOUND_ALLOW_PRIVATE (local mode, tests) the same route is scraped', async () => {
    const agent = createScrapeAgent({ routePolicy: policy(true), skipSslValidation: true });
    try {
      const res = await request(`http://loop.tenant.example:${port}/metrics`, { dispatcher: agent });
      expect(await res.body.text()).toBe('up 1\n');
    } finally {
      await agent.close();
    }
  });
});
