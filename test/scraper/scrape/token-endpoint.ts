import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateRouterCertificate } from '../../../sandbox/router/tls.ts';

export interface TokenEndpoint {
  port: number;
  /** TCP connections accepted so far: a refused dial must leave this at 0. */
  connections: number;
  /** Requests received, with what a token request carries. */
  requests: Array<{ method: string; url: string; authorization: string | undefined; body: string }>;
  close(): Promise<void>;
}

/** An OAuth2 token endpoint over HTTPS on loopback (self-signed), handing out one fixed token. */
export async function startTokenEndpoint(): Promise<TokenEndpoint> {
  const { key, cert } = await generateRouterCertificate('token.test');
  const endpoint: Omit<TokenEndpoint, 'port' | 'close'> = { connections: 0, requests: [] };
  const server: Server = createServer({ key, cert }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      endpoint.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'loopback-token', token_type: 'bearer', expires_in: 600 }));
    });
  });
  server.on('connection', () => {
    endpoint.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(endpoint, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
