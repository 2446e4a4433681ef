import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { ForbiddenError, ServiceError } from "../errors";
import { fingerprintOf, keyReusedError } from "../ledger";
import type { PinRow } from "../pins";
import { moneyActionSlot } from "../rate-limits";

/**
 * Everything a purchase checks before the PIN and the money, read (and the rate slot taken) in one
 * statement instead of five: an earlier request with the same Idempotency-Key, the account's
 * status, the money-action counter (S5), the open-orders count (S14) and the PIN's credentials row.
 * The slot is counted only when the request is new and the account active, as when these were
 * separate steps. `apply` then decides in the order the steps had: a replay wins over everything,
 * then the account, the limit, the cap; the caller checks the PIN with `pin`.
 */
export type OrderPrechecks = {
  /** The order an earlier request with this key created (its key and parameters matched). */
  replayOrderId: string | undefined;
  pin: PinRow | null;
};

type Row = {
  replay_fingerprint: string | null;
  replay_operation: string | null;
  replay_response: { orderId?: string } | null;
  status: string | null;
  slot_count: number | null;
  open_orders: number;
  pin_hash: string | null;
  locked_until: Date | null;
  failed_attempts: number | null;
};

export async function runOrderPrechecks(
  ctx: ServiceContext,
  args: {
    userId: string;
    scope: string;
    idempotencyKey: string;
    operation: string;
    params: Record<string, unknown>;
  },
): Promise<OrderPrechecks> {
  const slot = moneyActionSlot(ctx, args.userId);
  // The open states are literals (not parameters) so the partial index vtu_orders_open_by_user
  // serves the count under a generic plan too.
  const { rows } = await sql<Row>`
    WITH replay AS (
      SELECT fingerprint, operation, response FROM idempotency_keys WHERE scope = ${args.scope} AND key = ${args.idempotencyKey}
    ), account AS (
      SELECT status FROM users WHERE id = ${args.userId}
    ), slot AS (
      INSERT INTO rate_limit_counters (key, window_start, count)
      SELECT ${slot.key}, ${slot.windowStart}::timestamptz, 1
       WHERE NOT EXISTS (SELECT 1 FROM replay) AND EXISTS (SELECT 1 FROM account WHERE status = 'active')
      ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
      RETURNING count
    )
    SELECT r.fingerprint AS replay_fingerprint, r.operation AS replay_operation, r.response AS replay_response,
           (SELECT status FROM account) AS status, (SELECT count FROM slot) AS slot_count,
           (SELECT count(*)::int FROM vtu_orders
             WHERE user_id = ${args.userId} AND state IN ('held', 'submitting', 'pending', 'unknown')) AS open_orders,
           p.pin_hash, p.locked_until, p.failed_attempts
      FROM (SELECT 1) AS one
      LEFT JOIN replay r ON true
      LEFT JOIN user_pins p ON p.user_id = ${args.userId}`.execute(ctx.db);
  const row = rows[0];
  if (!row) {
    throw new Error("order pre-checks returned no row");
  }
  if (row.replay_fingerprint !== null) {
    if (row.replay_fingerprint !== fingerprintOf(args.operation, args.params)) {
      throw keyReusedError(row.replay_operation ?? "");
    }
    const orderId = row.replay_response?.orderId;
    if (orderId) {
      return { replayOrderId: orderId, pin: null };
    }
  }
  if (row.status !== "active") {
    throw accountSuspended();
  }
  if (row.slot_count !== null) {
    slot.check(row.slot_count);
  }
  if (row.open_orders >= ctx.config.VTU_MAX_OPEN_ORDERS_PER_USER) {
    throw tooManyOpenOrders(ctx, row.open_orders);
  }
  return {
    replayOrderId: undefined,
    pin:
      row.pin_hash === null
        ? null
        : {
            pin_hash: row.pin_hash,
            locked_until: row.locked_until,
            failed_attempts: row.failed_attempts ?? 0,
          },
  };
}

export function accountSuspended(): ForbiddenError {
  return new ForbiddenError("This account is suspended. Contact support.", "ACCOUNT_SUSPENDED");
}

/** S14: a cap on unresolved orders per user, so one account cannot pile up held money and provider calls. */
export function tooManyOpenOrders(ctx: ServiceContext, openOrders: number): ServiceError {
  const cap = ctx.config.VTU_MAX_OPEN_ORDERS_PER_USER;
  return new ServiceError(
    "rate_limited",
    "TOO_MANY_OPEN_ORDERS",
    `You have ${cap} orders still being processed. Wait for them to finish, then try again.`,
    { openOrders, retryAfterSeconds: 30 },
  );
}
