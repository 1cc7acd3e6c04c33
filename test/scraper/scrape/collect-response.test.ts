import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkPool } from '../../../scraper/exposition/index.ts';
import { BodyArena } from '../../../scraper/scrape/body-arena.ts';
import { type BodySink, collectResponse } from '../../../scraper/scrape/collect-response.ts';

const BODY = Buffer.from('a_metric{x="1"} 1\n'.repeat(500));
const LIMIT = 64 * 1024;
// 64 MB of zeros in ~64 KB of gzip; made up front so the memory check sees only the client's side.
const BOMB = gzipSync(Buffer.alloc(64 * 1024 * 1024));

// Random bytes barely compress: ~150 KB of gzip, more than is inflated on the spot without a sink.
const INCOMPRESSIBLE = randomBytes(150 * 1024);
const INCOMPRESSIBLE_GZ = gzipSync(INCOMPRESSIBLE);

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A real loopback server; each path answers one way. */
const ROUTES: Record<string, Route> = {
  '/plain': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    // In pieces, chunked: the body is collected from several data events.
    res.write(BODY.subarray(0, 1000));
    setTimeout(() => res.end(BODY.subarray(1000)), 5);
  },
  '/declared': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': BODY.length });
    res.write(BODY.subarray(0, 1000));
    setTimeout(() => res.end(BODY.subarray(1000)), 5);
  },
  '/declared-then-hang': (_req, res) => {
    res.writeHead(200, { 'content-length': BODY.length });
    res.write(BODY.subarray(0, 1000));
  },
  '/gzip': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(gzipSync(BODY));
  },
  '/gzip-incompressible': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(INCOMPRESSIBLE_GZ);
  },
  '/bomb': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(BOMB);
  },
  '/gzip-false-size': (req, res) => {
    // The trailer's ISIZE (last 4 bytes) says 4 GB, or 1 byte: the inflated size zlib checks it against.
    const gz = gzipSync(BODY);
    gz.writeUInt32LE(req.headers['x-size'] === 'small' ? 1 : 0xffffffff, gz.length - 4);
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end(gz);
  },
  '/corrupt-gzip': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip' });
    res.end('not gzip at all');
  },
  '/brotli': (_req, res) => {
    res.writeHead(200, { 'content-encoding': 'br' });
    res.end('whatever');
  },
  '/declared-too-large': (_req, res) => {
    res.writeHead(200, { 'content-length': LIMIT + 1 });
    res.end(Buffer.alloc(LIMIT + 1));
  },
  '/chunked-too-large': (_req, res) => {
    res.writeHead(200);
    const piece = Buffer.alloc(16 * 1024, 97);
    let sent = 0;
    const more = () => {
      if (res.destroyed) return;
      sent += piece.length;
      res.write(piece);
      if (sent < 10 * LIMIT) setImmediate(more);
      else res.end();
    };
    more();
  },
  '/not-found': (_req, res) => {
    res.writeHead(404, { 'x-cf-routererror': 'unknown_route' });
    res.end('404 Not Found: Requested route does not exist.');
  },
  '/hang': () => {
    // never answers
  },
  '/echo-headers': (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.headers));
  },
};

let server: Server;
let base: string;
const agent = new Agent();

beforeAll(async () => {
  server = createServer((req, res) => (ROUTES[req.url ?? ''] ?? ROUTES['/not-found'])?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, sink?: BodySink, headers: Record<string, string> = {}) =>
  collectResponse({
    dispatcher: agent,
    url: `${base}${path}`,
    headers: { accept: 'text/plain', 'x-cf-app-instance': 'guid:3', ...headers },
    maxBodyBytes: LIMIT,
    ...(sink === undefined ? {} : { sink }),
  });

/** Two bodies from `path` collected into a fresh arena: each is BODY, placed in the arena's slab. */
async function expectBodiesInSlab(path: string): Promise<void> {
  const pool = new ChunkPool(1 << 20, 64 * 1024);
  const arena = new BodyArena(pool);
  const slab = pool.take();
  pool.give(slab);
  const bodies = await Promise.all([1, 2].map(() => get(path, arena).response));
  for (const res of bodies) {
    expect(res.kind).toBe('body');
    if (res.kind !== 'body') continue;
    expect(res.body.equals(BODY)).toBe(true);
    expect(res.body.buffer).toBe(slab.buffer);
  }
  arena.release();
}

describe('collectResponse', () => {
  it('collects a body that arrives in pieces, with status and headers', async () => {
    const res = await get('/plain').response;
    expect(res).toMatchObject({ kind: 'body', status: 200 });
    if (res.kind !== 'body') return;
    expect(res.body.equals(BODY)).toBe(true);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4');
  });

  it('sends the request headers as given', async () => {
    const res = await get('/echo-headers').response;
    if (res.kind !== 'body') throw new Error(res.kind);
    expect(JSON.parse(res.body.toString())).toMatchObject({
      accept: 'text/plain',
      'x-cf-app-instance': 'guid:3',
    });
  });

  it('inflates gzip', async () => {
    const res = await get('/gzip').response;
    expect(res.kind === 'body' && res.body.equals(BODY)).toBe(true);
  });

  it('stops a gzip bomb at the limit on its inflated size, without inflating it all', async () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(await get('/bomb').response).toEqual({ kind: 'refused', reason: 'body_too_large' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses gzip whose trailer misstates the inflated size, without trusting it for memory', async () => {
    const before = process.memoryUsage().arrayBuffers;
    for (const size of ['large', 'small']) {
      const res = await get('/gzip-false-size', undefined, { 'x-size': size }).response;
      expect(res).toEqual({ kind: 'refused', reason: 'bad_encoding' });
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses corrupt gzip and encodings it cannot read as bad_encoding', async () => {
    expect(await get('/corrupt-gzip').response).toEqual({ kind: 'refused', reason: 'bad_encoding' });
    expect(await get('/brotli').response).toEqual({ kind: 'refused', reason: 'bad_encoding' });
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    expect(await get('/declared-too-large').response).toEqual({ kind: 'refused', reason: 'body_too_large' });
    expect(await get('/chunked-too-large').response).toEqual({ kind: 'refused', reason: 'body_too_large' });
  });

  it('answers any other status with its headers, without the body', async () => {
    const res = await get('/not-found').response;
    expect(res).toMatchObject({ kind: 'status', status: 404 });
    expect(res.kind === 'status' && res.headers['x-cf-routererror']).toBe('unknown_route');
  });

  it('rejects with the abort reason, before or after the request went out', async () => {
    const late = get('/hang');
    setTimeout(() => late.abort(new Error('deadline')), 50);
    await expect(late.response).rejects.toThrow('deadline');
    const early = get('/hang');
    early.abort(new Error('at once'));
    await expect(early.response).rejects.toThrow('at once');
  });

  it('rejects with the transport error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const call = collectResponse({
      dispatcher: agent,
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      maxBodyBytes: 10,
    });
    await expect(call.response).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('joins the pieces where it is told (a scrape arena)', async () => {
    const pool = new ChunkPool(1 << 20, 64 * 1024);
    const arena = new BodyArena(pool);
    const bodies = await Promise.all([1, 2, 3].map(() => get('/plain', arena).response));
    for (const res of bodies) expect(res.kind === 'body' && res.body.equals(BODY)).toBe(true);
    arena.release();
  });

  it('writes a body of declared length into room reserved in the arena as it arrives', () =>
    expectBodiesInSlab('/declared'));

  it('inflates a small gzip body straight into the arena', () => expectBodiesInSlab('/gzip'));

  it('inflates a gzip body into the arena whatever its compressed size, when its room is there', async () => {
    expect(INCOMPRESSIBLE_GZ.length).toBeGreaterThan(128 * 1024);
    const pool = new ChunkPool(4 << 20, 1 << 20);
    const arena = new BodyArena(pool);
    const slab = pool.take();
    pool.give(slab);
    let garbage = 0;
    const call = collectResponse({
      dispatcher: agent,
      url: `${base}/gzip-incompressible`,
      headers: {},
      maxBodyBytes: 1 << 20,
      sink: arena,
      onGarbage: (bytes) => {
        garbage += bytes;
      },
    });
    const res = await call.response;
    expect(res.kind === 'body' && res.body.equals(INCOMPRESSIBLE)).toBe(true);
    expect(res.kind === 'body' && res.body.buffer).toBe(slab.buffer);
    // Inflated in place: only the compressed bytes it came in are left behind, no inflated copy.
    expect(garbage).toBe(INCOMPRESSIBLE_GZ.length);
    arena.release();
  });

  it('reports the pieces of a body as garbage as soon as they are in its room, before the body ends', async () => {
    const pool = new ChunkPool(1 << 20, 64 * 1024);
    const arena = new BodyArena(pool);
    const reports: Array<{ bytes: number; settled: boolean }> = [];
    let settled = false;
    const call = collectResponse({
      dispatcher: agent,
      url: `${base}/declared`,
      headers: {},
      maxBodyBytes: LIMIT,
      sink: arena,
      onGarbage: (bytes) => reports.push({ bytes, settled }),
    });
    const res = await call.response.finally(() => {
      settled = true;
    });
    expect(res.kind).toBe('body');
    // The route sends 1,000 bytes, waits, then the rest: the first piece is reported while it waits.
    expect(reports[0]).toEqual({ bytes: 1000, settled: false });
    expect(reports.reduce((sum, r) => sum + r.bytes, 0)).toBe(BODY.length);
    arena.release();
  });

  it('refuses bad gzip into an arena as without one, and leaves nothing of it there', async () => {
    const pool = new ChunkPool(1 << 20, 64 * 1024);
    const arena = new BodyArena(pool);
    expect(await get('/corrupt-gzip', arena).response).toEqual({ kind: 'refused', reason: 'bad_encoding' });
    expect(await get('/bomb', arena).response).toEqual({ kind: 'refused', reason: 'body_too_large' });
    for (const size of ['large', 'small']) {
      const res = await get('/gzip-false-size', arena, { 'x-size': size }).response;
      expect(res).toEqual({ kind: 'refused', reason: 'bad_encoding' });
    }
    const next = arena.join([Buffer.from('next body')], 9);
    expect(next.byteOffset).toBe(0);
    arena.release();
  });

  it('gives the room of a body it stopped reading back to the arena', async () => {
    const pool = new ChunkPool(1 << 20, 64 * 1024);
    const arena = new BodyArena(pool);
    const call = get('/declared-then-hang', arena);
    await new Promise((resolve) => setTimeout(resolve, 50));
    call.abort(new Error('scrape deadline passed'));
    await expect(call.response).rejects.toThrow('scrape deadline passed');
    // Nothing live in the current slab any more: the next body is written at its start.
    const next = arena.join([Buffer.from('next body')], 9);
    expect(next.byteOffset).toBe(0);
    arena.release();
  });
});

describe('BodyArena', () => {
  // Larger than Node's shared pool for small buffers, so `.buffer` identifies a slab.
  const SLAB = 64 * 1024;
  it('packs bodies back to back in slabs and hands the slabs back on release', () => {
    const pool = new ChunkPool(8 * SLAB, SLAB);
    const arena = new BodyArena(pool);
    const parts = (text: string) => [Buffer.from(text.slice(0, 3)), Buffer.from(text.slice(3))];
    const a = arena.join(parts('first body'), 10);
    const b = arena.join(parts('second body'), 11);
    expect(a.toString()).toBe('first body');
    expect(b.toString()).toBe('second body');
    expect(a.buffer).toBe(b.buffer);
    // Over a quarter slab: a buffer of its own, never a slab.
    const big = arena.join([Buffer.alloc(SLAB / 2, 98)], SLAB / 2);
    expect(big.buffer).not.toBe(a.buffer);
    arena.release();
    // The next arena writes into the same slab again.
    const next = new BodyArena(pool);
    const c = next.join(parts('third body'), 10);
    expect(c.buffer).toBe(a.buffer);
    expect(a.toString()).toBe('third body');
  });

  it('starts a new slab when a body does not fit the rest of the current one', () => {
    const arena = new BodyArena(new ChunkPool(8 * SLAB, SLAB));
    const size = Math.floor(SLAB / 5);
    const first = arena.join([Buffer.alloc(size, 9)], size);
    const bodies = [1, 2, 3, 4, 5].map((i) => arena.join([Buffer.alloc(size, i)], size));
    expect(bodies[3]?.buffer).toBe(first.buffer);
    expect(bodies[4]?.buffer).not.toBe(first.buffer);
    for (const [i, body] of bodies.entries()) expect(body.every((x) => x === i + 1)).toBe(true);
  });

  it('hands a slab back once every body in it is consumed, and not before', () => {
    const pool = new ChunkPool(8 * SLAB, SLAB);
    const arena = new BodyArena(pool);
    const size = Math.floor(SLAB / 5);
    const bodies = [0, 1, 2, 3, 4, 5].map((i) => arena.join([Buffer.alloc(size, i)], size));
    // Five in the first slab, one in the second (the current one).
    expect(bodies[4]?.buffer).toBe(bodies[0]?.buffer);
    expect(bodies[5]?.buffer).not.toBe(bodies[0]?.buffer);
    for (const body of bodies.slice(0, 4)) arena.consumed(body);
    // Again, or a buffer the arena never joined: nothing.
    arena.consumed(bodies[0] as Buffer);
    arena.consumed(Buffer.alloc(size));
    expect(pool.freeBytes).toBe(0);
    expect((bodies[4] as Buffer).every((x) => x === 4)).toBe(true);
    arena.consumed(bodies[4] as Buffer);
    expect(pool.freeBytes).toBe(SLAB);
    // The slab goes to whoever takes next, e.g. another space's scrape.
    expect(pool.take().buffer).toBe(bodies[0]?.buffer);
    expect((bodies[5] as Buffer).every((x) => x === 5)).toBe(true);
    arena.release();
  });

  it('hands a body committed shorter than its room back by that body', () => {
    const pool = new ChunkPool(8 * SLAB, SLAB);
    const arena = new BodyArena(pool);
    const room = arena.reserve(100) as Buffer;
    room.write('short body');
    const body = arena.commit(room, 10);
    expect(body.toString()).toBe('short body');
    // Fill the slab, so that the next body starts another one.
    const fillers = [1, 2, 3].map(() => arena.join([Buffer.alloc(SLAB / 4)], SLAB / 4));
    const next = arena.join([Buffer.alloc(SLAB / 4)], SLAB / 4);
    expect(next.buffer).not.toBe(room.buffer);
    for (const filler of fillers) arena.consumed(filler);
    expect(pool.freeBytes).toBe(0);
    arena.consumed(body);
    expect(pool.freeBytes).toBe(SLAB);
    expect(arena.reserve(SLAB)).toBeUndefined();
    arena.release();
  });

  it('writes the current slab again from its start once its bodies are all consumed', () => {
    const pool = new ChunkPool(8 * SLAB, SLAB);
    const arena = new BodyArena(pool);
    const a = arena.join([Buffer.from('first body')], 10);
    const b = arena.join([Buffer.from('second body')], 11);
    arena.consumed(a);
    const c = arena.join([Buffer.from('third body')], 10);
    expect(c.byteOffset).toBe(b.byteOffset + b.length);
    arena.consumed(b);
    arena.consumed(c);
    const d = arena.join([Buffer.from('fourth body')], 11);
    expect(d.buffer).toBe(a.buffer);
    expect(d.byteOffset).toBe(a.byteOffset);
    arena.release();
    expect(pool.freeBytes).toBe(SLAB);
  });
});
