// The generative test's last word from a real Prometheus: random valid expositions and random byte
// mutations of them, each merged in front of a healthy neighbour into text and into OpenMetrics, are
// served as Prometheus targets; Prometheus must accept every merged body (up 1) and store the
// neighbour's sample from each. The parser-level properties are test/scraper/exposition/
// merge-mutations.property.test.ts; this one asks the reference itself, for a sample per run.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type ExpositionFormat, mergeExpositions } from '../../scraper/exposition/index.ts';
import { familiesArb, mutate, render, textStyleArb } from '../scraper/exposition/generated-expositions.ts';
import { eventually, hasBinary, type PrometheusServer, startPrometheus } from '../support/prometheus.ts';

const CASES = 120;
const OM = 'application/openmetrics-text; version=1.0.0';
const TEXT = 'text/plain; version=0.0.4';
const NEIGHBOUR = '# TYPE zz_neighbour_up gauge\nzz_neighbour_up 1\n';

const havePrometheus = hasBinary('prometheus');

interface Served {
  body: Buffer;
  contentType: string;
}

function merged(body: Buffer, from: ExpositionFormat, to: ExpositionFormat): Served {
  const r = mergeExpositions(
    [
      { body, contentType: from === 'openmetrics' ? OM : undefined, targetLabels: [], honorLabels: false },
      { body: Buffer.from(NEIGHBOUR), contentType: undefined, targetLabels: [], honorLabels: false },
    ],
    to,
  );
  const out = Buffer.concat(r.chunks);
  r.release();
  return { body: out, contentType: to === 'openmetrics' ? OM : TEXT };
}

describe.skipIf(!havePrometheus)(
  'Prometheus accepts every merged body of generated and mutated inputs',
  () => {
    let server: Server;
    let prometheus: PrometheusServer;
    const served: Served[] = [];

    beforeAll(async () => {
      const formats = fc.constantFrom<ExpositionFormat>('text', 'openmetrics');
      const cases = fc.sample(
        fc
          .tuple(familiesArb, formats, fc.boolean(), textStyleArb)
          .chain(([families, from, mutated, style]) => {
            const body = render(families, from, style);
            return fc.tuple(mutated ? mutate(body) : fc.constant(Buffer.from(body)), fc.constant(from));
          }),
        CASES,
      );
      for (const [body, from] of cases) {
        served.push(merged(body, from, 'text'), merged(body, from, 'openmetrics'));
      }
      server = createServer((req, res) => {
        const item = served[Number(req.url?.slice('/case/'.length))];
        if (!item) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': item.contentType });
        res.end(item.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      prometheus = await startPrometheus(
        stringify({
          global: { scrape_interval: '1s', scrape_timeout: '1s' },
          scrape_configs: [
            {
              job_name: 'merged',
              static_configs: served.map((_, i) => ({
                targets: [address],
                labels: { __metrics_path__: `/case/${i}`, case: String(i) },
              })),
            },
          ],
        }),
      );
    }, 60_000);

    afterAll(async () => {
      await prometheus?.stop();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    });

    it('every target is up and its neighbour sample stored', async () => {
      await eventually(
        async () =>
          (await prometheus.query('count(up{job="merged"})'))[0]?.value[1] === String(served.length)
            ? true
            : undefined,
        60_000,
        'every case scraped once',
      );
      // One more round, so each target has been scraped at least twice.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const down = await prometheus.query('up{job="merged"} == 0');
      const refused = down.map((d) => {
        const item = served[Number(d.metric.case)];
        return `case ${d.metric.case} (${item?.contentType}):\n${item?.body.toString('latin1').slice(0, 400)}`;
      });
      expect(refused).toEqual([]);
      const neighbours = await prometheus.query('count(zz_neighbour_up{job="merged"})');
      expect(neighbours[0]?.value[1]).toBe(String(served.length));
      console.info(
        `Prometheus accepted ${served.length} merged bodies (${CASES} generated inputs × 2 formats)`,
      );
    }, 90_000);
  },
);
