import type { VtuOrderRow } from "../../../db/database";
import type { ServiceContext, Trx } from "../context";

/**
 * Truth after delivery (DESIGN §12). A provider can take a delivery back: Inlomax documents only
 * success / processing / failed, so a requery that says `failed` for an order we booked as delivered
 * is how a reversal arrives. Webhooks announcing it are unsigned and can be lost, and a process can
 * die before it hears of it, so every delivered order keeps a persisted schedule: the provider that
 * delivered it is asked again at fixed offsets after delivery (VTU_VERIFY_AFTER_DELIVERY, or the
 * provider's own list). The sweeper runs what is due (`verify_due_at`); a definite failure or
 * reversal in the answer reverses the order once (transitions.ts, reverseOrder).
 */

/** The offsets (seconds after delivery) for a provider: its own list, else the configured default. */
export async function verifyOffsetsFor(trx: Trx, ctx: ServiceContext, provider: string): Promise<number[]> {
  const row = await trx
    .selectFrom("vtu_providers")
    .select("verify_offsets_seconds")
    .where("code", "=", provider)
    .executeTakeFirst();
  const offsets = row?.verify_offsets_seconds ?? ctx.config.VTU_VERIFY_AFTER_DELIVERY;
  return [...offsets].sort((a, b) => a - b);
}

/** The first scheduled check strictly after `now`, or null when the schedule is over. */
export function nextScheduledCheck(deliveredAt: Date, offsets: readonly number[], now: Date): Date | null {
  for (const seconds of offsets) {
    const at = new Date(deliveredAt.getTime() + seconds * 1000);
    if (at > now) {
      return at;
    }
  }
  return null;
}

/** The first check, set when the order is delivered. */
export async function firstVerificationAt(
  trx: Trx,
  ctx: ServiceContext,
  provider: string,
  deliveredAt: Date,
): Promise<Date | null> {
  return nextScheduledCheck(deliveredAt, await verifyOffsetsFor(trx, ctx, provider), deliveredAt);
}

/**
 * After a post-delivery requery that did not reverse the order. A clear "delivered" moves to the
 * next offset. An unclear answer (timeout, pending, "not found") proves nothing either way, so it is
 * asked again after VTU_REQUERY_MAX_SECONDS, but not past the last offset plus the manual-review
 * window: a provider that never answers clearly cannot keep an order under watch for ever.
 */
export async function scheduleNextVerification(
  trx: Trx,
  ctx: ServiceContext,
  order: Pick<VtuOrderRow, "id" | "provider" | "delivered_at">,
  answer: "confirmed" | "unclear",
): Promise<Date | null> {
  const now = ctx.now();
  const deliveredAt = order.delivered_at ?? now;
  const offsets = order.provider ? await verifyOffsetsFor(trx, ctx, order.provider) : [];
  let next = nextScheduledCheck(deliveredAt, offsets, now);
  if (answer === "unclear") {
    const retry = new Date(now.getTime() + ctx.config.VTU_REQUERY_MAX_SECONDS * 1000);
    const last = offsets.at(-1) ?? 0;
    const giveUpAt =
      deliveredAt.getTime() + last * 1000 + ctx.config.VTU_MANUAL_REVIEW_AFTER_MINUTES * 60_000;
    if (retry.getTime() <= giveUpAt && (next === null || retry < next)) {
      next = retry;
    }
    if (next === null) {
      ctx.logger.warn(
        { orderId: order.id, provider: order.provider },
        "post-delivery checks ended without a clear answer from the provider",
      );
    }
  }
  await trx
    .updateTable("vtu_orders")
    .set((eb) => ({
      verify_due_at: next,
      verify_count: eb("verify_count", "+", 1),
      lease_owner: null,
      updated_at: now,
    }))
    .where("id", "=", order.id)
    .execute();
  return next;
}
