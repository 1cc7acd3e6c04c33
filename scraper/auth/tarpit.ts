export interface TarpitOptions {
  /** How long an answer to a rate-limited attempt is held back. */
  delayMs?: number;
  /** Answers held at once; past it they go out at once, so the tarpit itself stays bounded. */
  maxHeld?: number;
}

/**
 * Holds back the answers to rate-limited password guesses. A guessing client waits for its answer before
 * the next guess, so a second's wait turns a flood of thousands of guesses a second into one per
 * connection per second: the guesses stop costing the event loop, and with it every other tenant's
 * scrapes. A held answer costs one timer; the right password is never held (it is checked first).
 */
export class Tarpit {
  private readonly delayMs: number;
  private readonly maxHeld: number;
  private held = 0;

  constructor(options: TarpitOptions = {}) {
    this.delayMs = options.delayMs ?? 1_000;
    this.maxHeld = options.maxHeld ?? 1_024;
  }

  async hold(): Promise<void> {
    if (this.held >= this.maxHeld || this.delayMs <= 0) return;
    this.held++;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    } finally {
      this.held--;
    }
  }

  get holding(): number {
    return this.held;
  }
}
