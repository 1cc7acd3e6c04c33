export interface FailureLimiterOptions {
  /** Wrong passwords for one username within the window before further wrong ones get 429. */
  threshold?: number;
  windowMs?: number;
  /** Usernames tracked at once; the least recently failed is forgotten first. */
  maxTracked?: number;
  clock?: () => number;
}

/**
 * Counts wrong passwords per service-key username in a sliding window. Past the threshold, further WRONG
 * attempts are answered 429 with Retry-After; the right password is still checked first and still
 * succeeds, so a flood of guesses can never lock the owner out. Only usernames of existing keys are
 * tracked (the caller checks), so memory is bounded by the number of keys and by `maxTracked`.
 */
export class FailureLimiter {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly maxTracked: number;
  private readonly clock: () => number;
  /** The times of the last `threshold` failures per username, oldest first (a ring kept as an array). */
  private readonly failures = new Map<string, number[]>();

  constructor(options: FailureLimiterOptions = {}) {
    this.threshold = options.threshold ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Records one wrong password. Returns the seconds to wait when this username is over the threshold (the
   * attempt is then to be answered 429), else undefined.
   */
  fail(username: string): number | undefined {
    const now = this.clock();
    let times = this.failures.get(username);
    if (times) {
      // Re-insert so Map order stays "least recently failed first" for eviction.
      this.failures.delete(username);
    } else {
      times = [];
      if (this.failures.size >= this.maxTracked) {
        const oldest = this.failures.keys().next();
        if (!oldest.done) this.failures.delete(oldest.value);
      }
    }
    this.failures.set(username, times);
    const limited = times.length >= this.threshold && now - times[0]! < this.windowMs;
    times.push(now);
    if (times.length > this.threshold) times.shift();
    if (!limited) return undefined;
    // The window frees a slot when the oldest of the last `threshold` failures ages out.
    return Math.max(1, Math.ceil((times[0]! + this.windowMs - now) / 1000));
  }

  /** Usernames currently tracked (for tests and the bound). */
  get size(): number {
    return this.failures.size;
  }
}
