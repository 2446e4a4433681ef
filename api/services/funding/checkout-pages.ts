import type { FundingIntentRow } from "../../../db/database";
import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { type ConfirmOutcome, confirmPayment } from "./confirm-payment";
import { type FundingIntentDto, findIntentByTxRef, toIntentDto } from "./intents";
import type { PaymentsRuntime } from "./runtime";
import { deliverSandboxWebhook } from "./sandbox-bank";

/** What the sandbox checkout page shows: the amount to pay and whether it is still open. */
export async function getSandboxCheckout(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef: string;
}) {
  const sandbox = args.payments.gateway.sandbox;
  const intent = sandbox ? await findIntentByTxRef(args.ctx, args.txRef) : undefined;
  const checkout = intent && sandbox ? await sandbox.getCheckout(args.txRef) : undefined;
  if (!intent || !checkout) {
    throw new NotFoundError("That checkout", "CHECKOUT_NOT_FOUND");
  }
  return {
    intent: toIntentDto(intent, args.ctx.now()),
    checkoutStatus: checkout.status,
    channel: intent.channel,
  };
}

/**
 * The payer pressed "Pay" or "Fail" on the sandbox page. The sandbox gateway records it, then we
 * deliver the webhook it would send — signed with the sandbox secret and taken in by the very same
 * receivePaymentWebhook as Flutterwave's — and send the browser to the redirect callback, like
 * Flutterwave's hosted page does.
 */
export async function completeSandboxCheckout(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef: string;
  action: "pay" | "fail";
}): Promise<{ redirectTo: string }> {
  const { ctx, payments, txRef } = args;
  await getSandboxCheckout(args);
  const sandbox = payments.gateway.sandbox;
  if (!sandbox) {
    throw new NotFoundError("That checkout", "CHECKOUT_NOT_FOUND");
  }
  const tx = await sandbox.settleCheckout(txRef, args.action);
  await deliverSandboxWebhook({
    ctx,
    payments,
    transactionId: tx.transactionId,
    txRef,
    amountKobo: tx.amountKobo,
    status: tx.status,
    paymentType: "card",
  });
  const query = new URLSearchParams({ status: tx.status, tx_ref: txRef, transaction_id: tx.transactionId });
  return { redirectTo: `/fund/callback?${query.toString()}` };
}

export type FundingResult = {
  outcome: ConfirmOutcome;
  intent?: FundingIntentDto;
  /** The wallet balance right after this payment was credited (not now). */
  balanceKobo?: number;
  /** The chat the top-up was started from (telegram, whatsapp, api…): where "back" goes. */
  channel?: string;
  /**
   * A declined payment: the same checkout, while its link is still valid, to pay again. Safe to
   * reuse: one intent is credited at most once, and a payment on a failed intent still is (W6).
   */
  retryUrl?: string;
};

/**
 * GET /fund/callback: where the gateway sends the payer back. The query string is untrusted: we run
 * the same verify as the webhook (whichever comes first credits; the other finds it credited).
 */
export async function showFundingResult(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef?: string;
  transactionId?: string;
}): Promise<FundingResult> {
  const { ctx } = args;
  if (!args.txRef) {
    return { outcome: "not_found" };
  }
  try {
    return await confirmAndDescribe({ ...args, txRef: args.txRef });
  } catch (err) {
    // The redirect is a courtesy to the payer, not how money moves: the webhook and the
    // reconciliation job credit the payment whatever happens here. So a failure while confirming
    // (a dropped connection, a restart under way) shows "not confirmed yet" and is logged, never a
    // 500 page (the CI soak saw one, once).
    ctx.logger.error(
      { err, txRef: args.txRef },
      "payment redirect could not confirm; the webhook and reconciliation will",
    );
    return { outcome: "unknown" };
  }
}

async function confirmAndDescribe(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef: string;
  transactionId?: string;
}): Promise<FundingResult> {
  const { ctx } = args;
  const result = await confirmPayment({ ...args, source: "redirect" });
  if (result.outcome === "mismatch") {
    // A tampered or foreign link: say nothing about any intent or wallet.
    return { outcome: "mismatch" };
  }
  const row = await findIntentByTxRef(ctx, args.txRef);
  if (!row) {
    return { outcome: result.outcome };
  }
  const declined = row.status === "failed" && result.outcome === "failed";
  return {
    outcome: result.outcome,
    intent: toIntentDto(row, ctx.now()),
    balanceKobo: await balanceAfterCredit(ctx, row),
    channel: row.channel,
    retryUrl: declined && row.checkout_link && row.expires_at > ctx.now() ? row.checkout_link : undefined,
  };
}

/**
 * The wallet balance right after this payment's credit (from the ledger's balance chain), not the
 * balance now: the page is reachable by its link alone, so an old link must not keep showing the
 * owner's current balance.
 */
async function balanceAfterCredit(
  ctx: ServiceContext,
  intent: FundingIntentRow,
): Promise<number | undefined> {
  if (intent.status !== "credited" || intent.credit_entry_id === null) {
    return undefined;
  }
  const posting = await ctx.db
    .selectFrom("postings as p")
    .innerJoin("accounts as a", "a.id", "p.account_id")
    .select("p.current_balance")
    .where("p.entry_id", "=", intent.credit_entry_id)
    .where("a.user_id", "=", intent.user_id)
    .executeTakeFirst();
  return posting?.current_balance;
}
