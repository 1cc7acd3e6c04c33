import { describe, expect, it } from 'vitest';
import { type ScrapeRecord, ScrapeRecorder } from '../../../scraper/scrape/index.ts';

const outcome = (at: number, up = true): ScrapeRecord => ({
  at,
  up,
  reason: up ? undefined : 'timeout',
  detail: undefined,
  durationMs: 5,
  budgetMs: 10_000,
  samples: 3,
  families: 1,
  conflicts: 0,
});

describe('ScrapeRecorder', () => {
  it('keeps the last N outcomes of each instance, oldest first', () => {
    const recorder = new ScrapeRecorder({ perInstance: 3 });
    for (let at = 1; at <= 5; at++) recorder.record('b1', 0, outcome(at, at !== 4));
    recorder.record('b1', 1, outcome(9));
    expect(recorder.history('b1', 0).map((r) => [r.at, r.up])).toEqual([
      [3, true],
      [4, false],
      [5, true],
    ]);
    expect(recorder.history('b1', 1).map((r) => r.at)).toEqual([9]);
    expect(recorder.history('b2', 0)).toEqual([]);
  });

  it('forgets the least recently scraped instance beyond its cap', () => {
    const recorder = new ScrapeRecorder({ maxInstances: 2 });
    recorder.record('a', 0, outcome(1));
    recorder.record('b', 0, outcome(2));
    recorder.record('a', 0, outcome(3));
    recorder.record('c', 0, outcome(4));
    expect(recorder.size).toBe(2);
    expect(recorder.history('b', 0)).toEqual([]);
    expect(recorder.history('a', 0)).toHaveLength(2);
  });
});
