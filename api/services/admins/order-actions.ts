import type { OrderState, VtuOrderRow } from "../../../db/database";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ServiceError, ValidationError } from "../errors";
import { requeryOrder } from "../vtu/process-order";
import { resendOrderReceipt } from "../vtu/resend-receipt";
import type { VtuRuntime } from "../vtu/runtime";
import { deliverOrder, failOrder } from "../vtu/transitions";
import { hasRole, type SignedInAdmin } from "./sessions";

type Actor = Pick<SignedInAdmin, "id" | "role">;

/** The states people resolve by hand: the money is still held and nobody knows the outcome for sure. */
export const UNRESOLVED_ORDER_STATES: readonly OrderState[] = ["pending", "unknown", "manual_review"];

export function isUnresolved(state: string): boolean {
  return (UNRESOLVED_ORDER_STATES as readonly string[]).includes(state);
}

function assertAdmin(admin: Actor): void {
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError(
      "Support can look, not change: ask an admin to resolve this order.",
      "ROLE_REQUIRED",
    );
  }
}

function reasonOf(reason: string | undefined): string {
  const text = (reason ?? "").trim();
  if (text.length < 5 || text.length > 500) {
    throw new ValidationError("reason: say why (5 to 500 characters); it goes into the audit log.", {
      field: "reason",
    });
  }
  return text;
}

/** The clear refusal for an order that is not (or no longer) waiting for a person. */
function notUnresolved(order: Pick<VtuOrderRow, "id" | "state">, what: string): ConflictError {
  const now =
    order.state === "delivered"
      ? "it is already delivered"
      : order.state === "failed"
        ? "it already failed and its money went back"
        : order.state === "reversed"
          ? "it was reversed and its money went back"
          : `it is ${order.state.replace("_", " ")} and a worker is handling it`;
  return new ConflictError(
    `Cannot ${what} ${order.id}: ${now}. Only pending, unknown or manual-review orders can be resolved here; reload the page to see its state.`,
    "ORDER_NOT_UNRESOLVED",
    { state: order.state },
  );
}

async function lockOrder(trx: Trx, orderId: string): Promise<VtuOrderRow> {
  const order = await trx
    .selectFrom("vtu_orders")
    .selectAll()
    .where("id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) {
    throw new NotFoundError("Order");
  }
  return order;
}

/**
 * Ask the provider now instead of waiting for the next sweep: the same requeryOrder the jobs run
 * (it locks, asks outside any transaction, applies the answer under the lock). The provider call
 * cannot sit inside a transaction, so the audit row is written right after, with the states seen
 * before and after.
 */
export async function requeryOrderNow(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime | undefined;
  admin: Actor;
  orderId: string;
  reason?: string;
}): Promise<{ before: OrderState; after: OrderState }> {
  const { ctx, vtu, admin, orderId } = args;
  assertAdmin(admin);
  if (!vtu) {
    throw new ServiceError(
      "unavailable",
      "VTU_UNAVAILABLE",
      "This process has no VTU providers configured, so it cannot ask one. The sweep job will requery the order; or use the panel of the API server.",
    );
  }
  const before = await ctx.db
    .selectFrom("vtu_orders")
    .select(["id", "state"])
    .where("id", "=", orderId)
    .executeTakeFirst();
  if (!before) {
    throw new NotFoundError("Order");
  }
  if (!isUnresolved(before.state)) {
    throw notUnresolved(before, "requery");
  }
  await requeryOrder({ ctx, vtu, orderId });
  const after = await ctx.db
    .selectFrom("vtu_orders")
    .select("state")
    .where("id", "=", orderId)
    .executeTakeFirstOrThrow();
  await withTransaction(ctx, (trx) =>
    recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "order.requery",
      targetType: "order",
      targetId: orderId,
      before: { state: before.state },
      after: { state: after.state },
      reason: args.reason?.trim() || undefined,
    }),
  );
  return { before: before.state, after: after.state };
}

/**
 * The provider confirmed (by phone, on its dashboard) that it delivered: settle the order exactly
 * as a "delivered" answer would (deliverOrder posts the hold, books cost and margin). The order row
 * lock and the state check make a second click a clear conflict, never a second settlement.
 */
export async function markOrderDelivered(args: {
  ctx: ServiceContext;
  admin: Actor;
  orderId: string;
  /** `token`: a prepaid meter's token as the provider gave it (stored encrypted, never audited). */
  input: { reference: string; reason: string; token?: string };
}): Promise<{ before: OrderState; after: OrderState }> {
  const { ctx, admin, orderId } = args;
  assertAdmin(admin);
  const reference = (args.input.reference ?? "").trim();
  if (reference.length < 3 || reference.length > 120) {
    throw new ValidationError(
      "reference: the provider's reference for this delivery (3 to 120 characters), as their dashboard or support shows it.",
      { field: "reference" },
    );
  }
  const reason = reasonOf(args.input.reason);
  const token = (args.input.token ?? "").replace(/[\s-]/g, "");
  if (token && !/^\d{16,24}$/.test(token)) {
    throw new ValidationError("token: the meter token's 16 to 24 digits (spaces and dashes are fine).", {
      field: "token",
    });
  }
  return withTransaction(ctx, async (trx) => {
    const order = await lockOrder(trx, orderId);
    if (!isUnresolved(order.state)) {
      throw notUnresolved(order, "mark delivered");
    }
    if (token && !(order.service === "electricity" && order.meter_type === "prepaid")) {
      throw new ValidationError("token: only a prepaid electricity order has a token; leave it empty.", {
        field: "token",
      });
    }
    const attempt = await trx
      .selectFrom("vtu_attempts")
      .selectAll()
      .where("order_id", "=", orderId)
      .where("state", "in", ["submitting", "pending", "unknown"])
      .forUpdate()
      .executeTakeFirst();
    if (!attempt) {
      throw new ConflictError(
        `Order ${orderId} has no provider attempt in flight to settle against; refund it instead if nothing was delivered.`,
        "NO_LIVE_ATTEMPT",
      );
    }
    const now = ctx.now();
    await trx
      .updateTable("vtu_attempts")
      .set({
        state: "delivered",
        provider_reference: attempt.provider_reference ?? reference,
        message: `Marked delivered by an admin (reference ${reference})`,
        updated_at: now,
      })
      .where("id", "=", attempt.id)
      .execute();
    await deliverOrder(
      trx,
      ctx,
      order,
      { ...attempt, state: "delivered" },
      {
        outcome: "delivered",
        providerReference: reference,
        token: token || undefined,
        message: "Marked delivered by an admin",
        raw: { durationMs: 0 },
      },
    );
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "order.mark_delivered",
      targetType: "order",
      targetId: orderId,
      before: { state: order.state, attemptState: attempt.state },
      after: {
        state: "delivered",
        provider: attempt.provider,
        reference,
        ...(token ? { token: "given" } : {}),
      },
      reason,
    });
    return { before: order.state, after: "delivered" as const };
  });
}

/**
 * Nothing was delivered (the provider says so): fail the order through failOrder, which voids the
 * hold (the refund) and, for a gift, reopens the room's slot (releaseFailedGift). The attempt is
 * closed as failed, so a late "delivered" from the provider is logged as the error it is. The lock
 * and the state check make the refund happen once; a second click gets a conflict.
 */
export async function refundOrder(args: {
  ctx: ServiceContext;
  admin: Actor;
  orderId: string;
  input: { reason: string };
}): Promise<{ before: OrderState; after: OrderState; refundedKobo: number }> {
  const { ctx, admin, orderId } = args;
  assertAdmin(admin);
  const reason = reasonOf(args.input.reason);
  return withTransaction(ctx, async (trx) => {
    const order = await lockOrder(trx, orderId);
    if (!isUnresolved(order.state)) {
      throw notUnresolved(order, "refund");
    }
    const now = ctx.now();
    await trx
      .updateTable("vtu_attempts")
      .set({ state: "failed", retry_elsewhere: false, message: "Refunded by an admin", updated_at: now })
      .where("order_id", "=", orderId)
      .where("state", "in", ["submitting", "pending", "unknown"])
      .execute();
    await failOrder(trx, ctx, order, `refunded by admin ${admin.id}: ${reason}`);
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "order.refund",
      targetType: "order",
      targetId: orderId,
      before: { state: order.state },
      after: { state: "failed", refundedKobo: order.price_kobo, channel: order.channel },
      reason,
    });
    return { before: order.state, after: "failed" as const, refundedKobo: order.price_kobo };
  });
}

/**
 * Send a delivered order's receipt to its owner's chat again (support may): resendOrderReceipt
 * queues the notification; the audit row is written in the same transaction.
 */
export async function adminResendReceipt(args: {
  ctx: ServiceContext;
  admin: Actor;
  orderId: string;
}): Promise<{ queued: true; orderId: string; userId: string }> {
  const { ctx, admin, orderId } = args;
  if (!hasRole(admin, "support")) {
    throw new ForbiddenError("Your role cannot resend receipts.", "ROLE_REQUIRED");
  }
  return withTransaction(ctx, async (trx) => {
    const order = await trx
      .selectFrom("vtu_orders")
      .select(["id", "user_id", "state"])
      .where("id", "=", orderId)
      .executeTakeFirst();
    if (!order) {
      throw new NotFoundError("Order");
    }
    await resendOrderReceipt({ ctx: { ...ctx, db: trx }, userId: order.user_id, orderId });
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "order.resend_receipt",
      targetType: "order",
      targetId: orderId,
      after: { userId: order.user_id },
    });
    return { queued: true as const, orderId, userId: order.user_id };
  });
}
