import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { confirmPayment } from "./confirm-payment";
import type { PaymentsRuntime } from "./runtime";
import { deliverDueSandboxWebhooks } from "./sandbox-bank";
import { sweepVirtualAccounts } from "./virtual-accounts";

export type ReconcileSummary = {
  /** Intents asked about. */
  checked: number;
  /** Credited by this run. */
  credited: number;
  /** Intents whose processing threw (logged one by one; the run went on with the others). */
  errors: number;
  /** How many of each confirmPayment outcome. */
  outcomes: Record<string, number>;
};

/**
 * W7: webhooks get lost. Ask the gateway about every intent not credited yet — pending, and failed
 * too, since a payer whose card was declined can retry on the same checkout and pay — until
 * FUNDING_RECONCILE_WINDOW_HOURS after its checkout expired. confirmPayment looks at every attempt
 * on the tx_ref and credits through the one credit path (an intent credits once, W3). A pending
 * intent with no payment at the end of the window is closed as failed; a payment that turns up on it
 * later (webhook, redirect) is still credited (W6). One intent that throws is logged and counted,
 * and the run goes on with the others.
 */
export async function reconcileFunding(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  limit?: number;
}): Promise<ReconcileSummary> {
  const { ctx, payments } = args;
  const now = ctx.now();
  // Checkouts that expired before this are no longer asked about (unless still pending: closed below).
  const windowStart = new Date(now.getTime() - ctx.config.FUNDING_RECONCILE_WINDOW_HOURS * 3_600_000);
  const intents = await ctx.db
    .selectFrom("funding_intents")
    .select(["id", "tx_ref", "status", "expires_at"])
    .where((eb) =>
      eb.or([
        eb("status", "=", "pending"),
        eb.and([eb("status", "=", "failed"), eb("expires_at", ">=", windowStart)]),
      ]),
    )
    .orderBy("created_at")
    .limit(args.limit ?? 500)
    .execute();
  const summary: ReconcileSummary = { checked: 0, credited: 0, errors: 0, outcomes: {} };
  for (const intent of intents) {
    summary.checked += 1;
    try {
      const { outcome } = await confirmPayment({ ctx, payments, txRef: intent.tx_ref, source: "reconcile" });
      summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
      if (outcome === "credited") {
        summary.credited += 1;
      }
      if (intent.status === "pending" && outcome === "not_found" && intent.expires_at < windowStart) {
        await ctx.db
          .updateTable("funding_intents")
          .set({ status: "failed", failure_reason: "no payment received", updated_at: now })
          .where("id", "=", intent.id)
          .where("status", "=", "pending")
          .execute();
      }
    } catch (err) {
      summary.errors += 1;
      ctx.logger.error(
        { err, txRef: intent.tx_ref, fundingIntentId: intent.id },
        "funding reconciliation: this intent failed; going on with the others",
      );
    }
  }
  if (intents.length > 0) {
    ctx.logger.info(summary, "funding reconciliation");
  }
  return summary;
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
  const accounts = await sweepVirtualAccounts({ ctx, payments });
  const lateWebhooks = await deliverDueSandboxWebhooks({ ctx, payments });
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
  return { events: events.length, withdrawals: due.length, virtualAccounts: accounts, lateWebhooks };
}
