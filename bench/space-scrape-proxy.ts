// Baselines for bench/space-scrape.bench.ts, run as their own process: the floor of any merging endpoint.
// Every route fetches all instance bodies of a target list concurrently (all at once) through the
// gorouter, with the same X-CF-APP-INSTANCE headers, over a keep-alive pool (undici):
//   GET /concat?list=N       plain bodies, their concatenation streamed back in instance order as soon as
//                            each body and all before it are in (the plain path's baseline);
//   GET /concat-gzip?list=N  bodies asked for gzip, each inflated as it arrives (large ones on the threadpool), the
//                            concatenation deflated as one gzip stream at level 1, streamed as it comes
//                            (the production path's baseline);
//   GET /discard?list=N      plain bodies fetched and thrown away (information).
// No parsing, no labels. Input: env TARGETS_FILE (JSON: an array of target lists [{url, instanceHeader,
// accept}]), CONNECT_TO (host:port); prints {"port":N}.
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { constants, createGzip, gunzip as gunzipCallback, gunzipSync } from 'node:zlib';
import { Agent, buildConnector } from 'undici';

interface Target {
  url: string;
  instanceHeader: string;
  accept: string;
}

const gunzip = promisify(gunzipCallback);
const lists = JSON.parse(readFileSync(process.env.TARGETS_FILE ?? '', 'utf8')) as Target[][];
const [host, port] = (process.env.CONNECT_TO ?? '').split(':');
const base = buildConnector({ rejectUnauthorized: false });
const agent = new Agent({
  connect: (opts, cb) => base({ ...opts, hostname: host ?? '127.0.0.1', port: port ?? '80' }, cb),
  keepAliveTimeout: 60_000,
  pipelining: 1,
});

/**
 * One body, collected through undici's dispatch API: its pieces kept as they arrive and joined once,
 * with no stream or promise per piece (request()'s body stream cost more CPU per 100 KB body than the
 * bytes themselves). The scraper collects its bodies the same way (scraper/scrape/collect-response.ts).
 */
function collect(t: Target, gzip: boolean): Promise<{ body: Buffer; gzipped: boolean }> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let gzipped = false;
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: {
          accept: t.accept,
          'accept-encoding': gzip ? 'gzip' : 'identity',
          'x-cf-app-instance': t.instanceHeader,
        },
      },
      {
        // undici tells this handler API from its older one by onRequestStart.
        onRequestStart() {},
        onResponseStart(_c, _status, headers) {
          gzipped = headers['content-encoding'] === 'gzip';
        },
        onResponseData(_c, chunk) {
          parts.push(chunk);
          size += chunk.length;
        },
        onResponseEnd() {
          resolve({ body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size), gzipped });
        },
        onResponseError(_c, err) {
          reject(err);
        },
      },
    );
  });
}

async function fetchBody(t: Target, gzip: boolean): Promise<Buffer> {
  const { body, gzipped } = await collect(t, gzip);
  if (gzipped) {
    // As fast as zlib goes: small bodies inflate synchronously (the async API's per-call overhead is
    // larger than their inflate), large ones on the threadpool, concurrently.
    return body.length <= 64 << 10 ? gunzipSync(body) : gunzip(body);
  }
  return body;
}

async function writeAll(out: NodeJS.WritableStream, bodies: Promise<Buffer>[]): Promise<void> {
  for (const body of bodies) {
    if (!out.write(await body)) await new Promise((r) => out.once('drain', r));
  }
  out.end();
}

async function handle(url: URL, res: ServerResponse): Promise<void> {
  const targets = lists[Number(url.searchParams.get('list') ?? 0)] ?? [];
  if (url.pathname === '/discard') {
    let bytes = 0;
    for (const b of await Promise.all(targets.map((t) => fetchBody(t, false)))) bytes += b.length;
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end(`${bytes}\n`);
  }
  const gzip = url.pathname === '/concat-gzip';
  const bodies = targets.map((t) => fetchBody(t, gzip));
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    ...(gzip && { 'content-encoding': 'gzip' }),
  });
  if (!gzip) return writeAll(res, bodies);
  const deflater = createGzip({ level: constants.Z_BEST_SPEED, chunkSize: 256 << 10 });
  deflater.pipe(res);
  return writeAll(deflater, bodies);
}

const server = createServer((req, res) => {
  handle(new URL(req.url ?? '/', 'http://proxy'), res).catch((err: unknown) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(err));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void agent.close().then(() => process.exit(0));
});
