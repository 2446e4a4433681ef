import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { confirmPayment } from "./confirm-payment";
import type { PaymentsRuntime } from "./runtime";

/** How long we keep asking about an intent that never saw a payment before calling it failed. */
const GIVE_UP_AFTER_HOURS = 48;

/**
 * W7: webhooks get lost. Verify every pending intent by its reference and credit the paid ones
 * (confirmPayment is idempotent: an intent already credited stays credited once). Intents with no
 * payment long after their expiry are closed as failed — a payment that still turns up later is
 * credited all the same (W6).
 */
export async function reconcileFunding(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  limit?: number;
}) {
  const { ctx, payments } = args;
  const now = ctx.now();
  const pending = await ctx.db
    .selectFrom("funding_intents")
    .select(["id", "tx_ref", "created_at", "expires_at"])
    .where("status", "=", "pending")
    .orderBy("created_at")
    .limit(args.limit ?? 500)
    .execute();
  const counts: Record<string, number> = {};
  for (const intent of pending) {
    const { outcome } = await confirmPayment({ ctx, payments, txRef: intent.tx_ref, source: "reconcile" });
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    const stale = now.getTime() - intent.expires_at.getTime() > GIVE_UP_AFTER_HOURS * 3_600_000;
    if (outcome === "not_found" && stale) {
      await ctx.db
        .updateTable("funding_intents")
        .set({ status: "failed", failure_reason: "no payment received", updated_at: now })
        .where("id", "=", intent.id)
        .where("status", "=", "pending")
        .execute();
    }
  }
  if (pending.length > 0) {
    ctx.logger.info({ checked: pending.length, ...counts }, "funding reconciliation");
  }
  return { checked: pending.length, outcomes: counts };
}

/**
 * Trigger what is due: stored webhook events nobody processed (the enqueue failed, or the gateway
 * did not answer), and withdrawals whose next step is due (a lost job, a dead worker, a requery).
 */
export async function sweepPayments(args: { ctx: ServiceContext; payments: PaymentsRuntime }) {
  const { ctx, payments } = args;
  const events = await ctx.db
    .selectFrom("payment_webhook_events")
    .select("id")
    .where("processed_at", "is", null)
    .where("received_at", "<", sql<Date>`${ctx.now()}::timestamptz - interval '30 seconds'`)
    .limit(200)
    .execute();
  for (const e of events) {
    await payments.dispatch({ name: "process-payment-event", eventId: e.id }).catch(() => undefined);
  }
  const due = await ctx.db
    .selectFrom("withdrawals")
    .select(["id", "state", "requery_count", "next_check_at"])
    .where("next_check_at", "<=", ctx.now())
    .limit(200)
    .execute();
  for (const w of due) {
    const stamp = `${w.next_check_at?.getTime() ?? 0}-${w.requery_count}`;
    await payments
      .dispatch(
        w.state === "held"
          ? { name: "submit-withdrawal", withdrawalId: w.id, dedupe: stamp }
          : { name: "requery-withdrawal", withdrawalId: w.id, dedupe: stamp },
      )
      .catch(() => undefined);
  }
  return { events: events.length, withdrawals: due.length };
}
