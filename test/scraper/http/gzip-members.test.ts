import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipMembers } from '../../../scraper/http/gzip-members.ts';

const text = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed) % 26))).join(''));

describe('gzipMembers', () => {
  const cases: Array<{ name: string; chunks: Buffer[]; memberBytes: number }> = [
    { name: 'no chunks', chunks: [], memberBytes: 16 },
    { name: 'one small chunk', chunks: [text(5, 1)], memberBytes: 16 },
    { name: 'chunks split across members', chunks: [text(10, 1), text(30, 2), text(7, 3)], memberBytes: 16 },
    { name: 'exact multiples', chunks: [text(16, 1), text(16, 2)], memberBytes: 16 },
    { name: 'empty chunks between', chunks: [Buffer.alloc(0), text(20, 4), Buffer.alloc(0)], memberBytes: 8 },
    { name: 'one chunk many members', chunks: [text(100_000, 5)], memberBytes: 4096 },
  ];
  for (const c of cases) {
    it(`decodes to the concatenation (${c.name})`, async () => {
      let consumed = 0;
      const members = await gzipMembers(c.chunks, {
        level: 1,
        memberBytes: c.memberBytes,
        concurrency: 3,
        onConsumed: () => consumed++,
      });
      expect(gunzipSync(Buffer.concat(members)).equals(Buffer.concat(c.chunks))).toBe(true);
      expect(consumed).toBe(1);
    });
  }

  it('holds members in order whatever order their jobs finish in', async () => {
    // Members of very different sizes finish out of order on the threadpool.
    const chunks = [text(200_000, 1), text(10, 2), text(150_000, 3), text(3, 4)];
    const members = await gzipMembers(chunks, { level: 9, memberBytes: 100_000, concurrency: 4 });
    expect(members.length).toBeGreaterThan(1);
    expect(gunzipSync(Buffer.concat(members)).equals(Buffer.concat(chunks))).toBe(true);
  });
});
