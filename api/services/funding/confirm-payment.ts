import { sql } from "kysely";
import type { FundingIntentRow } from "../../../db/database";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ledgerCallError } from "../ledger";
import { formatNaira } from "../money";
import { notificationArgs } from "../notifications";
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
 * credit only when the gateway says a transaction for our tx_ref is `successful`, in NGN, for at
 * least what the intent asked. The credit is the intent's amount. One credit per payment (W3): the
 * intent row is locked, its status checked, and tx_ref, gateway id and entry are UNIQUE (the ledger
 * allows one funding credit per intent and per gateway transaction).
 *
 * With a transaction id (webhook, redirect) that transaction is verified. With only a tx_ref
 * (reconciliation, a redirect without an id) every attempt the gateway lists for it is considered,
 * each verified by its id: a checkout can carry a declined card and then a paid retry.
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
  if (args.transactionId) {
    return confirmTransaction({ ...args, transactionId: args.transactionId });
  }
  if (args.txRef) {
    return confirmReference({ ...args, txRef: args.txRef });
  }
  return { outcome: "not_found" };
}

type ConfirmResult = { outcome: ConfirmOutcome; intent?: FundingIntentDto };
type Verified = Extract<VerifiedPayment, { found: true }>;

/** Gateway words for an attempt that took no money; anything else may have and is verified. */
const DECLINED = new Set(["failed", "cancelled"]);

async function confirmTransaction(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef?: string;
  transactionId: string;
  source: string;
}): Promise<ConfirmResult> {
  const { ctx } = args;
  const verified = await args.payments.gateway.verifyById(args.transactionId);
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

/**
 * Every attempt on the tx_ref, each verified by id. A qualifying paid attempt credits; doubt (an
 * attempt we could not verify) waits for the next run rather than sending a real payment to review;
 * a paid attempt that does not match goes to review; otherwise pending, or declined.
 */
async function confirmReference(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  txRef: string;
  source: string;
}): Promise<ConfirmResult> {
  const { ctx, payments } = args;
  const intent = await intentByTxRef(ctx, args.txRef);
  if (!intent) {
    return { outcome: "not_found" };
  }
  const listed = await payments.gateway.listPayments(intent.tx_ref);
  if (listed.found === "unknown") {
    ctx.logger.warn({ txRef: intent.tx_ref, source: args.source }, "payment list failed; will retry");
    return { outcome: "unknown", intent: toIntentDto(intent, ctx.now()) };
  }
  if (listed.attempts.length === 0) {
    await touch(ctx, intent.id);
    return { outcome: "not_found", intent: toIntentDto(intent, ctx.now()) };
  }
  const verified: Verified[] = [];
  let unanswered = false;
  for (const attempt of listed.attempts) {
    if (DECLINED.has(attempt.status)) {
      continue;
    }
    const result = await payments.gateway.verifyById(attempt.id);
    if (result.found === true && result.txRef === intent.tx_ref) {
      verified.push(result);
    } else if (result.found === true) {
      alert(ctx, "a transaction listed under our tx_ref verifies as another tx_ref; ignored", {
        txRef: intent.tx_ref,
        id: attempt.id,
        verifiedTxRef: result.txRef,
      });
    } else {
      // Listed but not verifiable (yet), or the gateway did not answer: ask again next time.
      unanswered = true;
    }
  }
  const paid = verified.filter((v) => v.status === "successful");
  const good = paid.find((v) => paymentProblems(intent, v).length === 0);
  if (good) {
    for (const other of paid.filter((v) => v !== good)) {
      alert(ctx, "more than one paid attempt on one tx_ref; one is credited, refund the other by hand", {
        txRef: intent.tx_ref,
        credited: good.id,
        id: other.id,
      });
    }
    return applyVerified(ctx, intent, good, args.source);
  }
  if (unanswered) {
    return { outcome: "unknown", intent: toIntentDto(intent, ctx.now()) };
  }
  const [mismatched] = paid;
  if (mismatched) {
    return applyVerified(ctx, intent, mismatched, args.source);
  }
  const [open] = verified; // pending, or a word we do not know: not paid yet, not declined either
  if (open) {
    return applyVerified(ctx, intent, open, args.source);
  }
  // Every attempt was declined.
  return recordNotPaid(ctx, intent, listed.attempts[0]?.status ?? "failed");
}

/** Why a successful payment cannot be credited to this intent as it stands (empty: it can). */
function paymentProblems(intent: FundingIntentRow, verified: Verified): string[] {
  return [
    verified.currency !== intent.currency
      ? `currency ${verified.currency}, expected ${intent.currency}`
      : undefined,
    verified.amountKobo < intent.total_kobo
      ? `paid ${verified.amountKobo} kobo, expected ${intent.total_kobo}`
      : undefined,
  ].filter((p): p is string => p !== undefined);
}

/** A payment that took no money: a pending intent becomes failed (declined); anything else stays. */
async function recordNotPaid(
  ctx: ServiceContext,
  intent: FundingIntentRow,
  status: string,
): Promise<ConfirmResult> {
  const failed = DECLINED.has(status);
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

async function applyVerified(
  ctx: ServiceContext,
  intent: FundingIntentRow,
  verified: Verified,
  source: string,
): Promise<ConfirmResult> {
  const status = verified.status.toLowerCase();
  if (status !== "successful") {
    return recordNotPaid(ctx, intent, status);
  }
  const problems = paymentProblems(intent, verified);
  if (problems.length > 0) {
    return holdForReview(ctx, intent, verified, source, problems);
  }
  // pending, or failed for lack of payment (W6: a late payment on an expired intent is still
  // credited).
  const answer = await creditInOneCall(ctx, intent, verified, source);
  if (answer.outcome === "already_credited") {
    alertIfSecondPayment(ctx, intent.tx_ref, answer.credited_tx_id, verified.id);
  }
  if (answer.outcome === "credited" && verified.amountKobo > intent.total_kobo) {
    ctx.logger.warn(
      { txRef: intent.tx_ref, overpaidKobo: verified.amountKobo - intent.total_kobo },
      "payment above the intent: the intent's amount was credited; refund the excess by hand",
    );
  }
  const row = await ctx.db
    .selectFrom("funding_intents")
    .selectAll()
    .where("id", "=", intent.id)
    .executeTakeFirstOrThrow();
  return { outcome: answer.outcome, intent: toIntentDto(row, ctx.now()) };
}

type CreditAnswer = {
  outcome: "credited" | "already_credited" | "pending";
  /** The gateway transaction the intent was credited for (already_credited). */
  credited_tx_id: string | null;
};

/**
 * One call of funding_credit_intent (migration 2026_12_06_2300): the intent locked and checked
 * (credited already, or under review: nothing written), the entry, the intent marked credited and
 * the customer told, so the wallet's row is locked for one statement (DECISIONS §52).
 */
async function creditInOneCall(
  ctx: ServiceContext,
  intent: FundingIntentRow,
  verified: Verified,
  source: string,
): Promise<CreditAnswer> {
  const notification = {
    kind: "wallet.funded",
    body: `${formatNaira(intent.amount_kobo)} has been added to your wallet.`,
    payload: {
      fundingIntentId: intent.id,
      amountKobo: intent.amount_kobo,
      notice: { amountKobo: intent.amount_kobo },
    },
  };
  const notify = notificationArgs(notification);
  const metadata = { fundingIntentId: intent.id, txRef: intent.tx_ref, gatewayTxId: verified.id, source };
  try {
    const { rows } = await sql<CreditAnswer>`SELECT * FROM funding_credit_intent(
        ${intent.id}, ${verified.id}, ${verified.amountKobo}::bigint, ${ctx.now()}::timestamptz,
        ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::integer, ${`Wallet funding ${intent.tx_ref}`},
        ${`system:gateway:${intent.gateway}`}, ${JSON.stringify(metadata)}::jsonb,
        ${notification.kind}, ${notification.body}, ${notify.payload}::jsonb, ${notify.outcome}::text,
        ${notify.channels}::text[])`.execute(ctx.db);
    const answer = rows[0];
    if (!answer) {
      throw new Error("funding_credit_intent returned no row");
    }
    return answer;
  } catch (error) {
    if (isUniqueViolation(error)) {
      // The intent or the gateway transaction already has its credit (another intent's, or bad
      // data): the unique indexes refuse a second one, and people must look.
      alert(ctx, "a credit for this payment already exists; not credited twice", {
        txRef: intent.tx_ref,
        id: verified.id,
      });
    }
    throw ledgerCallError(error);
  }
}

/** The payer paid twice on one checkout: one credit is right, the other payment is theirs. */
function alertIfSecondPayment(ctx: ServiceContext, txRef: string, credited: string | null, id: string) {
  if (credited !== id) {
    alert(ctx, "a second paid attempt on a credited intent; refund it by hand", { txRef, credited, id });
  }
}

/**
 * A verified payment that does not match its intent (foreign tx_ref, currency, short amount): never
 * credited; the intent goes to people (manual_review), unless an earlier call credited it already.
 */
async function holdForReview(
  ctx: ServiceContext,
  intent: FundingIntentRow,
  verified: Verified,
  source: string,
  problems: string[],
): Promise<ConfirmResult> {
  return withTransaction(ctx, async (trx) => {
    const locked = await lockIntent(trx, intent.id);
    if (locked.status === "credited") {
      alertIfSecondPayment(ctx, locked.tx_ref, locked.gateway_tx_id, verified.id);
      return { outcome: "already_credited" as const, intent: toIntentDto(locked, ctx.now()) };
    }
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
