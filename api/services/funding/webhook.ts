import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { storableJson } from "../storable-text";
import { confirmTransfer } from "./bank-transfers";
import { confirmPayment } from "./confirm-payment";
import { findIntentByTxRef } from "./intents";
import type { PaymentsRuntime } from "./runtime";
import { parseWebhookEvent, verifyWebhookSignature } from "./webhook-signature";
import { requeryWithdrawalByReference } from "./withdrawals";

export type WebhookReceipt = {
  status: 200 | 401;
  outcome: "stored" | "duplicate" | "ignored" | "rejected";
  eventId?: number;
};

/**
 * POST /api/webhooks/flutterwave. Authenticate on the raw bytes (W1, W9), store the event once in the
 * inbox (W4: UNIQUE event key; a repeat only counts a delivery), answer fast, and leave the decision to
 * processPaymentEvent, which asks the gateway itself (W2).
 */
export async function receivePaymentWebhook(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  headers: { verifHash?: string; signature?: string };
  rawBody: Buffer;
  sourceIp?: string;
}): Promise<WebhookReceipt> {
  const { ctx, payments } = args;
  const check = verifyWebhookSignature({
    headers: args.headers,
    rawBody: args.rawBody,
    secretHash: payments.webhookSecretHash,
  });
  if (!check.ok) {
    // W1: the only write for a rejected delivery is this audit row.
    await withTransaction(ctx, (trx) =>
      recordAudit(trx, {
        actorType: "webhook",
        actorId: args.sourceIp,
        action: "webhook.rejected",
        targetType: "gateway",
        targetId: payments.gateway.code,
        reason: check.reason,
        requestId: ctx.requestId,
      }),
    );
    ctx.logger.warn(
      { alert: true, reason: check.reason },
      "ALERT: payment webhook with a bad signature rejected",
    );
    return { status: 401, outcome: "rejected" };
  }
  let json: unknown;
  try {
    // Signed by the gateway, so kept whatever it holds: a NUL or a lone surrogate in any field
    // (which jsonb refuses) is stored as its escape text instead of failing the insert (issue 13 §5).
    json = storableJson(JSON.parse(args.rawBody.toString("utf8")));
  } catch {
    ctx.logger.warn("signed payment webhook is not JSON; ignored");
    return { status: 200, outcome: "ignored" };
  }
  const event = parseWebhookEvent(json);
  if (!event) {
    ctx.logger.info("signed payment webhook of a shape we do not handle; ignored");
    return { status: 200, outcome: "ignored" };
  }
  const key = `${event.event}:${event.data.id}`;
  const stored = await ctx.db
    .insertInto("payment_webhook_events")
    .values({
      gateway: payments.gateway.code,
      event_key: key,
      event: event.event,
      scheme: check.scheme,
      payload: json as Record<string, unknown>,
    })
    .onConflict((oc) =>
      oc
        .column("event_key")
        .doUpdateSet((eb) => ({ deliveries: eb("payment_webhook_events.deliveries", "+", 1) })),
    )
    .returning(["id", "deliveries", "processed_at"])
    .executeTakeFirstOrThrow();
  if (stored.deliveries > 1 && stored.processed_at) {
    return { status: 200, outcome: "duplicate", eventId: stored.id };
  }
  await payments
    .dispatch({ name: "process-payment-event", eventId: stored.id })
    .catch((err) =>
      ctx.logger.warn({ err, eventId: stored.id }, "could not enqueue; reconciliation will process it"),
    );
  return { status: 200, outcome: stored.deliveries > 1 ? "duplicate" : "stored", eventId: stored.id };
}

/** Act on a stored event: verify the payment ourselves, or requery the transfer it names. */
export async function processPaymentEvent(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  eventId: number;
}): Promise<string> {
  const { ctx, payments } = args;
  const row = await ctx.db
    .selectFrom("payment_webhook_events")
    .selectAll()
    .where("id", "=", args.eventId)
    .executeTakeFirst();
  if (!row) {
    return "missing";
  }
  const event = parseWebhookEvent(row.payload);
  let outcome = "ignored";
  if (event?.event === "charge.completed") {
    // A card checkout's tx_ref names its funding intent; anything else (a virtual account's tx_ref,
    // or one we do not know) is a bank transfer, decided by what the gateway verifies it as.
    const checkout = event.data.tx_ref ? await findIntentByTxRef(ctx, event.data.tx_ref) : undefined;
    outcome = checkout
      ? (
          await confirmPayment({
            ctx,
            payments,
            txRef: event.data.tx_ref,
            transactionId: event.data.id,
            source: "webhook",
          })
        ).outcome
      : (
          await confirmTransfer({
            ctx,
            payments,
            transactionId: event.data.id,
            claimedTxRef: event.data.tx_ref,
            source: "webhook",
          })
        ).outcome;
  } else if (event?.event === "transfer.completed" && event.data.reference) {
    outcome = await requeryWithdrawalByReference({ ctx, payments, reference: event.data.reference });
  }
  // "unknown" (the gateway did not answer) leaves the event unprocessed for the reconciliation job.
  if (outcome !== "unknown") {
    await ctx.db
      .updateTable("payment_webhook_events")
      .set({ processed_at: ctx.now(), outcome })
      .where("id", "=", row.id)
      .execute();
  }
  return outcome;
}
