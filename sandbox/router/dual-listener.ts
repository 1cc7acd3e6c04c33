import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { RouterCertificate } from './tls.ts';

const TLS_HANDSHAKE = 0x16;

/**
 * One port that speaks plain HTTP and TLS: the first byte of a connection tells a TLS ClientHello (0x16)
 * from an HTTP request line, and the socket is handed to the matching server.
 */
export function createDualServer(cert: RouterCertificate, handler: RequestListener): Server {
  const http = createHttpServer({ keepAliveTimeout: 90_000 }, handler);
  const https = createHttpsServer({ key: cert.key, cert: cert.cert, keepAliveTimeout: 90_000 }, handler);
  return createNetServer((socket: Socket) => {
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
}
