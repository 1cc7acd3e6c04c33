/** Counts requests per endpoint template; 'total' is the Cloud Controller's share only. */
export class RequestCounter {
  private counts = new Map<string, number>();
  private ccTotal = 0;

  count(key: string, cc: boolean): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (cc) this.ccTotal++;
  }

  snapshot(): Record<string, number> {
    return { ...Object.fromEntries(this.counts), total: this.ccTotal };
  }

  reset(): void {
    this.counts.clear();
    this.ccTotal = 0;
  }
}
