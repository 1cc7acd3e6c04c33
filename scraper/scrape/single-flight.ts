/**
 * Concurrent calls with the same key share one promise; the entry is dropped when it settles, so this
 * coalesces simultaneous work without ever serving a stale result.
 */
export class SingleFlight<T> {
  private readonly pending = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const existing = this.pending.get(key);
    if (existing) return { promise: existing, shared: true };
    const promise = task().finally(() => {
      if (this.pending.get(key) === promise) this.pending.delete(key);
    });
    this.pending.set(key, promise);
    return { promise, shared: false };
  }

  get size(): number {
    return this.pending.size;
  }
}
