import type { BankTransferRow, VirtualAccountRow } from "../../../db/database";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { newId } from "../ids";
import {
  getSystemAccountId,
  getWalletAccountId,
  postEntry,
  SYSTEM_ACCOUNTS,
  systemAccountFor,
} from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { storableText } from "../storable-text";
import { levelLimits } from "../users/levels";
import { confirmPayment } from "./confirm-payment";
import { transferFee } from "./fees";
import type { VerifiedPayment } from "./gateway";
import { findIntentByTxRef } from "./intents";
import { fundedTodayKobo } from "./limits";
import type { PaymentsRuntime } from "./runtime";

/**
 * Bank transfers into virtual accounts (issue 17). A transfer is decided by **our own verify call**
 * by the gateway's transaction id (never by what a webhook claims), matched to its account by the
 * gateway's own tx_ref of that account (never by the payer's name or the narration), and booked
 * once: `bank_transfers` is UNIQUE per gateway transaction and written in the same transaction as
 * its ledger entry. It is either credited to the account's owner, less the transfer fee, or — when
 * it cannot be (see SuspenseReason) — held in system:transfer_suspense for an admin to credit or
 * return. Money that arrived is never refused and never lost.
 */
export type TransferOutcome =
  | "credited"
  | "suspense"
  /** An earlier call (webhook copy, reconciliation) already booked this transaction. */
  | "already_recorded"
  | "pending"
  | "failed"
  /** The gateway has no such transaction (another merchant's, or a forged id). */
  | "not_found"
  /** We could not ask the gateway; try again later. */
  | "unknown";

/** Why money that arrived is held for people instead of credited. */
export const SUSPENSE_REASONS = {
  unknown_account: "sent to an account number we do not know",
  closed_account: "sent to an account number that is closed",
  customer_blocked: "the customer's account is suspended",
  wrong_amount: "not the amount this one-time account number was for",
  already_paid: "this one-time account number was already paid",
  over_limit: "above the customer's daily funding limit",
  not_naira: "not in naira",
  below_fee: "not more than the transfer fee",
} as const;
export type SuspenseReason = keyof typeof SUSPENSE_REASONS;

type Verified = Extract<VerifiedPayment, { found: true }>;

/** Gateway words for a transfer that did not (yet) bring money. */
const NOT_PAID = new Set(["failed", "cancelled", "reversed"]);

export async function confirmTransfer(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  transactionId: string;
  /** What the webhook said the tx_ref was (a hint; the verified one decides). */
  claimedTxRef?: string;
  source: "webhook" | "reconcile" | "sandbox";
}): Promise<{ outcome: TransferOutcome; transfer?: BankTransferRow }> {
  const { ctx, payments } = args;
  const known = await findTransfer(ctx, payments.gateway.code, args.transactionId);
  if (known) {
    return { outcome: "already_recorded", transfer: known };
  }
  const verified = await payments.gateway.verifyById(args.transactionId);
  if (verified.found === "unknown") {
    ctx.logger.warn({ id: args.transactionId, source: args.source }, "transfer verify failed; will retry");
    return { outcome: "unknown" };
  }
  if (!verified.found) {
    alert(ctx, "a transfer the gateway does not know (another merchant's, or forged); nothing credited", {
      id: args.transactionId,
      claimedTxRef: args.claimedTxRef,
      source: args.source,
    });
    return { outcome: "not_found" };
  }
  if (args.claimedTxRef && args.claimedTxRef !== verified.txRef) {
    alert(ctx, "webhook tx_ref and verified tx_ref differ; the verified one is used", {
      claimed: args.claimedTxRef,
      verified: verified.txRef,
    });
  }
  const status = verified.status.toLowerCase();
  if (status !== "successful") {
    return { outcome: NOT_PAID.has(status) ? "failed" : "pending" };
  }
  const account = await ctx.db
    .selectFrom("virtual_accounts")
    .selectAll()
    .where("tx_ref", "=", verified.txRef)
    .executeTakeFirst();
  if (!account && (await findIntentByTxRef(ctx, verified.txRef))) {
    // A card checkout the payer paid by transfer on the hosted page: the checkout's own path.
    const paid = await confirmPayment({
      ctx,
      payments,
      txRef: verified.txRef,
      transactionId: verified.id,
      source: args.source === "reconcile" ? "reconcile" : "webhook",
    });
    return { outcome: paid.outcome === "credited" ? "credited" : "already_recorded" };
  }
  try {
    return await withTransaction(ctx, (trx) =>
      book(ctx, trx, payments.gateway.code, verified, account, args.source),
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      // Another call booked the same transaction between our look and our write: theirs stands.
      const booked = await findTransfer(ctx, payments.gateway.code, verified.id);
      if (booked) {
        return { outcome: "already_recorded", transfer: booked };
      }
    }
    throw error;
  }
}

function findTransfer(ctx: ServiceContext, gateway: string, gatewayTxId: string) {
  return ctx.db
    .selectFrom("bank_transfers")
    .selectAll()
    .where("gateway", "=", gateway)
    .where("gateway_tx_id", "=", gatewayTxId)
    .executeTakeFirst();
}

/**
 * Decide and book, in one transaction. The account's row is locked first, so transfers into one
 * account are decided one at a time (the one-payment rule and the daily limit see each other).
 */
async function book(
  ctx: ServiceContext,
  trx: Trx,
  gateway: string,
  verified: Verified,
  found: VirtualAccountRow | undefined,
  source: string,
): Promise<{ outcome: TransferOutcome; transfer: BankTransferRow }> {
  const account = found
    ? await trx
        .selectFrom("virtual_accounts")
        .selectAll()
        .where("id", "=", found.id)
        .forUpdate()
        .executeTakeFirstOrThrow()
    : undefined;
  const again = await trx
    .selectFrom("bank_transfers")
    .selectAll()
    .where("gateway", "=", gateway)
    .where("gateway_tx_id", "=", verified.id)
    .executeTakeFirst();
  if (again) {
    return { outcome: "already_recorded", transfer: again };
  }
  const now = ctx.now();
  const decision = await decide(ctx, trx, verified, account, now);
  const id = newId("btr", now.getTime());
  const payer = verified.payer ?? {};
  const metadata = {
    bankTransferId: id,
    gatewayTxId: verified.id,
    txRef: verified.txRef,
    virtualAccountId: account?.id ?? null,
    source,
  };
  let entryId: number;
  if (decision.kind === "credit" && account) {
    const walletId = await getWalletAccountId(trx, account.user_id);
    const clearing = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.paymentClearing, walletId);
    const revenue = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.feesRevenue, walletId);
    entryId = await postEntry(trx, {
      type: "wallet_credit",
      description: `Bank transfer into ${account.account_number ?? account.tx_ref}`,
      actor: `system:gateway:${gateway}`,
      postings: [
        { accountId: clearing, amount: -verified.amountKobo },
        { accountId: walletId, amount: decision.creditKobo },
        ...(decision.feeKobo > 0 ? [{ accountId: revenue, amount: decision.feeKobo }] : []),
      ],
      metadata,
    });
  } else {
    entryId = await postEntry(trx, {
      type: "transfer",
      description: `Bank transfer held for review (${decision.kind === "suspense" ? decision.reason : "unknown"})`,
      actor: `system:gateway:${gateway}`,
      postings: [
        {
          accountId: await getSystemAccountId(trx, SYSTEM_ACCOUNTS.paymentClearing),
          amount: -verified.amountKobo,
        },
        {
          accountId: await getSystemAccountId(trx, SYSTEM_ACCOUNTS.transferSuspense),
          amount: verified.amountKobo,
        },
      ],
      metadata,
    });
  }
  const credited = decision.kind === "credit";
  const transfer = await trx
    .insertInto("bank_transfers")
    .values({
      id,
      gateway,
      gateway_tx_id: verified.id,
      virtual_account_id: account?.id ?? null,
      user_id: account?.user_id ?? null,
      tx_ref: storableText(verified.txRef),
      paid_kobo: verified.amountKobo,
      fee_kobo: credited ? decision.feeKobo : 0,
      credit_kobo: credited ? decision.creditKobo : 0,
      currency: verified.currency,
      payer_name: clip(payer.name),
      payer_bank: clip(payer.bank),
      payer_account: clip(payer.accountNumber),
      narration: clip(payer.narration),
      status: credited ? "credited" : "suspense",
      suspense_reason: decision.kind === "suspense" ? decision.reason : null,
      entry_id: entryId,
      source,
      received_at: now,
      credited_at: credited ? now : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (account) {
    await queueNotification(trx, await noticeFor(trx, transfer, account));
  }
  if (decision.kind === "suspense") {
    alert(ctx, "a bank transfer is held in suspense for an admin", {
      bankTransferId: id,
      reason: decision.reason,
      paidKobo: verified.amountKobo,
    });
  }
  return { outcome: credited ? "credited" : "suspense", transfer };
}

type Decision =
  | { kind: "credit"; creditKobo: number; feeKobo: number }
  | { kind: "suspense"; reason: SuspenseReason };

/** The rules, in order: whose money it is, whether it may be credited, and how much. */
async function decide(
  ctx: ServiceContext,
  trx: Trx,
  verified: Verified,
  account: VirtualAccountRow | undefined,
  now: Date,
): Promise<Decision> {
  if (!account || account.status === "requested" || account.status === "refused") {
    return { kind: "suspense", reason: "unknown_account" };
  }
  if (verified.currency !== "NGN") {
    return { kind: "suspense", reason: "not_naira" };
  }
  if (account.status === "closed") {
    return { kind: "suspense", reason: "closed_account" };
  }
  const user = await trx
    .selectFrom("users")
    .select(["status", "verification_level"])
    .where("id", "=", account.user_id)
    .executeTakeFirstOrThrow();
  if (user.status !== "active") {
    return { kind: "suspense", reason: "customer_blocked" };
  }
  let credit: { creditKobo: number; feeKobo: number };
  if (account.kind === "dynamic") {
    const used = await trx
      .selectFrom("bank_transfers")
      .select("id")
      .where("virtual_account_id", "=", account.id)
      .where("status", "=", "credited")
      .executeTakeFirst();
    if (used) {
      return { kind: "suspense", reason: "already_paid" };
    }
    // Exactly what the account asked for (a late one included: the account is still theirs).
    if (verified.amountKobo !== account.total_kobo) {
      return { kind: "suspense", reason: "wrong_amount" };
    }
    credit = {
      creditKobo: account.amount_kobo ?? 0,
      feeKobo: (account.total_kobo ?? 0) - (account.amount_kobo ?? 0),
    };
  } else {
    const fee = transferFee(ctx.config, verified.amountKobo);
    if (verified.amountKobo <= fee) {
      return { kind: "suspense", reason: "below_fee" };
    }
    credit = { creditKobo: verified.amountKobo - fee, feeKobo: fee };
  }
  const limit = levelLimits(ctx.config, user.verification_level).fundingDailyKobo;
  if ((await fundedTodayKobo(trx, account.user_id, now)) + verified.amountKobo > limit) {
    return { kind: "suspense", reason: "over_limit" };
  }
  return { kind: "credit", ...credit };
}

/** The customer's message: credited (with the balance after), or held and why, in plain words. */
async function noticeFor(trx: Trx, transfer: BankTransferRow, account: VirtualAccountRow) {
  const paid = formatNaira(transfer.paid_kobo);
  const from = transfer.payer_name ? ` from ${transfer.payer_name}` : "";
  if (transfer.status === "credited") {
    const balance = await trx
      .selectFrom("postings as p")
      .innerJoin("accounts as a", "a.id", "p.account_id")
      .select("p.current_balance")
      .where("p.entry_id", "=", transfer.entry_id)
      .where("a.user_id", "=", account.user_id)
      .executeTakeFirstOrThrow();
    const added =
      transfer.fee_kobo > 0
        ? ` ${formatNaira(transfer.credit_kobo)} added to your wallet (${formatNaira(transfer.fee_kobo)} transfer fee).`
        : " Added to your wallet.";
    return {
      userId: account.user_id,
      kind: "wallet.transfer_received",
      body: `${paid} received by bank transfer${from}.${added} Balance: ${formatNaira(balance.current_balance)}.`,
      payload: {
        bankTransferId: transfer.id,
        notice: {
          paidKobo: transfer.paid_kobo,
          creditKobo: transfer.credit_kobo,
          feeKobo: transfer.fee_kobo,
          balanceKobo: balance.current_balance,
          payerName: transfer.payer_name,
        },
      },
    };
  }
  return {
    userId: account.user_id,
    kind: "wallet.transfer_held",
    body: `${paid} arrived by bank transfer${from}, but it was ${SUSPENSE_REASONS[transfer.suspense_reason as SuspenseReason] ?? "not as expected"}. The money is safe with us: our team will check it and credit or return it, and tell you here.`,
    payload: {
      bankTransferId: transfer.id,
      notice: {
        paidKobo: transfer.paid_kobo,
        reason: transfer.suspense_reason,
        payerName: transfer.payer_name,
      },
    },
  };
}

/** Payer details are display text from outside: bounded, and storable (no NUL, no lone surrogate). */
function clip(text: string | undefined): string | null {
  return text ? storableText(text.slice(0, 120)) : null;
}

/** Alerts are error-level log lines with `alert: true`; the admin alerts turn them into messages. */
function alert(ctx: ServiceContext, message: string, details: Record<string, unknown>) {
  ctx.logger.error({ alert: true, ...details }, `ALERT: ${message}`);
}
