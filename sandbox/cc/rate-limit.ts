// CC's general rate limiter: a fixed window per user that starts with the user's first request.

export interface RateDecision {
  headers: Record<string, string>;
  exceeded: boolean;
  retryAfterSeconds: number;
}

export class RateLimiter {
  private windows = new Map<string, { resetAt: number; count: number }>();

  constructor(
    public limit: number,
    public windowSeconds: number,
    private readonly now: () => number,
  ) {}

  take(user: string): RateDecision {
    const now = this.now();
    let w = this.windows.get(user);
    if (!w || w.resetAt <= now) {
      w = { resetAt: now + this.windowSeconds * 1000, count: 0 };
      this.windows.set(user, w);
    }
    w.count++;
    const exceeded = w.count > this.limit;
    const resetUnix = Math.ceil(w.resetAt / 1000);
    return {
      headers: {
        'x-ratelimit-limit': String(this.limit),
        'x-ratelimit-remaining': String(Math.max(0, this.limit - w.count)),
        'x-ratelimit-reset': String(resetUnix),
      },
      exceeded,
      retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
    };
  }

  reset(): void {
    this.windows.clear();
  }
}

/** Admins and read-only admins skip the limiter entirely (no headers either), as in cloud_controller_ng. */
export function exemptFromRateLimit(scopes: string[]): boolean {
  return scopes.includes('cloud_controller.admin') || scopes.includes('cloud_controller.admin_read_only');
}
