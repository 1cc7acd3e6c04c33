import { describe, expect, it } from 'vitest';
import { FailureLimiter } from '../../../scraper/auth/failure-limiter.ts';
import { Tarpit } from '../../../scraper/auth/tarpit.ts';

describe('FailureLimiter', () => {
  it('limits one username without touching another', () => {
    const limiter = new FailureLimiter({ threshold: 2, windowMs: 1000, clock: () => 0 });
    expect(limiter.fail('a')).toBeUndefined();
    expect(limiter.fail('a')).toBeUndefined();
    expect(limiter.fail('a')).toBe(1);
    expect(limiter.fail('b')).toBeUndefined();
  });

  it('forgets the least recently failed username first, so memory stays bounded', () => {
    const limiter = new FailureLimiter({ threshold: 1, maxTracked: 2, clock: () => 0 });
    limiter.fail('a');
    limiter.fail('b');
    limiter.fail('a');
    limiter.fail('c');
    expect(limiter.size).toBe(2);
    // 'b' was forgotten: its next failure starts afresh.
    expect(limiter.fail('b')).toBeUndefined();
    expect(limiter.fail('a')).toBeUndefined();
  });
});

describe('Tarpit', () => {
  it('holds answers back, but never more than maxHeld at once', async () => {
    const tarpit = new Tarpit({ delayMs: 50, maxHeld: 2 });
    const held = [tarpit.hold(), tarpit.hold()];
    expect(tarpit.holding).toBe(2);
    let third = false;
    await tarpit.hold().then(() => {
      third = true;
    });
    // Past the bound an answer goes out at once instead of piling up timers.
    expect(third).toBe(true);
    expect(tarpit.holding).toBe(2);
    await Promise.all(held);
    expect(tarpit.holding).toBe(0);
  });
});
