// Reconnection delays: 1 s, 2 s, 4 s … capped at 15 s, with ±20 % jitter so that many visitors
// cut off together do not all come back in the same instant.
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 15_000,
  ) {}

  /** The delay before the next attempt; each call doubles the next one. */
  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  reset() {
    this.attempt = 0;
  }
}
