import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import { CONTENT_TYPES } from './negotiate.ts';

// Bodies a broken or hostile instance sends. All stream and respect back-pressure: sizes may be huge.

const FILLER_LINE = (n: number) =>
  `sandbox_filler_bytes{chunk="${String(n).padStart(10, '0')}",pad="${'x'.repeat(48)}"} 1\n`;

export function serveMalformed(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': CONTENT_TYPES.text });
  res.end(
    '# HELP broken_metric A family whose samples do not parse\n# TYPE broken_metric gauge\nbroken_metric{label="unterminated 1\nbroken_metric{=} x\n\u0000\u0001 garbage }}}\n',
  );
}

export async function serveOversized(res: ServerResponse, bytes: number, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': CONTENT_TYPES.text });
  let written = 0;
  let n = 0;
  while (written < bytes && !signal.aborted) {
    let chunk = '';
    while (chunk.length < 64 * 1024 && written + chunk.length < bytes) chunk += FILLER_LINE(n++);
    written += chunk.length;
    if (!res.write(chunk)) await drainOrAbort(res, signal);
  }
  res.end();
}

/** Waits for 'drain' or the abort, then removes both listeners: a long body waits thousands of times. */
async function drainOrAbort(res: ServerResponse, signal: AbortSignal): Promise<void> {
  const done = new AbortController();
  const wait = (promise: Promise<unknown>) => promise.catch(() => {});
  try {
    await Promise.race([
      wait(once(res, 'drain', { signal: done.signal })),
      wait(once(signal, 'abort', { signal: done.signal })),
    ]);
  } finally {
    done.abort();
  }
}

export async function serveEndless(res: ServerResponse, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': CONTENT_TYPES.text });
  let n = 0;
  while (!signal.aborted) {
    let chunk = '';
    for (let i = 0; i < 128; i++) chunk += FILLER_LINE(n++);
    res.write(chunk);
    // Paced so an endless instance cannot eat the shared CPU: ~1.5 MB/s.
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Compressed once per size, then served from memory: a small body that inflates to `uncompressedBytes`. */
export class GzipBombs {
  private readonly cache = new Map<number, Promise<Buffer>>();

  get(uncompressedBytes: number): Promise<Buffer> {
    let bomb = this.cache.get(uncompressedBytes);
    if (!bomb) {
      bomb = build(uncompressedBytes);
      this.cache.set(uncompressedBytes, bomb);
    }
    return bomb;
  }
}

async function build(total: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = once(gzip, 'end');
  // Comment lines: valid exposition, so only a size cap (not the parser) stops it.
  const big = Buffer.from(`${'#'.repeat(1023)}\n`.repeat(1024));
  let left = total;
  while (left > 0) {
    const piece = left >= big.length ? big : big.subarray(0, left);
    left -= piece.length;
    if (!gzip.write(piece)) await once(gzip, 'drain');
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

export async function serveGzipBomb(
  res: ServerResponse,
  bombs: GzipBombs,
  uncompressedBytes: number,
): Promise<void> {
  const body = await bombs.get(uncompressedBytes);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES.text,
    'content-encoding': 'gzip',
    'content-length': body.length,
  });
  res.end(body);
}
