/**
 * The CC's verdict on (user, service instance), reused for `ttlMs` so a page that refreshes itself does
 * not ask the CC every few seconds. A role removed in CF therefore takes effect at the first check after
 * the TTL (default 60 s). Bounded: the oldest verdict goes first.
 */
export interface Verdict {
  read: boolean;
  manage: boolean;
}

export class PermissionCache {
  private readonly entries = new Map<string, Verdict & { at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  get(userId: string, instanceId: string): Verdict | undefined {
    const key = `${userId}\0${instanceId}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock() - entry.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return { read: entry.read, manage: entry.manage };
  }

  set(userId: string, instanceId: string, verdict: Verdict): void {
    const key = `${userId}\0${instanceId}`;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { read: verdict.read, manage: verdict.manage, at: this.clock() });
  }

  /** A user's verdicts, forgotten at logout. */
  forgetUser(userId: string): void {
    const prefix = `${userId}\0`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
