import { randomUUID } from 'node:crypto';
import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { TLSSocket } from 'node:tls';
import { INSTANCE_HEADER } from '../apps/instance-server.ts';
import type { RouteTable } from './route-table.ts';

// Forwarding as gorouter does it: request streamed to the chosen backend, response streamed back untouched
// (no decompression, no buffering), X-Forwarded-* and X-Vcap-Request-Id added.

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Backend {
  host: string;
  port: number;
}

export function createProxyHandler(
  table: RouteTable,
  backend: Backend,
): {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  agent: Agent;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const rawInstance = req.headers['x-cf-app-instance'];
    const instanceHeader = Array.isArray(rawInstance) ? rawInstance.join(',') : rawInstance;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const decision = table.decide(req.headers.host, path, instanceHeader);
    if (decision.kind === 'error') {
      req.resume();
      return routerError(res, decision.status, decision.routerError, decision.body);
    }
    const tls = (req.socket as TLSSocket).encrypted === true;
    const headers = forwardHeaders(req.headers);
    headers['x-forwarded-proto'] = tls ? 'https' : 'http';
    headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    headers['x-vcap-request-id'] = randomUUID();
    headers['x-request-start'] = String(Date.now());
    headers[INSTANCE_HEADER] = decision.instance.id;

    const upstream = request({
      host: backend.host,
      port: backend.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    upstream.on('response', (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, out);
      up.pipe(res);
      up.on('error', () => res.destroy());
      // A backend that dies mid-body cuts the client connection, as a proxy must not fake an end.
      up.on('aborted', () => res.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      routerError(
        res,
        502,
        `endpoint_failure (${describe(err)})`,
        '502 Bad Gateway: Registered endpoint failed to handle the request.\n',
      );
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
  return { handler, agent };
}

function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(incoming)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === INSTANCE_HEADER) continue;
    out[k] = v;
  }
  return out;
}

function describe(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNRESET' || err.message === 'socket hang up') return 'EOF';
  if (err.code === 'ECONNREFUSED') return 'dial tcp: connect: connection refused';
  return err.code ?? err.message;
}

function routerError(res: ServerResponse, status: number, routerError: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-cf-routererror': routerError,
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
