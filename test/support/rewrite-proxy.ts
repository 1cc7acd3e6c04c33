import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import { listenTracked } from '../../sandbox/net/listen.ts';

/** Where one request goes: an absolute http URL, and headers to set (or, with `undefined`, to drop). */
export interface ProxyTarget {
  url: string;
  headers: Record<string, string | undefined>;
}

export interface RewriteProxy {
  /** `host:port`, as a Prometheus static target. */
  address: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'host']);

/**
 * A loopback forward proxy that picks its upstream by path and rewrites headers on the way: Prometheus
 * 2.42 can neither set a header per target (`X-CF-APP-INSTANCE`, a service key per space) nor choose
 * the Accept it sends. Bodies stream through untouched, gzip included, so Prometheus parses the bytes
 * the upstream wrote. `route` answering undefined gives 404.
 */
export async function startRewriteProxy(
  route: (path: string, headers: IncomingHttpHeaders) => ProxyTarget | undefined,
): Promise<RewriteProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const target = route(req.url ?? '/', req.headers);
    if (!target) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('no route\n');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    for (const [k, v] of Object.entries(target.headers)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const url = new URL(target.url);
    const upstream = request({
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers,
      agent,
    });
    upstream.on('response', (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream failed\n');
    });
    req.pipe(upstream);
  });
  const listening = await listenTracked(server);
  return {
    address: `127.0.0.1:${listening.port}`,
    async close() {
      await listening.close();
      agent.destroy();
    },
  };
}
