import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants } from 'node:zlib';
import { negotiateFormat } from '../exposition/index.ts';
import type { ScrapeJob } from '../scrape/index.ts';
import { gzipMembers } from './gzip-members.ts';
import type { HttpDeps } from './http-deps.ts';
import { type Rendered, sendRendered } from './respond.ts';
import { StreamedAnswer } from './stream-answer.ts';

/**
 * Level 1, by measurement (bench/space-scrape.bench.ts prints the table): merged metrics text compresses
 * ~25x even at the fastest level, and each level up costs far more CPU than the bytes it saves.
 */
const GZIP = { level: constants.Z_BEST_SPEED, concurrency: 4 };

/**
 * Scrapes the jobs and answers with the merged exposition in the caller's preferred format. `scope`
 * names what the caller sees (space + visible bindings); with format and encoding it is the key under
 * which concurrent identical requests share one fan-out.
 */
export async function serveMerged(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  scope: string,
  jobs: readonly ScrapeJob[],
): Promise<void> {
  const negotiated = negotiateFormat(header(req, 'accept'));
  const wantGzip = acceptsGzip(header(req, 'accept-encoding'));
  const key = `${scope}|${negotiated.format}|${wantGzip ? 'gzip' : 'identity'}`;
  const flight = deps.fanouts.run(key, async () => {
    const merged = await deps.scrape.scrape(jobs, {
      format: negotiated.format,
      prometheusTimeout: header(req, 'x-prometheus-scrape-timeout-seconds'),
      targetGzip: wantGzip,
    });
    const up = merged.reports.filter((r) => r.up).length;
    deps.metrics.instanceScrapes.inc({ outcome: 'up' }, up);
    deps.metrics.instanceScrapes.inc({ outcome: 'down' }, merged.reports.length - up);
    if (merged.conflictsDropped > 0) deps.metrics.typeConflicts.inc(merged.conflictsDropped);
    if (!wantGzip) {
      // Written as the sockets of every caller sharing the flight take it.
      return {
        status: 200,
        contentType: negotiated.contentType,
        encoding: undefined,
        bytes: merged.bytes,
        body: { stream: new StreamedAnswer(merged, merged.windows, merged.release) },
      } satisfies Rendered;
    }
    // Written window by window, each compressed on the threadpool while the next is written; the
    // merge's memory goes back once the last is written.
    const zipped = await gzipMembers(merged, {
      ...GZIP,
      windows: merged.windows,
      onConsumed: merged.release,
    });
    let bytes = 0;
    for (const member of zipped) bytes += member.length;
    return {
      status: 200,
      contentType: negotiated.contentType,
      encoding: 'gzip',
      bytes,
      body: { chunks: zipped },
    } satisfies Rendered;
  });
  deps.metrics.cacheLookups.inc({ cache: 'fanout', result: flight.shared ? 'hit' : 'miss' });
  sendRendered(res, await flight.promise);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** gzip listed and not refused with q=0. */
export function acceptsGzip(value: string | undefined): boolean {
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.split(';');
    const name = coding?.trim().toLowerCase();
    if (name !== 'gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
