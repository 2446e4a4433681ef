import { sql } from "kysely";
import type { VtuOrderRow } from "../../../db/database";
import type { ServiceContext } from "../context";
import { ForbiddenError, ServiceError } from "../errors";
import { ledgerCallError } from "../ledger";
import type { PinRow } from "../pins";
import { moneyActionSlot } from "../rate-limits";

/**
 * Everything a purchase checks before the PIN and the money, in one statement
 * (`vtu_checked_create_order`, db migration 2026_12_06_1900, the one place these rules run), in the
 * order they apply: an earlier request with the same Idempotency-Key wins over everything, then the
 * account's status, the money-action counter (S5, counted only for a new request from an active
 * account), the open-orders cap (S14). Then either the order is made in the same statement (given
 * the hash the customer's PIN was just seen to match, and the PIN row still has it with nothing to
 * reset), or the answer is "check the PIN" with its credentials row.
 */
export type OrderChecks =
  | { kind: "replayed"; orderId: string }
  | { kind: "created"; orderId: string }
  | { kind: "check-pin"; pin: PinRow | null };

type Row = {
  order_id: string | null;
  replayed: boolean;
  refusal: string | null;
  detail: number | null;
  pin_hash: string | null;
  pin_locked_until: Date | null;
  pin_failed_attempts: number | null;
};

export async function runOrderChecks(
  ctx: ServiceContext,
  args: {
    userId: string;
    scope: string;
    key: string;
    operation: string;
    fingerprint: string;
    /** The order to make when the PIN is known: its row, description and the PIN's stored hash. */
    order?: { row: VtuOrderRow; description: string; pinHash: string };
  },
): Promise<OrderChecks> {
  const slot = moneyActionSlot(ctx, args.userId);
  let row: Row | undefined;
  try {
    const { rows } = await sql<Row>`
      SELECT * FROM vtu_checked_create_order(
        ${args.scope}, ${args.key}, ${args.operation}, ${args.fingerprint}, ${args.userId},
        ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::integer, ${args.order?.description ?? null}::text,
        ${args.order ? JSON.stringify(args.order.row) : null}::jsonb, ${slot.key}, ${slot.windowStart}::timestamptz,
        ${ctx.config.MONEY_ACTIONS_PER_MINUTE}::integer, ${ctx.config.VTU_MAX_OPEN_ORDERS_PER_USER}::integer,
        ${args.order?.pinHash ?? null}::text)`.execute(ctx.db);
    row = rows[0];
  } catch (error) {
    throw ledgerCallError(error);
  }
  if (!row) {
    throw new Error("vtu_checked_create_order returned no row");
  }
  switch (row.refusal) {
    case null:
      if (!row.order_id) {
        throw new Error("vtu_checked_create_order returned no order");
      }
      return { kind: row.replayed ? "replayed" : "created", orderId: row.order_id };
    case "suspended":
      throw new ForbiddenError("This account is suspended. Contact support.", "ACCOUNT_SUSPENDED");
    case "rate_limited":
      slot.check(Number(row.detail));
      throw new Error("vtu_checked_create_order refused a slot within the limit");
    case "too_many_open":
      throw tooManyOpenOrders(ctx, Number(row.detail));
    case "pin":
      return {
        kind: "check-pin",
        pin:
          row.pin_hash === null
            ? null
            : {
                pin_hash: row.pin_hash,
                locked_until: row.pin_locked_until,
                failed_attempts: row.pin_failed_attempts ?? 0,
              },
      };
    default:
      throw new Error(`vtu_checked_create_order: unknown refusal ${row.refusal}`);
  }
}

/** S14: a cap on unresolved orders per user, so one account cannot pile up held money and provider calls. */
function tooManyOpenOrders(ctx: ServiceContext, openOrders: number): ServiceError {
  const cap = ctx.config.VTU_MAX_OPEN_ORDERS_PER_USER;
  return new ServiceError(
    "rate_limited",
    "TOO_MANY_OPEN_ORDERS",
    `You have ${cap} orders still being processed. Wait for them to finish, then try again.`,
    { openOrders, retryAfterSeconds: 30 },
  );
}
