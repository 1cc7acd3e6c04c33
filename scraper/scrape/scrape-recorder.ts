/**
 * The last few scrape outcomes of every instance, for the dashboard's timeline and "last scrape" columns.
 * Bounded twice: a short ring per instance and a cap on instances (the least recently scraped is
 * forgotten first), so memory stays flat however many bindings come and go.
 */

export interface ScrapeRecord {
  /** Clock time the scrape started. */
  at: number;
  up: boolean;
  reason: string | undefined;
  detail: string | undefined;
  durationMs: number;
  /** The deadline the scrape ran against. */
  budgetMs: number;
  samples: number;
  families: number;
  conflicts: number;
}

export interface ScrapeRecorderOptions {
  /** Outcomes kept per instance. Default 20. */
  perInstance?: number;
  /** Instances remembered at most. Default 50,000 (a few MB). */
  maxInstances?: number;
}

export class ScrapeRecorder {
  private readonly perInstance: number;
  private readonly maxInstances: number;
  /** `<binding id>:<index>` → outcomes, oldest first; Map order is recency of the last record. */
  private readonly rings = new Map<string, ScrapeRecord[]>();

  constructor(options: ScrapeRecorderOptions = {}) {
    this.perInstance = Math.max(1, options.perInstance ?? 20);
    this.maxInstances = Math.max(1, options.maxInstances ?? 50_000);
  }

  record(bindingId: string, index: number, outcome: ScrapeRecord): void {
    const key = `${bindingId}:${index}`;
    let ring = this.rings.get(key);
    if (ring) {
      this.rings.delete(key);
    } else {
      ring = [];
      if (this.rings.size >= this.maxInstances) {
        const oldest = this.rings.keys().next().value;
        if (oldest !== undefined) this.rings.delete(oldest);
      }
    }
    ring.push(outcome);
    if (ring.length > this.perInstance) ring.shift();
    this.rings.set(key, ring);
  }

  /** Oldest first; empty when the instance was never scraped (or was forgotten). */
  history(bindingId: string, index: number): readonly ScrapeRecord[] {
    return this.rings.get(`${bindingId}:${index}`) ?? [];
  }

  get size(): number {
    return this.rings.size;
  }
}
