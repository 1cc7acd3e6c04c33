import { describe, expect, it } from 'vitest';
import { ChunkPool } from '../../../scraper/exposition/index.ts';

const CHUNK = 16 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChunkPool', () => {
  it('hands a given-back chunk out again, up to its byte cap', () => {
    const pool = new ChunkPool(2 * CHUNK, CHUNK);
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.freeBytes).toBe(2 * CHUNK);
    expect([pool.take(), pool.take()]).toEqual(expect.arrayContaining([a, b]));
    expect(pool.take()).not.toBe(c);
  });

  it('drops its idle chunks once unused for the idle time, and says so once', async () => {
    let trims = 0;
    const pool = new ChunkPool(4 * CHUNK, CHUNK, { ms: 50, onTrim: () => trims++ });
    const chunk = pool.take();
    pool.give(chunk);
    expect(pool.freeBytes).toBe(CHUNK);
    await sleep(120);
    expect(pool.freeBytes).toBe(0);
    expect(trims).toBe(1);
    expect(pool.take()).not.toBe(chunk);
  });

  it('keeps its chunks while they are in use more often than the idle time', async () => {
    const pool = new ChunkPool(4 * CHUNK, CHUNK, { ms: 80 });
    const chunk = pool.take();
    pool.give(chunk);
    for (let i = 0; i < 4; i++) {
      await sleep(40);
      pool.give(pool.take());
    }
    expect(pool.freeBytes).toBe(CHUNK);
  });
});
