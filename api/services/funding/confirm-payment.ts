import type { FundingIntentRow } from "../../../db/database";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { getSystemAccountId, getWalletAccountId, postEntry, SYSTEM_ACCOUNTS } from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import type { VerifiedPayment } from "./gateway";
import { type FundingIntentDto, toIntentDto } from "./intents";
import type { PaymentsRuntime } from "./runtime";

export type ConfirmOutcome =
  /** This call credited the wallet. */
  | "credited"
  /** An earlier call (webhook, redirect, reconciliation) already did. */
  | "already_credited"
  | "pending"
  | "failed"
  /** We could not ask the gateway; try again later. */
  | "unknown"
  /** The gateway's answer does not match the intent (foreign tx_ref, currency, short amount): no credit, alert. */
  | "mismatch"
  | "not_found";

/**
 * Decide a payment by **our own verify call** (W2), never by what a webhook or redirect claims:
 * credit only when the gateway says the transaction for our tx_ref is `successful`, in NGN, for at
 * least what the intent asked. The credit is the intent's amount. One credit per payment (W3): the
 * intent row is locked, its status checked, and tx_ref, gateway id and entry are UNIQUE.
 */
export async function confirmPayment(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  /** Ours, from the webhook or the redirect (untrusted until verified). */
  txRef?: string;
  /** The gateway's transaction id, when the caller has one. */
  transactionId?: string;
  source: "webhook" | "redirect" | "reconcile";
}): Promise<{ outcome: ConfirmOutcome; intent?: FundingIntentDto }> {
  const { ctx, payments } = args;
  const verified = args.transactionId
    ? await payments.gateway.verifyById(args.transactionId)
    : args.txRef
      ? await payments.gateway.verifyByReference(args.txRef)
      : undefined;
  if (!verified) {
    return { outcome: "not_found" };
  }
  if (verified.found === "unknown") {
    ctx.logger.warn({ txRef: args.txRef, source: args.source }, "payment verify failed; will retry");
    return { outcome: "unknown" };
  }
  const txRef = verified.found ? verified.txRef : args.txRef;
  const intent = txRef ? await intentByTxRef(ctx, txRef) : undefined;
  if (!intent) {
    if (verified.found) {
      // A real, verified payment that is not ours (or a forged webhook pointing at someone else's).
      alert(ctx, "verified payment has a tx_ref we never issued", { txRef, source: args.source });
      return { outcome: "mismatch" };
    }
    return { outcome: "not_found" };
  }
  if (args.txRef && args.txRef !== intent.tx_ref) {
    alert(ctx, "webhook tx_ref and verified tx_ref differ", { claimed: args.txRef, verified: intent.tx_ref });
    return { outcome: "mismatch", intent: toIntentDto(intent, ctx.now()) };
  }
  if (!verified.found) {
    await touch(ctx, intent.id);
    return { outcome: "not_found", intent: toIntentDto(intent, ctx.now()) };
  }
  return applyVerified(ctx, intent, verified, args.source);
}

async function applyVerified(
  ctx: ServiceContext,
  intent: FundingIntentRow,
  verified: Extract<VerifiedPayment, { found: true }>,
  source: string,
): Promise<{ outcome: ConfirmOutcome; intent?: FundingIntentDto }> {
  const status = verified.status.toLowerCase();
  if (status !== "successful") {
    const failed = status === "failed" || status === "cancelled";
    const row = await withTransaction(ctx, async (trx) => {
      const locked = await lockIntent(trx, intent.id);
      if (failed && locked.status === "pending") {
        return trx
          .updateTable("funding_intents")
          .set({
            status: "failed",
            failure_reason: `payment ${status}`,
            last_checked_at: ctx.now(),
            updated_at: ctx.now(),
          })
          .where("id", "=", intent.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      }
      return locked;
    });
    return { outcome: failed ? "failed" : "pending", intent: toIntentDto(row, ctx.now()) };
  }
  const problems = [
    verified.currency !== intent.currency
      ? `currency ${verified.currency}, expected ${intent.currency}`
      : undefined,
    verified.amountKobo < intent.total_kobo
      ? `paid ${verified.amountKobo} kobo, expected ${intent.total_kobo}`
      : undefined,
  ].filter(Boolean);
  return withTransaction(ctx, async (trx) => {
    const locked = await lockIntent(trx, intent.id);
    if (locked.status === "credited") {
      return { outcome: "already_credited" as const, intent: toIntentDto(locked, ctx.now()) };
    }
    if (problems.length > 0) {
      alert(ctx, "verified payment does not match its funding intent; not credited", {
        txRef: intent.tx_ref,
        problems,
        source,
      });
      const row = await trx
        .updateTable("funding_intents")
        .set({
          status: "manual_review",
          failure_reason: problems.join("; "),
          paid_kobo: verified.amountKobo,
          updated_at: ctx.now(),
        })
        .where("id", "=", intent.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { outcome: "mismatch" as const, intent: toIntentDto(row, ctx.now()) };
    }
    if (locked.status === "manual_review") {
      // People are looking at it; a later clean verify does not override them.
      return { outcome: "pending" as const, intent: toIntentDto(locked, ctx.now()) };
    }
    // pending, or failed for lack of payment (W6: a late payment on an expired intent is still credited).
    const [clearing, wallet, revenue] = await Promise.all([
      getSystemAccountId(trx, SYSTEM_ACCOUNTS.paymentClearing),
      getWalletAccountId(trx, locked.user_id),
      getSystemAccountId(trx, SYSTEM_ACCOUNTS.feesRevenue),
    ]);
    const entryId = await postEntry(trx, {
      type: "wallet_credit",
      description: `Wallet funding ${locked.tx_ref}`,
      actor: `system:gateway:${locked.gateway}`,
      postings: [
        { accountId: clearing, amount: -locked.total_kobo },
        { accountId: wallet, amount: locked.amount_kobo },
        ...(locked.fee_kobo > 0 ? [{ accountId: revenue, amount: locked.fee_kobo }] : []),
      ],
      metadata: { fundingIntentId: locked.id, txRef: locked.tx_ref, gatewayTxId: verified.id, source },
    });
    const now = ctx.now();
    let row: FundingIntentRow;
    try {
      row = await trx
        .updateTable("funding_intents")
        .set({
          status: "credited",
          credit_entry_id: entryId,
          gateway_tx_id: verified.id,
          paid_kobo: verified.amountKobo,
          credited_at: now,
          last_checked_at: now,
          updated_at: now,
        })
        .where("id", "=", locked.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) {
        // The same gateway transaction already credited another intent: never twice.
        alert(ctx, "gateway transaction already credited to another intent", {
          txRef: locked.tx_ref,
          id: verified.id,
        });
        throw error;
      }
      throw error;
    }
    if (verified.amountKobo > locked.total_kobo) {
      ctx.logger.warn(
        { txRef: locked.tx_ref, overpaidKobo: verified.amountKobo - locked.total_kobo },
        "payment above the intent: the intent's amount was credited; refund the excess by hand",
      );
    }
    await queueNotification(trx, {
      userId: locked.user_id,
      kind: "wallet.funded",
      body: `${formatNaira(locked.amount_kobo)} has been added to your wallet.`,
      payload: { fundingIntentId: locked.id, amountKobo: locked.amount_kobo },
    });
    return { outcome: "credited" as const, intent: toIntentDto(row, now) };
  });
}

async function intentByTxRef(ctx: ServiceContext, txRef: string) {
  return ctx.db.selectFrom("funding_intents").selectAll().where("tx_ref", "=", txRef).executeTakeFirst();
}

async function lockIntent(trx: Parameters<Parameters<typeof withTransaction>[1]>[0], id: string) {
  return trx
    .selectFrom("funding_intents")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

async function touch(ctx: ServiceContext, id: string) {
  await ctx.db
    .updateTable("funding_intents")
    .set({ last_checked_at: ctx.now() })
    .where("id", "=", id)
    .execute();
}

/** Alerts are error-level log lines with `alert: true`; the admin issue turns them into messages. */
function alert(ctx: ServiceContext, message: string, details: Record<string, unknown>) {
  ctx.logger.error({ alert: true, ...details }, `ALERT: ${message}`);
}
