import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { RateLimitedError } from "../errors";

const WINDOW_MS = 60_000;
/**
 * A process takes this share of a key's limit from the shared counter at a time (one statement per
 * lease instead of one per request); below 40 a minute it takes one at a time, exactly.
 */
const LEASE_SHARE = 20;
/** Keys whose lease this process remembers; the oldest make room (a forgotten lease is a few hits). */
const MAX_LEASES = 50_000;

/** What the RateLimit-* headers say about a request's key. */
export type RateLimitState = {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
};

type Lease = {
  windowStart: number;
  limit: number;
  /** Hits this process took from the shared count in this window, and how many it has used. */
  taken: number;
  used: number;
  /** The shared count as it stood after this process's last take. */
  counted: number;
};

/**
 * Per-key request limits that hold across API processes (DECISIONS §72): the count lives in
 * PostgreSQL (rate_limit_counters, one row per key per minute, purged by the maintenance job) and a
 * process takes hits from it in leases of a twentieth of the limit (6 of the default 120), serving
 * the rest of a lease from memory. No process ever admits a hit it did not take, so a key never
 * gets more than its limit a minute however many processes serve it; a lease left unused in one
 * process can refuse a client a few hits early in another (at most a twentieth of the limit per
 * other process). At a fraction of a statement per request a purchase keeps its statement count.
 */
export class ApiKeyRateLimiter {
  private readonly leases = new Map<string, Lease>();

  /** Count one request of key `keyId` against `limit` a minute; throws RateLimitedError past it. */
  async hit(ctx: ServiceContext, keyId: string, limit: number): Promise<RateLimitState> {
    const now = ctx.now().getTime();
    const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    const resetSeconds = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    let lease = this.leases.get(keyId);
    if (!lease || lease.windowStart !== windowStart || lease.limit !== limit) {
      lease = { windowStart, limit, taken: 0, used: 0, counted: 0 };
      this.remember(keyId, lease);
    }
    // Once the shared count reached the limit it stays there for the window: refuse from memory.
    if (lease.used >= lease.taken && lease.counted < limit) {
      await this.take(ctx, keyId, lease);
    }
    if (lease.used >= lease.taken) {
      throw new RateLimitExceeded({ limit, remaining: 0, resetSeconds });
    }
    lease.used += 1;
    return { limit, remaining: remainingOf(lease), resetSeconds };
  }

  /** Take a lease of hits from the shared counter (fewer when the limit is nearly reached). */
  private async take(ctx: ServiceContext, keyId: string, lease: Lease): Promise<void> {
    const size = Math.max(1, Math.floor(lease.limit / LEASE_SHARE));
    const { rows } = await sql<{ count: number }>`
      INSERT INTO rate_limit_counters (key, window_start, count)
      VALUES (${`api-key:${keyId}`}, ${new Date(lease.windowStart)}::timestamptz, ${size})
      ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + ${size}
      RETURNING count`.execute(ctx.db);
    const counted = rows[0]?.count ?? Number.POSITIVE_INFINITY;
    const granted = Math.max(0, Math.min(size, lease.limit - (counted - size)));
    lease.taken += granted;
    lease.counted = Math.max(lease.counted, counted);
  }

  private remember(keyId: string, lease: Lease): void {
    this.leases.delete(keyId);
    this.leases.set(keyId, lease);
    for (const oldest of this.leases.keys()) {
      if (this.leases.size <= MAX_LEASES) {
        break;
      }
      this.leases.delete(oldest);
    }
  }
}

/** Hits left for the key as far as this process knows: the shared remainder plus its unused lease. */
function remainingOf(lease: Lease): number {
  return Math.max(0, lease.limit - lease.counted) + (lease.taken - lease.used);
}

/** RATE_LIMITED (429 with Retry-After), carrying the state for the RateLimit-* headers. */
export class RateLimitExceeded extends RateLimitedError {
  constructor(readonly state: RateLimitState) {
    super(state.resetSeconds);
  }
}
