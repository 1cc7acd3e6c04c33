// Baseline for bench/space-scrape.bench.ts, run as its own process: the floor of any merging endpoint.
// GET /concat fetches every instance body concurrently through the gorouter (same X-CF-APP-INSTANCE
// headers, keep-alive pool, undici) and streams the plain concatenation back in instance order, with no
// parsing and no labels. GET /discard fetches the same bodies and throws them away.
// Input: env TARGETS_FILE (JSON [{url, instanceHeader}]), CONNECT_TO (host:port), prints {"port":N}.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, buildConnector, request } from 'undici';

interface Target {
  url: string;
  instanceHeader: string;
}

const targets = JSON.parse(readFileSync(process.env.TARGETS_FILE ?? '', 'utf8')) as Target[];
const [host, port] = (process.env.CONNECT_TO ?? '').split(':');
const base = buildConnector({ rejectUnauthorized: false });
const agent = new Agent({
  connect: (opts, cb) => base({ ...opts, hostname: host ?? '127.0.0.1', port: port ?? '80' }, cb),
  keepAliveTimeout: 30_000,
});
const ACCEPT = 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1';

function fetchBody(t: Target): Promise<Buffer> {
  return request(t.url, {
    dispatcher: agent,
    headers: { accept: ACCEPT, 'x-cf-app-instance': t.instanceHeader },
  }).then(async (res) => Buffer.from(await res.body.arrayBuffer()));
}

const server = createServer(async (req, res) => {
  try {
    const bodies = targets.map(fetchBody);
    if (req.url === '/discard') {
      let bytes = 0;
      for (const b of await Promise.all(bodies)) bytes += b.length;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`${bytes}\n`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    // Stream each body as soon as it and all before it have arrived.
    for (const body of bodies) {
      const chunk = await body;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  } catch (err) {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(err));
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void agent.close().then(() => process.exit(0));
});
