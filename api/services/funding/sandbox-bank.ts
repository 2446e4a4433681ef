import type { ServiceContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { koboToNairaString } from "../money";
import { storableText } from "../storable-text";
import type { PaymentsRuntime } from "./runtime";
import { receivePaymentWebhook } from "./webhook";

/**
 * The sandbox bank (issue 17 §5): a page where anyone "sends a transfer" to an account number the
 * sandbox gateway issued. The gateway books it; then the webhook Flutterwave would send is signed
 * with the sandbox secret and taken in by the very same receivePaymentWebhook, so the real
 * webhook → verify → credit path runs. Delivery can be played the ways it goes wrong in life.
 */
export const SANDBOX_DELIVERIES = {
  normal: "webhook at once",
  duplicate: "the same webhook three times at once",
  late: "webhook after SANDBOX_PENDING_SECONDS (sent by the payments sweeper)",
  missed: "no webhook (the reconciliation job finds it)",
} as const;
export type SandboxDelivery = keyof typeof SANDBOX_DELIVERIES;

export async function sendSandboxTransfer(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  accountNumber: string;
  amountKobo: number;
  senderName: string;
  delivery: SandboxDelivery;
}): Promise<{ transactionId: string; delivered: number }> {
  const { ctx, payments } = args;
  const sandbox = payments.gateway.sandbox;
  if (!sandbox) {
    throw new NotFoundError("The sandbox bank", "SANDBOX_ONLY");
  }
  if (!Number.isSafeInteger(args.amountKobo) || args.amountKobo < 100 || args.amountKobo > 1_000_000_000) {
    throw new ValidationError("Send between ₦1 and ₦10,000,000.", { field: "amount" }, "AMOUNT_OUT_OF_RANGE");
  }
  const accounts = await sandbox.listVirtualAccounts(1_000);
  if (!accounts.some((a) => a.accountNumber === args.accountNumber)) {
    throw new NotFoundError("That account number", "ACCOUNT_NOT_FOUND");
  }
  const tx = await sandbox.sendTransfer({
    accountNumber: args.accountNumber,
    amountKobo: args.amountKobo,
    senderName: storableText(args.senderName.trim().slice(0, 60)) || "SANDBOX PAYER",
    // A late webhook is a row the payments sweeper delivers when due: a restart does not lose it.
    webhookAt:
      args.delivery === "late"
        ? new Date(ctx.now().getTime() + ctx.config.SANDBOX_PENDING_SECONDS * 1000)
        : undefined,
  });
  const deliver = () =>
    deliverSandboxWebhook({
      ctx,
      payments,
      transactionId: tx.transactionId,
      txRef: tx.txRef,
      amountKobo: tx.amountKobo,
      paymentType: "bank_transfer",
    });
  switch (args.delivery) {
    case "missed":
    case "late":
      return { transactionId: tx.transactionId, delivered: 0 };
    case "duplicate":
      await Promise.all([deliver(), deliver(), deliver()]);
      return { transactionId: tx.transactionId, delivered: 3 };
    default:
      await deliver();
      return { transactionId: tx.transactionId, delivered: 1 };
  }
}

/** The sweeper's part: the sandbox bank's late webhooks whose time has come, each sent once. */
export async function deliverDueSandboxWebhooks(args: { ctx: ServiceContext; payments: PaymentsRuntime }) {
  const due = (await args.payments.gateway.sandbox?.takeDueWebhooks(100)) ?? [];
  for (const tx of due) {
    await deliverSandboxWebhook({ ...args, ...tx, paymentType: "bank_transfer" }).catch((err: unknown) =>
      // The reconciliation job lists the account's transfers and finds it anyway.
      args.ctx.logger.warn(
        { err, transactionId: tx.transactionId },
        "sandbox bank: late webhook not delivered",
      ),
    );
  }
  return due.length;
}

/** The v3 `charge.completed` webhook the gateway sends for a payment, delivered to ourselves. */
export async function deliverSandboxWebhook(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  transactionId: string;
  txRef: string;
  amountKobo: number;
  status?: string;
  paymentType: "card" | "bank_transfer";
}) {
  const rawBody = Buffer.from(
    JSON.stringify({
      event: "charge.completed",
      data: {
        id: Number(args.transactionId),
        tx_ref: args.txRef,
        flw_ref: `SANDBOX-${args.transactionId}`,
        amount: Number(koboToNairaString(args.amountKobo)),
        currency: "NGN",
        status: args.status ?? "successful",
        payment_type: args.paymentType,
      },
      "event.type": args.paymentType === "card" ? "CARD_TRANSACTION" : "BANK_TRANSFER_TRANSACTION",
    }),
  );
  return receivePaymentWebhook({
    ctx: args.ctx,
    payments: args.payments,
    headers: { verifHash: args.payments.webhookSecretHash },
    rawBody,
  });
}
