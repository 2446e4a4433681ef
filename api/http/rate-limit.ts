import type { Context } from "hono";
import { RateLimitExceeded, type RateLimitState } from "../services/auth";

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

  /** Count one hit; throws RateLimitExceeded (RATE_LIMITED) past the limit. */
  hit(key: string): RateLimitState {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      this.sweep(now);
    }
    window.count += 1;
    const state = {
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)),
    };
    if (window.count > this.limit) {
      throw new RateLimitExceeded(state);
    }
    return state;
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

/**
 * The RateLimit-Limit / -Remaining / -Reset headers (IETF httpapi rate-limit headers draft; Reset in
 * seconds). Retry-After on a 429 comes from the error itself (errors.ts).
 */
export function setRateLimitHeaders(c: Context, state: RateLimitState): void {
  c.header("RateLimit-Limit", String(state.limit));
  c.header("RateLimit-Remaining", String(state.remaining));
  c.header("RateLimit-Reset", String(state.resetSeconds));
}

/** Count one hit on `limiter`, with the RateLimit-* headers on the answer, refused or not. */
export function hitWithHeaders(c: Context, limiter: MemoryRateLimiter, key: string): void {
  try {
    setRateLimitHeaders(c, limiter.hit(key));
  } catch (error) {
    if (error instanceof RateLimitExceeded) {
      setRateLimitHeaders(c, error.state);
    }
    throw error;
  }
}
