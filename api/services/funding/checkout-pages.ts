import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { koboToNairaString } from "../money";
import { getWalletBalance } from "../wallet";
import { type ConfirmOutcome, confirmPayment } from "./confirm-payment";
import { type FundingIntentDto, findIntentByTxRef, toIntentDto } from "./intents";
import type { PaymentsRuntime } from "./runtime";
import { receivePaymentWebhook } from "./webhook";

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
  return { intent: toIntentDto(intent, args.ctx.now()), checkoutStatus: checkout.status };
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
  const rawBody = Buffer.from(
    JSON.stringify({
      event: "charge.completed",
      data: {
        id: Number(tx.transactionId),
        tx_ref: txRef,
        flw_ref: `SANDBOX-${tx.transactionId}`,
        amount: Number(koboToNairaString(tx.amountKobo)),
        currency: "NGN",
        status: tx.status,
        payment_type: "card",
      },
      "event.type": "CARD_TRANSACTION",
    }),
  );
  await receivePaymentWebhook({ ctx, payments, headers: { verifHash: payments.webhookSecretHash }, rawBody });
  const query = new URLSearchParams({ status: tx.status, tx_ref: txRef, transaction_id: tx.transactionId });
  return { redirectTo: `/fund/callback?${query.toString()}` };
}

export type FundingResult = {
  outcome: ConfirmOutcome;
  intent?: FundingIntentDto;
  /** The wallet after this payment, when it was credited. */
  balanceKobo?: number;
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
  const result = await confirmPayment({ ...args, source: "redirect" });
  const row = await findIntentByTxRef(ctx, args.txRef);
  if (!row) {
    return { outcome: result.outcome };
  }
  const intent = toIntentDto(row, ctx.now());
  const balance =
    intent.status === "credited"
      ? (await getWalletBalance({ ctx, userId: row.user_id })).balanceKobo
      : undefined;
  return { outcome: result.outcome, intent, balanceKobo: balance };
}
