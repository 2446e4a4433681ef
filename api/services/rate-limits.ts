import { randomInt } from "node:crypto";
import { sql } from "kysely";
import type { ServiceContext } from "./context";
import { RateLimitedError } from "./errors";

/**
 * Per-user limits on money actions (S5), counted in PostgreSQL: one upsert per action in a fixed
 * one-minute window. PostgreSQL rather than Redis so the count is shared by every API process and
 * worker whatever the deployment, survives a Redis flush, and fails closed by construction (no
 * database, no money action either). The cost is one row write per purchase, small next to the
 * dozens an order makes.
 */
export async function takeMoneyActionSlot(ctx: ServiceContext, userId: string): Promise<void> {
  const slot = moneyActionSlot(ctx, userId);
  await takeSlot(ctx, slot.key, ctx.config.MONEY_ACTIONS_PER_MINUTE, 60);
}

/**
 * PIN attempts from a chat (S5): counted before the PIN is checked, so a script guessing PINs is
 * slowed to this many tries a minute on top of the lockout after PIN_MAX_ATTEMPTS wrong ones.
 */
export async function takePinAttemptSlot(ctx: ServiceContext, userId: string): Promise<void> {
  await takeSlot(ctx, `pin:${userId}`, ctx.config.PIN_ATTEMPTS_PER_MINUTE, 60);
}

async function takeSlot(
  ctx: ServiceContext,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  await takeSlots(ctx, [{ key, limit }], windowSeconds);
}

/** One limit to count against: its counter row key, its limit, and (for a busy key) its row count. */
type Slot = {
  key: string;
  limit: number;
  /**
   * Spread the count over this many rows (`key#0` … `key#N-1`), one picked at random per action,
   * the limit judged on their sum: callers sharing the key then rarely wait for the same row lock.
   * The sum is read without locks, so concurrent actions may pass a limit by a few (a rate limit,
   * not money); one at a time it is exact.
   */
  shards?: number;
};

/**
 * Count one action against each of `slots` in one statement (one round trip, however many limits
 * apply); refused when any of them is past its limit. The rows are written in key order, so two
 * callers sharing keys take their row locks in the same order.
 */
async function takeSlots(ctx: ServiceContext, slots: Slot[], windowSeconds: number): Promise<void> {
  const window = slotWindow(ctx, windowSeconds);
  const rows = slots
    .map((slot) => {
      const shards = slot.shards ?? 1;
      return {
        key: shards > 1 ? `${slot.key}#${randomInt(shards)}` : slot.key,
        base: slot.key,
        shards,
        limit: slot.limit,
      };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // The row this action counts on, plus (sharded keys) the sum of its sibling rows.
  const { rows: counted } = await sql<{ key: string; total: number }>`
    WITH slot AS (
      SELECT * FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.base)}::text[],
                           ${rows.map((r) => r.shards)}::int[]) AS s(key, base, shards)
    ), taken AS (
      INSERT INTO rate_limit_counters (key, window_start, count)
      SELECT key, ${window.start}::timestamptz, 1 FROM slot ORDER BY key
      ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
      RETURNING key, count
    )
    SELECT t.key, (t.count + coalesce((
      SELECT sum(c.count) FROM rate_limit_counters c
       WHERE s.shards > 1 AND c.window_start = ${window.start}::timestamptz AND c.key <> t.key
         AND c.key = ANY(ARRAY(SELECT s.base || '#' || g FROM generate_series(0, s.shards - 1) AS g))), 0))::int AS total
      FROM taken t JOIN slot s USING (key)`.execute(ctx.db);
  for (const row of counted) {
    assertWithinLimit(window, row.total, rows.find((slot) => slot.key === row.key)?.limit ?? 0);
  }
}

type SlotWindow = { start: Date; retryAfterSeconds: number };

/** The fixed window `now` falls in, and how long until the next one begins. */
function slotWindow(ctx: ServiceContext, windowSeconds: number): SlotWindow {
  const now = ctx.now().getTime();
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  return {
    start: new Date(start),
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)),
  };
}

function assertWithinLimit(window: SlotWindow, count: number, limit: number): void {
  if (count > limit) {
    throw new RateLimitedError(window.retryAfterSeconds);
  }
}

/**
 * The money-action counter for a caller that takes the slot in a statement of its own (the order
 * path's pre-checks): its row key and window, and `check` for the count the upsert returned.
 */
export function moneyActionSlot(
  ctx: ServiceContext,
  userId: string,
): { key: string; windowStart: Date; check(count: number): void } {
  const window = slotWindow(ctx, 60);
  return {
    key: `money:${userId}`,
    windowStart: window.start,
    check: (count) => assertWithinLimit(window, count, ctx.config.MONEY_ACTIONS_PER_MINUTE),
  };
}

/** Old windows are worthless after a minute; the maintenance job clears them. */
export async function purgeRateLimitCounters(ctx: ServiceContext): Promise<number> {
  const result = await ctx.db
    .deleteFrom("rate_limit_counters")
    .where("window_start", "<", new Date(ctx.now().getTime() - 3_600_000))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Rows an address's gift-claim count is spread over (see Slot.shards). */
const GIFT_IP_SHARDS = 8;

/** Gift claims per IP address and per device (S12), same counters as money actions. */
export async function takeGiftClaimSlots(
  ctx: ServiceContext,
  args: { ip: string; deviceHash: string },
): Promise<void> {
  // One statement for both counters. An address can be a whole office or a mobile carrier's NAT,
  // claiming at once on a shared link: its count is spread over rows (issue 15).
  await takeSlots(
    ctx,
    [
      { key: `gift-ip:${args.ip}`, limit: ctx.config.GIFT_CLAIMS_PER_MINUTE_PER_IP, shards: GIFT_IP_SHARDS },
      { key: `gift-device:${args.deviceHash}`, limit: ctx.config.GIFT_CLAIMS_PER_MINUTE_PER_DEVICE },
    ],
    60,
  );
}
