import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { clientGone, readBody, sleep } from '../net/http.ts';
import type { AppRecord, Foundation, InstanceRecord } from '../state.ts';
import type { TokenIssuer } from '../uaa/tokens.ts';
import { checkAppAuth } from './auth.ts';
import { GzipBombs, serveEndless, serveGzipBomb, serveMalformed, serveOversized } from './misbehaviour.ts';
import { acceptsGzip, CONTENT_TYPES, chooseFormat, type ExpositionFormat } from './negotiate.ts';
import { generatePayload } from './payload.ts';
import { PromClientInstance } from './prom-metrics.ts';

const gzip = promisify(gzipCb);

/**
 * All sample-app instances share one listener (thousands of instances would exhaust ports and memory
 * otherwise); the router names the target instance in this private header, which it strips from clients.
 */
export const INSTANCE_HEADER = 'x-sandbox-instance-id';

interface CachedBody {
  plain: Buffer;
  gzipped?: Buffer;
}

export function createInstanceHandler(
  foundation: Foundation,
  issuer: TokenIssuer,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Per-process state lives as long as the instance's container: dropped when it stops or restarts.
  const registries = new Map<string, PromClientInstance>();
  const payloads = new Map<string, Partial<Record<ExpositionFormat, CachedBody>>>();
  const bombs = new GzipBombs();
  foundation.onInstanceGone((id) => {
    registries.delete(id);
    payloads.delete(id);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = req.headers[INSTANCE_HEADER];
    if (typeof id !== 'string') return text(res, 404, 'no instance addressed\n');
    const inst = foundation.instancesById.get(id);
    const app = inst && foundation.apps.get(inst.appGuid);
    // A gone or crashed container: the connection just dies, which the router reports as 502.
    if (!inst || !app || inst.state !== 'RUNNING') return void req.socket.destroy();

    const auth = await checkAppAuth(req, app.auth, issuer);
    if (!auth.ok) {
      req.resume();
      res.writeHead(auth.status, {
        'www-authenticate': auth.challenge,
        'content-type': 'text/plain; charset=utf-8',
      });
      return void res.end(`${auth.reason}\n`);
    }
    const signal = clientGone(req, res);
    const b = inst.behavior;
    switch (b.kind) {
      case 'reset':
        return void req.socket.destroy();
      case 'hang':
        return;
      case 'status':
        return text(res, b.status, `instance ${inst.index} answers ${b.status}\n`);
      case 'redirect':
        res.writeHead(302, { location: b.location, 'content-type': 'text/plain; charset=utf-8' });
        return void res.end();
      case 'malformed':
        return serveMalformed(res);
      case 'oversized':
        return serveOversized(res, b.bytes, signal);
      case 'gzip-bomb':
        return serveGzipBomb(res, bombs, b.uncompressedBytes);
      case 'endless':
        return serveEndless(res, signal);
      case 'slow':
        await sleep(b.delayMs, signal);
        if (signal.aborted) return;
        break;
      case 'normal':
      case 'fixed-body':
        break;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === app.metrics.metricsPath) return metrics(req, res, app, inst);
    // gorouter forwards the full path, route path included: echo answers under any prefix.
    if (path?.endsWith('/_echo')) return echo(req, res, app, inst);
    if (path === '/') return text(res, 200, `Hello from ${app.name} instance ${inst.index}\n`);
    text(res, 404, 'Not Found\n');
  }

  async function metrics(
    req: IncomingMessage,
    res: ServerResponse,
    app: AppRecord,
    inst: InstanceRecord,
  ): Promise<void> {
    req.resume();
    const wantGzip = acceptsGzip(req);
    if (inst.behavior.kind === 'fixed-body') {
      const plain = Buffer.from(inst.behavior.bodyBase64, 'base64');
      const out = wantGzip ? await gzip(plain) : plain;
      const headers: Record<string, string | number> = {
        'content-type': inst.behavior.contentType,
        'content-length': out.length,
      };
      if (wantGzip) headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers);
      return void res.end(out);
    }
    const format = chooseFormat(req.headers.accept);
    let body: Buffer;
    let compressed: Buffer | undefined;
    if (app.metrics.format === 'payload') {
      const perInstance = payloads.get(inst.id) ?? {};
      payloads.set(inst.id, perInstance);
      let cached = perInstance[format];
      if (!cached) {
        const spec = {
          appName: app.name,
          appGuid: app.guid,
          index: inst.index,
          bytes: app.metrics.payloadBytes,
          seriesCount: app.metrics.seriesCount,
        };
        cached = { plain: Buffer.from(generatePayload(spec, format)) };
        perInstance[format] = cached;
      }
      if (wantGzip) cached.gzipped ??= await gzip(cached.plain);
      body = cached.plain;
      compressed = wantGzip ? cached.gzipped : undefined;
    } else {
      let reg = registries.get(inst.id);
      if (!reg) {
        reg = new PromClientInstance(
          {
            appName: app.name,
            appGuid: app.guid,
            index: inst.index,
            startedAt: inst.startedAt,
          },
          app.metrics.families,
        );
        registries.set(inst.id, reg);
      }
      body = Buffer.from(await reg.render(format));
      if (wantGzip) compressed = await gzip(body);
    }
    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[format],
      vary: 'Accept, Accept-Encoding',
    };
    if (compressed) headers['content-encoding'] = 'gzip';
    const out = compressed ?? body;
    headers['content-length'] = out.length;
    res.writeHead(200, headers);
    res.end(out);
  }

  async function echo(
    req: IncomingMessage,
    res: ServerResponse,
    app: AppRecord,
    inst: InstanceRecord,
  ): Promise<void> {
    const body = await readBody(req, 16 * 1024 * 1024);
    const json = JSON.stringify({
      app: app.name,
      appGuid: app.guid,
      index: inst.index,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: Buffer.byteLength(body),
      body: body.slice(0, 1024),
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(json);
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) text(res, 500, 'internal error\n');
      else res.destroy();
    });
  };
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
