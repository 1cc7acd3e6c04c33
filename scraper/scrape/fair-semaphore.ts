/**
 * The process-wide bound of scrapes in flight, shared fairly between tenants (service instances): one
 * tenant holds at most `perKey` slots, and a freed slot goes to the tenants waiting in turn, not first
 * come first served. Without it, a tenant whose instances hang until their (tenant-chosen) timeout could
 * hold every slot and make every other tenant's scrapes wait behind its own.
 * Memory is bounded by the tenants with scrapes in flight or waiting; idle tenants leave no entry.
 */
export class FairSemaphore {
  private active = 0;
  private readonly byKey = new Map<string, { active: number; waiting: Array<() => void> }>();
  /** Keys with waiters, in the order they are served; a served key goes to the back. */
  private readonly turn = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly perKey: number,
  ) {}

  async acquire(key: string): Promise<void> {
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { active: 0, waiting: [] };
      this.byKey.set(key, entry);
    }
    if (this.active < this.limit && entry.active < this.perKey && entry.waiting.length === 0) {
      this.active++;
      entry.active++;
      return;
    }
    const queued = entry;
    await new Promise<void>((resolve) => {
      queued.waiting.push(resolve);
      this.turn.add(key);
    });
  }

  release(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry || entry.active === 0) throw new Error('FairSemaphore: release without acquire');
    entry.active--;
    this.active--;
    this.dispatch();
    if (entry.active === 0 && entry.waiting.length === 0) this.byKey.delete(key);
  }

  private dispatch(): void {
    for (const key of this.turn) {
      if (this.active >= this.limit) return;
      const entry = this.byKey.get(key);
      if (!entry || entry.waiting.length === 0) {
        this.turn.delete(key);
        continue;
      }
      if (entry.active >= this.perKey) continue;
      const next = entry.waiting.shift()!;
      entry.active++;
      this.active++;
      // To the back of the turn: the next free slot goes to another waiting tenant first.
      this.turn.delete(key);
      if (entry.waiting.length > 0) this.turn.add(key);
      next();
      return;
    }
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  get inFlight(): number {
    return this.active;
  }

  /** Tenants with scrapes in flight or waiting. */
  get tenants(): number {
    return this.byKey.size;
  }
}
