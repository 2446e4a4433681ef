import { RateLimitedError } from "../services/errors";

/**
 * Fixed-window counter per key, in process memory. Enough for one API process (the embedded
 * default); scale-out puts it in Redis (DECISIONS.md). Used for the auth endpoints per IP.
 */
export class MemoryRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one hit; throws RateLimitedError past the limit. */
  hit(key: string): void {
    const now = this.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      this.sweep(now);
      return;
    }
    window.count += 1;
    if (window.count > this.limit) {
      throw new RateLimitedError(Math.ceil((window.start + this.windowMs - now) / 1000));
    }
  }

  private sweep(now: number): void {
    if (this.windows.size < 10_000) {
      return;
    }
    for (const [key, w] of this.windows) {
      if (now - w.start >= this.windowMs) {
        this.windows.delete(key);
      }
    }
  }
}
