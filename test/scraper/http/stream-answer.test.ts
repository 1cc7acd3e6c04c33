import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamedAnswer } from '../../../scraper/http/stream-answer.ts';
import type { WindowSource, Windows } from '../../../scraper/http/windows.ts';

const WINDOW = 64 * 1024;
// Larger than what loopback sockets buffer, so a caller cut off early is seen while windows are still written.
const BODY = Buffer.alloc(16 << 20, 'sample_line{a="b"} 1\n');

/** BODY window by window, as a merge writes it. */
function source(): WindowSource & { released: number } {
  let at = 0;
  return {
    released: 0,
    next(window) {
      if (at >= BODY.length) return undefined;
      const n = Math.min(window.length, BODY.length - at);
      BODY.copy(window, 0, at, at + n);
      at += n;
      return window.subarray(0, n);
    },
  };
}

function windows(): Windows & { given: number; taken: number } {
  const free: Buffer[] = [];
  return {
    given: 0,
    taken: 0,
    take() {
      this.taken++;
      return free.pop() ?? Buffer.alloc(WINDOW);
    },
    give(w) {
      this.given++;
      free.push(w);
    },
  };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server whose first `callers` requests share one StreamedAnswer, as the callers of a fan-out do. */
async function serve(callers: number, answer: StreamedAnswer): Promise<number> {
  const waiting: Array<() => void> = [];
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': BODY.length });
    waiting.push(() => answer.attach(res, req.method === 'HEAD'));
    // Every caller attaches in the same turn, once all have arrived.
    if (waiting.length === callers) for (const attach of waiting.splice(0)) attach();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, abortAfter?: number): Promise<Buffer | 'aborted'> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
      const parts: Buffer[] = [];
      let got = 0;
      res.on('data', (d: Buffer) => {
        parts.push(d);
        got += d.length;
        if (abortAfter !== undefined && got >= abortAfter) {
          req.destroy();
          resolve('aborted');
        }
      });
      res.on('end', () => resolve(Buffer.concat(parts)));
    });
    req.on('error', (err) => (abortAfter === undefined ? reject(err) : resolve('aborted')));
    req.end();
  });
}

describe('StreamedAnswer', () => {
  it('writes the whole answer to every caller sharing it, reusing its windows, and releases once', async () => {
    const src = source();
    const pool = windows();
    let released = 0;
    const answer = new StreamedAnswer(src, pool, () => released++);
    const port = await serve(3, answer);
    const bodies = await Promise.all([get(port), get(port), get(port)]);
    for (const b of bodies) expect(Buffer.isBuffer(b) && b.equals(BODY)).toBe(true);
    expect(released).toBe(1);
    // Two windows ahead, each reused: far fewer buffers than windows written.
    expect(pool.taken).toBeGreaterThan(BODY.length / WINDOW);
    expect(pool.given).toBe(pool.taken);
  });

  it('goes on for the others when a caller is cut off, and never reuses a window it may still hold', async () => {
    const src = source();
    const pool = windows();
    let released = 0;
    const answer = new StreamedAnswer(src, pool, () => released++);
    const port = await serve(2, answer);
    const [whole, cut] = await Promise.all([get(port), get(port, WINDOW)]);
    expect(cut).toBe('aborted');
    expect(Buffer.isBuffer(whole) && whole.equals(BODY)).toBe(true);
    expect(released).toBe(1);
    // Windows written once the cut-off caller had closed are not handed back to the pool.
    expect(pool.given).toBeLessThan(pool.taken);
  });
});
