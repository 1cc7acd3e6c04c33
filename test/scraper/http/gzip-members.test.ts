import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipMembers } from '../../../scraper/http/gzip-members.ts';
import type { WindowSource, Windows } from '../../../scraper/http/windows.ts';

const text = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed) % 26))).join(''));

/** `body` in windows, as a merge writes its answer; lines longer than `alone` come back in their own buffer. */
function sourceOf(body: Buffer): WindowSource & { reads: number } {
  let at = 0;
  return {
    reads: 0,
    next(window) {
      this.reads++;
      if (at >= body.length) return undefined;
      const n = Math.min(window.length, body.length - at);
      body.copy(window, 0, at, at + n);
      at += n;
      return window.subarray(0, n);
    },
  };
}

/** Windows of `bytes`, counting what is out; every one must come back. */
function windowsOf(bytes: number): Windows & { out: number; taken: number } {
  const free: Buffer[] = [];
  return {
    out: 0,
    taken: 0,
    take() {
      this.out++;
      this.taken++;
      return free.pop() ?? Buffer.alloc(bytes);
    },
    give(w) {
      this.out--;
      free.push(w);
    },
  };
}

describe('gzipMembers', () => {
  const cases: Array<{ name: string; body: Buffer; windowBytes: number }> = [
    { name: 'empty', body: Buffer.alloc(0), windowBytes: 16 },
    { name: 'one small window', body: text(5, 1), windowBytes: 16 },
    { name: 'exact multiple', body: text(32, 2), windowBytes: 16 },
    { name: 'many windows', body: text(100_000, 5), windowBytes: 4096 },
  ];
  for (const c of cases) {
    it(`decodes to the source's bytes (${c.name})`, async () => {
      let consumed = 0;
      const windows = windowsOf(c.windowBytes);
      const members = await gzipMembers(sourceOf(c.body), {
        level: 1,
        concurrency: 3,
        windows,
        onConsumed: () => consumed++,
      });
      expect(gunzipSync(Buffer.concat(members)).equals(c.body)).toBe(true);
      expect(consumed).toBe(1);
      expect(windows.out).toBe(0);
    });
  }

  it('holds members in order whatever order their jobs finish in', async () => {
    // Windows of very different sizes (a line alone in its own buffer) finish out of order.
    const parts = [text(200_000, 1), text(10, 2), text(150_000, 3), text(3, 4)];
    let i = 0;
    const source: WindowSource = {
      next: (window) => {
        const part = parts[i++];
        if (part === undefined) return undefined;
        if (part.length > window.length) return part;
        part.copy(window);
        return window.subarray(0, part.length);
      },
    };
    const members = await gzipMembers(source, { level: 9, concurrency: 4, windows: windowsOf(100_000) });
    expect(members.length).toBe(4);
    expect(gunzipSync(Buffer.concat(members)).equals(Buffer.concat(parts))).toBe(true);
  });

  it('makes each window a complete gzip member of its own, header and trailer included', async () => {
    const body = text(50_000, 9);
    const members = await gzipMembers(sourceOf(body), { level: 1, concurrency: 2, windows: windowsOf(8192) });
    expect(members.length).toBe(Math.ceil(body.length / 8192));
    members.forEach((member, i) => {
      expect(member.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(gunzipSync(member).equals(body.subarray(i * 8192, (i + 1) * 8192))).toBe(true);
    });
  });

  it('holds at most `concurrency` windows of the uncompressed answer at a time', async () => {
    const windows = windowsOf(1024);
    let most = 0;
    const inner = sourceOf(text(64 * 1024, 7));
    const source: WindowSource = {
      next: (window) => {
        most = Math.max(most, windows.out);
        return inner.next(window);
      },
    };
    await gzipMembers(source, { level: 1, concurrency: 2, windows });
    expect(most).toBeLessThanOrEqual(2);
    expect(windows.taken).toBeGreaterThan(60);
  });
});
