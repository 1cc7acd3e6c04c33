import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createOutboundPolicy } from '../../../common/outbound/policy.ts';
import type { DiscoveredTarget } from '../../../scraper/discovery/types.ts';
import { classifyError, routerReason } from '../../../scraper/scrape/classify-error.ts';
import { scrapeBudgetMs } from '../../../scraper/scrape/deadline.ts';
import { instanceRequest } from '../../../scraper/scrape/instance-request.ts';
import { mergeSpace, readAnswer } from '../../../scraper/scrape/merge-space.ts';
import { OAuthTokens } from '../../../scraper/scrape/oauth-tokens.ts';
import { Semaphore } from '../../../scraper/scrape/semaphore.ts';
import { SingleFlight } from '../../../scraper/scrape/single-flight.ts';

const GUID = '6f1a7e3c-0d2b-4c5e-9f8a-1b2c3d4e5f60';

function target(route: DiscoveredTarget['route']): DiscoveredTarget {
  return {
    target: {
      bindingId: 'b',
      instanceId: 'i',
      appGuid: GUID,
      path: '/metrics',
      scheme: 'https',
      auth: { type: 'none' },
      labels: {},
      honorLabels: false,
    },
    status: 'scrapable',
    app: { guid: GUID, name: 'a', state: 'STARTED' },
    space: { guid: 's', name: 's' },
    org: { guid: 'o', name: 'o' },
    route,
    instances: 2,
  };
}

describe('instanceRequest', () => {
  it.each([
    [
      { host: 'a.apps.example.com', path: '', internal: false },
      `https://a.apps.example.com/metrics`,
      `${GUID}:1`,
    ],
    [
      { host: 'a.apps.example.com', path: '/api', internal: false },
      `https://a.apps.example.com/api/metrics`,
      `${GUID}:1`,
    ],
    [
      { host: 'a.apps.example.com', path: '/api//', internal: false },
      `https://a.apps.example.com/api/metrics`,
      `${GUID}:1`,
    ],
    [
      { host: 'a.apps.example.com', path: '/', internal: false },
      `https://a.apps.example.com/metrics`,
      `${GUID}:1`,
    ],
    [
      { host: 'a.apps.internal', path: '', internal: true, port: 9090 },
      'https://1.a.apps.internal:9090/metrics',
      undefined,
    ],
  ])('%j', (route, url, header) => {
    expect(instanceRequest(target(route), 1)).toEqual({ url, instanceHeader: header });
  });

  it('keeps a run of slashes inside a route path, trimming only the trailing ones', () => {
    const path = `/${'/'.repeat(10_000)}x//`;
    const route = { host: 'a.apps.example.com', path, internal: false };
    expect(instanceRequest(target(route), 1)?.url).toBe(
      `https://a.apps.example.com/${'/'.repeat(10_000)}x/metrics`,
    );
  });
});

describe('failure reasons', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, false, 'refused'],
    [{ code: 'UND_ERR_SOCKET' }, false, 'connection_reset'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, false, 'tls'],
    [{ code: 'UND_ERR_ABORTED' }, true, 'timeout'],
    [new Error('x'), false, 'network'],
  ])('%j (timed out: %s) → %s', (err, timedOut, reason) => {
    expect(classifyError(err, timedOut)).toBe(reason);
  });
  it.each([
    ['unknown_route', 'router_unknown_route'],
    ['endpoint_failure (EOF)', 'router_endpoint_failure'],
    [undefined, undefined],
  ])('router error %s → %s', (header, reason) => {
    expect(routerReason(header)).toBe(reason);
  });
});

describe('scrape deadline', () => {
  const d = { defaultTimeoutMs: 10_000, timeoutMarginMs: 500 };
  it.each([
    ['5', 3_000, 4_500],
    [undefined, 3_000, 3_000],
    [undefined, undefined, 10_000],
    ['garbage', undefined, 10_000],
    ['0.3', undefined, 100],
  ])('header %s, binding %s → %s ms', (header, binding, ms) => {
    expect(scrapeBudgetMs(header, binding, d)).toBe(ms);
  });
});

describe('mergeSpace', () => {
  const labels = (i: number) =>
    [
      ['app_name', 'a'],
      ['cf_instance_number', String(i)],
    ] as const;
  it('adds up/duration/samples per instance and a failure series with the reason', () => {
    const merged = mergeSpace(
      [
        {
          labels: labels(0),
          honorLabels: false,
          outcome: { ok: true, body: Buffer.from('x 1\ny 2\n'), contentType: undefined, durationMs: 12 },
        },
        { labels: labels(1), honorLabels: false, outcome: { ok: false, reason: 'timeout', durationMs: 900 } },
        {
          labels: labels(2),
          honorLabels: false,
          outcome: { ok: true, body: Buffer.from('x{ 1\n'), contentType: undefined, durationMs: 1 },
        },
      ],
      'text',
    );
    const text = readAnswer(merged).toString();
    expect(text).toContain('x{app_name="a",cf_instance_number="0"} 1');
    expect(text).toContain('promregator_up{app_name="a",cf_instance_number="0"} 1');
    expect(text).toContain('promregator_up{app_name="a",cf_instance_number="1"} 0');
    expect(text).toContain('promregator_scrape_samples{app_name="a",cf_instance_number="0"} 2');
    expect(text).toContain(
      'promregator_scrape_failure{app_name="a",cf_instance_number="1",reason="timeout"} 1',
    );
    expect(text).toContain(
      'promregator_scrape_failure{app_name="a",cf_instance_number="2",reason="unparsable"} 1',
    );
    expect(merged.bytes).toBe(Buffer.byteLength(text));
    expect(merged.reports[2]).toMatchObject({ up: false, reason: 'unparsable' });
    expect(merged.reports[2]?.detail).toMatch(/^line 1: .* in "x\{ 1"$/);
  });
  it('OpenMetrics output ends with exactly one # EOF', () => {
    const merged = mergeSpace(
      [
        {
          labels: labels(0),
          honorLabels: false,
          outcome: { ok: true, body: Buffer.from('x 1\n'), contentType: undefined, durationMs: 1 },
        },
      ],
      'openmetrics',
    );
    const text = readAnswer(merged).toString();
    expect(text.match(/# EOF/g)).toHaveLength(1);
    expect(text.endsWith('# EOF\n')).toBe(true);
  });
  it('keeps one family per synthetic name when an app exposes the same name itself', () => {
    const body = '# TYPE promregator_up gauge\npromregator_up 1\n# TYPE other gauge\nother 3\n';
    for (const format of ['text', 'openmetrics'] as const) {
      const merged = mergeSpace(
        [0, 1].map((i) => ({
          labels: labels(i),
          honorLabels: false,
          outcome: { ok: true, body: Buffer.from(body), contentType: undefined, durationMs: 1 },
        })),
        format,
      );
      const text = readAnswer(merged).toString();
      expect(text.match(/# TYPE promregator_up /g)).toHaveLength(1);
      expect(text.match(/^promregator_up\{/gm)).toHaveLength(2);
      expect(text).toContain('promregator_scrape_samples{app_name="a",cf_instance_number="1"} 1');
      if (format === 'openmetrics') {
        expect(text.match(/# EOF/g)).toHaveLength(1);
        expect(text.endsWith('# EOF\n')).toBe(true);
      }
    }
  });
});

describe('concurrency primitives', () => {
  it('Semaphore never runs more than its limit', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        sem.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(sem.inFlight).toBe(0);
  });
  it('SingleFlight shares concurrent calls and forgets settled ones', async () => {
    const sf = new SingleFlight<number>();
    let calls = 0;
    const task = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return calls;
    };
    const a = sf.run('k', task);
    const b = sf.run('k', task);
    expect([a.shared, b.shared]).toEqual([false, true]);
    expect(await Promise.all([a.promise, b.promise])).toEqual([1, 1]);
    expect(await sf.run('k', task).promise).toBe(2);
    expect(sf.size).toBe(0);
  });
});

describe('OAuthTokens', () => {
  it('fetches once for concurrent scrapes, caches until shortly before expiry, retries after failure', async () => {
    let now = 1_000_000;
    let requests = 0;
    let fail = false;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      setTimeout(() => {
        res.writeHead(fail ? 401 : 200, { 'content-type': 'application/json' });
        res.end(
          fail
            ? '{"error":"invalid_client"}'
            : JSON.stringify({ access_token: `t${requests}`, expires_in: 600 }),
        );
      }, 10);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new Agent();
    try {
      // The endpoint lives on loopback: the tests' allowance.
      const policy = createOutboundPolicy({ allowPrivate: true, allowedHosts: [] });
      const tokens = new OAuthTokens(agent, policy, () => now);
      const client = {
        tokenUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`,
        clientId: 'c',
        clientSecret: 's',
      };
      const deadline = () => now + 5_000;
      const got = await Promise.all([1, 2, 3].map(() => tokens.get(client, deadline())));
      expect(got).toEqual([1, 2, 3].map(() => ({ ok: true, token: 't1' })));
      now += 500_000;
      expect(await tokens.get(client, deadline())).toEqual({ ok: true, token: 't1' });
      now += 50_000; // within the last minute before expiry: renewed
      expect(await tokens.get(client, deadline())).toEqual({ ok: true, token: 't2' });
      tokens.invalidate(client);
      fail = true;
      expect(await tokens.get(client, deadline())).toEqual({ ok: false, reason: 'auth_token' });
      fail = false;
      expect(await tokens.get(client, deadline())).toEqual({ ok: true, token: 't4' });
      expect(requests).toBe(4);
    } finally {
      await agent.close();
      server.close();
    }
  });
});
