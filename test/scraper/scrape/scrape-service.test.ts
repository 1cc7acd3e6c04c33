import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundPolicy } from '../../../common/outbound/policy.ts';
import type { DiscoveredTarget } from '../../../scraper/discovery/types.ts';
import { ChunkPool } from '../../../scraper/exposition/index.ts';
import { FairSemaphore } from '../../../scraper/scrape/fair-semaphore.ts';
import { readAnswer } from '../../../scraper/scrape/merge-space.ts';
import { OAuthTokens } from '../../../scraper/scrape/oauth-tokens.ts';
import { createScrapeService, type ScrapeJob } from '../../../scraper/scrape/scrape-service.ts';

const INSTANCES = 40;
const LINES = 30;
// Small slabs, so that bodies (~1 KB) of both spaces share few slabs and reuse them while scraping.
const SLAB = 8 * 1024;

/**
 * Instance `index` of app `tenant` answers LINES samples whose values name the instance: in one family
 * (large once labelled: the merge lets go of the body on arrival), or every third instance in a family
 * each (small families: the merge reads the body until it is written).
 */
function bodyOf(tenant: string, index: number): string {
  const one = index % 3 !== 0;
  let text = one ? `# HELP ${tenant}_metric Of ${tenant}.\n# TYPE ${tenant}_metric gauge\n` : '';
  for (let k = 0; k < LINES; k++) {
    const name = one ? `${tenant}_metric` : `${tenant}_metric_${k}`;
    if (!one) text += `# TYPE ${name} gauge\n`;
    text += `${name}{k="${k}"} ${index * 1000 + k}\n`;
  }
  return `${text}# TYPE ${tenant}_small counter\n${tenant}_small_total ${index}\n`;
}

describe('scrape service', () => {
  let server: Server;
  let port: number;
  const agent = new Agent();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const [guid, index] = String(req.headers['x-cf-app-instance']).split(':');
      // Answers in a shuffled order, so bodies of both scrapes arrive interleaved.
      setTimeout(
        () => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(bodyOf(String(guid).slice(0, 8), Number(index)));
        },
        (Number(index) * 7) % 13,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  function jobsOf(tenant: string): ScrapeJob[] {
    const target: DiscoveredTarget = {
      target: {
        bindingId: `binding-${tenant}`,
        instanceId: `instance-${tenant}`,
        appGuid: `${tenant}-0000-0000-0000-000000000000`,
        path: '/metrics',
        scheme: 'http',
        auth: { type: 'none' },
        labels: {},
        honorLabels: false,
      },
      status: 'scrapable',
      app: { guid: `${tenant}-0000-0000-0000-000000000000`, name: `app-${tenant}`, state: 'STARTED' },
      space: { guid: `space-${tenant}`, name: `space-${tenant}` },
      org: { guid: 'org', name: 'org' },
      route: { host: `127.0.0.1:${port}`, path: '', internal: false },
      instances: INSTANCES,
    };
    return Array.from({ length: INSTANCES }, (_, index) => ({ target, index }));
  }

  /** Every sample of `tenant`, exactly as its instances sent it, and nothing of anyone else. */
  function expectOnly(text: string, tenant: string, other: string): void {
    expect(text).not.toContain(other);
    const seen = new Set<string>();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${tenant}_metric`)) continue;
      const index = Number(/cf_instance_number="(\d+)"/.exec(line)?.[1]);
      const k = Number(/k="(\d+)"/.exec(line)?.[1]);
      expect(line.endsWith(` ${index * 1000 + k}`)).toBe(true);
      seen.add(`${index}/${k}`);
    }
    expect(seen.size).toBe(INSTANCES * LINES);
    for (let index = 0; index < INSTANCES; index++) {
      expect(text).toContain(`cf_instance_number="${index}"} ${index}\n`);
    }
  }

  it('never lets one space see bytes of another, with body slabs reused by concurrent scrapes', async () => {
    const bodyPool = new ChunkPool(64 * SLAB, SLAB);
    const service = createScrapeService({
      fetch: {
        dispatcher: agent,
        tokens: new OAuthTokens(agent, createOutboundPolicy({ allowPrivate: true, allowedHosts: [] })),
        maxBodyBytes: 1 << 20,
      },
      global: new FairSemaphore(16, 8),
      requestConcurrency: 6,
      defaults: { defaultTimeoutMs: 10_000, timeoutMarginMs: 500 },
      bodyPool,
      pool: new ChunkPool(16 << 20),
    });
    const a = jobsOf('aaaaaaaa');
    const b = jobsOf('bbbbbbbb');
    for (let round = 0; round < 4; round++) {
      const [ra, rb] = await Promise.all([
        service.scrape(a, { format: 'text', prometheusTimeout: undefined, targetGzip: round % 2 === 0 }),
        service.scrape(b, { format: 'openmetrics', prometheusTimeout: undefined, targetGzip: false }),
      ]);
      expectOnly(readAnswer(ra).toString(), 'aaaaaaaa', 'bbbbbbbb');
      // One answer is still unwritten while the next scrape of the other space reuses the slabs.
      const rc = await service.scrape(a, { format: 'text', prometheusTimeout: undefined });
      expectOnly(readAnswer(rb).toString(), 'bbbbbbbb', 'aaaaaaaa');
      expectOnly(readAnswer(rc).toString(), 'aaaaaaaa', 'bbbbbbbb');
    }
  });
});
