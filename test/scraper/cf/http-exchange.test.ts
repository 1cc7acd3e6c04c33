import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../../scraper/cf/http-exchange.ts';

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:00:05 GMT', 5_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
    ['', undefined],
  ])('%s → %s', (value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });
});
