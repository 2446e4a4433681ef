import { sql } from "kysely";
import { z } from "zod";
import type { WithdrawalRow } from "../../../db/database";
import { clearAlert, raiseAlert } from "../alerts/alerts";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ForbiddenError, NotFoundError, ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import {
  createHold,
  findIdempotentReplay,
  getWalletAccountId,
  lockAccounts,
  postEntry,
  postHold,
  runIdempotent,
  SYSTEM_ACCOUNTS,
  systemAccountFor,
  voidHold,
} from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { verifyPin } from "../pins";
import { takeMoneyActionSlot } from "../rate-limits";
import { levelLimits } from "../users/levels";
import type { TransferResult } from "./gateway";
import type { PaymentsRuntime } from "./runtime";

const accountNumber = z.string().regex(/^\d{10}$/, "must be the 10-digit NUBAN account number");
const bankCode = z.string().regex(/^\d{3,6}$/, "must be a bank code from GET /api/wallet/banks");

export const ResolveAccountInput = z.strictObject({ bankCode, accountNumber });
export const WithdrawInput = z.strictObject({
  bankCode,
  accountNumber,
  amountKobo: z.number().int("must be a whole number of kobo").positive().max(Number.MAX_SAFE_INTEGER),
  /** The name from /withdraw/resolve, sent back to confirm the customer saw it. */
  accountName: z.string().min(1).max(200).optional(),
  pin: z.string().min(1, "Send your transaction PIN as `pin`.").max(12),
});

export type WithdrawalDto = {
  id: string;
  state: WithdrawalRow["state"];
  final: boolean;
  message: string;
  amountKobo: number;
  feeKobo: number;
  bankCode: string;
  bankName: string | null;
  accountNumber: string;
  accountName: string;
  reference: string;
  createdAt: string;
  completedAt: string | null;
};

const MESSAGES: Record<WithdrawalRow["state"], string> = {
  held: "We have your withdrawal and are sending it to the bank.",
  submitting: "Sending to the bank…",
  pending: "The bank transfer is in progress. Your money is held until it completes.",
  unknown: "We are confirming the transfer with the bank. Your money is held, not lost.",
  successful: "Sent to your bank account.",
  failed: "The transfer did not go through. Your wallet has been refunded.",
};

/** A withdrawal's state in words, as the API and the chat say it. */
export function withdrawalStateMessage(state: WithdrawalRow["state"]): string {
  return MESSAGES[state];
}

export function toWithdrawalDto(row: WithdrawalRow): WithdrawalDto {
  return {
    id: row.id,
    state: row.state,
    final: row.state === "successful" || row.state === "failed",
    message: row.message ?? MESSAGES[row.state],
    amountKobo: row.amount_kobo,
    feeKobo: row.fee_kobo,
    bankCode: row.bank_code,
    bankName: row.bank_name,
    accountNumber: row.account_number,
    accountName: row.account_name,
    reference: row.reference,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

export async function listBanks(args: { payments: PaymentsRuntime }) {
  return args.payments.gateway.listBanks();
}

/** The account holder's name for confirmation before any money moves. */
export async function resolveBankAccount(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  input: z.input<typeof ResolveAccountInput>;
}): Promise<{ bankCode: string; bankName: string | null; accountNumber: string; accountName: string }> {
  const input = ResolveAccountInput.parse(args.input);
  const banks = await args.payments.gateway.listBanks().catch(() => []);
  const bank = banks.find((b) => b.code === input.bankCode);
  if (banks.length > 0 && !bank) {
    throw new ValidationError(
      `Bank code ${input.bankCode} is not one we can pay. See GET /api/wallet/banks.`,
      {
        field: "bankCode",
      },
    );
  }
  let resolved: { accountName: string } | undefined;
  try {
    resolved = await args.payments.gateway.resolveAccount(input);
  } catch (error) {
    args.ctx.logger.warn({ err: error }, "account resolution failed");
    throw new ServiceError(
      "unavailable",
      "BANK_UNAVAILABLE",
      "We could not reach the bank to check this account. Try again in a minute.",
    );
  }
  if (!resolved) {
    throw new ServiceError(
      "unprocessable",
      "ACCOUNT_NOT_FOUND",
      `No account ${input.accountNumber} at ${bank?.name ?? `bank ${input.bankCode}`}. Check the number and the bank.`,
    );
  }
  return { ...input, bankName: bank?.name ?? null, accountName: resolved.accountName };
}

/**
 * Withdraw to a bank account: check the name was confirmed, the PIN, the daily limit for the user's
 * verification level; hold amount + fee; then a submit-withdrawal job sends the transfer. The hold is
 * posted when the transfer succeeds and voided when it definitely failed — exactly once either way.
 */
export async function createWithdrawal(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  userId: string;
  idempotencyKey: string;
  input: z.input<typeof WithdrawInput>;
}): Promise<{ withdrawal: WithdrawalDto; replayed: boolean }> {
  const { ctx, payments, userId } = args;
  const input = WithdrawInput.parse(args.input);
  const idempotency = {
    scope: `user:${userId}`,
    key: args.idempotencyKey,
    operation: "wallet.withdraw",
    params: withdrawalFingerprint(input),
  };
  // A replay answers first: no PIN, no bank lookup, no limit, no money (the same rule as purchases).
  const replay = await findIdempotentReplay<{ withdrawalId?: string } | null>(ctx.db, idempotency);
  if (replay?.withdrawalId) {
    return { withdrawal: await getWithdrawal({ ctx, userId, id: replay.withdrawalId }), replayed: true };
  }
  const user = await ctx.db
    .selectFrom("users")
    .select(["status", "verification_level"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (user?.status !== "active") {
    throw new ForbiddenError("This account is suspended. Contact support.", "ACCOUNT_SUSPENDED");
  }
  await takeMoneyActionSlot(ctx, userId);
  if (input.amountKobo < ctx.config.WITHDRAWAL_MIN_KOBO) {
    throw new ValidationError(
      `The smallest withdrawal is ${formatNaira(ctx.config.WITHDRAWAL_MIN_KOBO)}.`,
      { field: "amountKobo" },
      "AMOUNT_OUT_OF_RANGE",
    );
  }
  const account = await resolveBankAccount({
    ctx,
    payments,
    input: { bankCode: input.bankCode, accountNumber: input.accountNumber },
  });
  if (!input.accountName) {
    throw new ValidationError(
      `Confirm the account holder: send "accountName": "${account.accountName}" if that is who you are paying.`,
      { field: "accountName", accountName: account.accountName, bankName: account.bankName },
      "ACCOUNT_NAME_CONFIRMATION_REQUIRED",
    );
  }
  if (normalizeName(input.accountName) !== normalizeName(account.accountName)) {
    throw new ValidationError(
      `That account belongs to ${account.accountName}, not ${input.accountName}. Check the number before sending money.`,
      { field: "accountName", accountName: account.accountName },
      "ACCOUNT_NAME_MISMATCH",
    );
  }
  await verifyPin({ ctx, userId, pin: input.pin });
  const fee = ctx.config.WITHDRAWAL_FEE_KOBO;
  const {
    withdrawalDailyKobo: limit,
    level,
    name: levelName,
  } = levelLimits(ctx.config, user.verification_level);

  const { result, replayed } = await withTransaction(ctx, (trx) =>
    runIdempotent(trx, idempotency, async (keyId) => {
      const walletId = await getWalletAccountId(trx, userId);
      // Lock the wallet (so two withdrawals cannot both pass the daily limit) together with the clearing
      // account the hold will use, in ascending id order like every other money step (L12): locking the
      // wallet alone first and the clearing account later deadlocked against a settlement that locks
      // them the other way round.
      const clearingId = await systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.withdrawalsClearing, walletId);
      await lockAccounts(trx, [walletId, clearingId]);
      const today = await sentToday(trx, ctx, userId);
      if (today + input.amountKobo > limit) {
        throw new ServiceError(
          "unprocessable",
          "WITHDRAWAL_LIMIT",
          `Your daily withdrawal limit is ${formatNaira(limit)} (verification level ${level}, ${levelName}); ${formatNaira(Math.max(0, limit - today))} is left today.`,
          { limitKobo: limit, usedTodayKobo: today },
        );
      }
      const now = ctx.now();
      const holdId = await createHold(trx, {
        accountId: walletId,
        destinationAccountId: clearingId,
        amount: input.amountKobo + fee,
        description: `Withdrawal to ${account.bankName ?? account.bankCode} ${account.accountNumber}`,
        idempotencyKeyId: keyId,
      });
      const id = newId("wdr", now.getTime());
      await trx
        .insertInto("withdrawals")
        .values({
          id,
          user_id: userId,
          reference: `TADA-WD-${id.slice(4).toUpperCase()}`,
          gateway: payments.gateway.code,
          bank_code: account.bankCode,
          bank_name: account.bankName,
          account_number: account.accountNumber,
          account_name: account.accountName,
          amount_kobo: input.amountKobo,
          fee_kobo: fee,
          state: "held",
          hold_id: holdId,
          idempotency_key_id: keyId,
          next_check_at: new Date(now.getTime() + 15_000),
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { withdrawalId: id };
    }),
  );
  if (!replayed) {
    await payments
      .dispatch({ name: "submit-withdrawal", withdrawalId: result.withdrawalId })
      .catch((err) => ctx.logger.warn({ err }, "could not enqueue submit-withdrawal; the sweeper will"));
  }
  return { withdrawal: await getWithdrawal({ ctx, userId, id: result.withdrawalId }), replayed };
}

/**
 * What a retry with the same Idempotency-Key must repeat: everything that decides where the money
 * goes and how much. The PIN is left out (it is a credential, not part of the request, and is never
 * stored); the confirmed name is compared the way the confirmation itself compares it.
 */
function withdrawalFingerprint(input: z.infer<typeof WithdrawInput>): Record<string, unknown> {
  return {
    bankCode: input.bankCode,
    accountNumber: input.accountNumber,
    amountKobo: input.amountKobo,
    accountName: input.accountName === undefined ? undefined : normalizeName(input.accountName),
  };
}

/** Money already on its way out today (Africa/Lagos day), failed ones excluded. */
async function sentToday(trx: Trx, ctx: ServiceContext, userId: string): Promise<number> {
  const row = await trx
    .selectFrom("withdrawals")
    .select(sql<string>`coalesce(sum(amount_kobo), 0)::text`.as("total"))
    .where("user_id", "=", userId)
    .where("state", "<>", "failed")
    .where(
      sql<boolean>`(created_at AT TIME ZONE 'Africa/Lagos')::date = (${ctx.now()}::timestamptz AT TIME ZONE 'Africa/Lagos')::date`,
    )
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

function normalizeName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z]/g, "");
}

export async function getWithdrawal(args: {
  ctx: ServiceContext;
  userId: string;
  id: string;
}): Promise<WithdrawalDto> {
  const row = await args.ctx.db
    .selectFrom("withdrawals")
    .selectAll()
    .where("id", "=", args.id)
    .where("user_id", "=", args.userId)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That withdrawal", "WITHDRAWAL_NOT_FOUND");
  }
  return toWithdrawalDto(row);
}

function lease(ctx: ServiceContext): Date {
  return new Date(ctx.now().getTime() + ctx.config.VTU_SUBMIT_LEASE_SECONDS * 1000);
}

/** Send a held withdrawal. The reference is committed before the call; a crash leads to a requery. */
export async function submitWithdrawal(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  withdrawalId: string;
}): Promise<void> {
  const { ctx, payments } = args;
  const row = await withTransaction(ctx, async (trx) => {
    const w = await lockWithdrawal(trx, args.withdrawalId);
    if (!w) {
      return undefined;
    }
    if (w.state === "submitting" && w.next_check_at && w.next_check_at <= ctx.now()) {
      // A worker died mid-call: the transfer may exist. Flutterwave refuses a second one with this
      // reference anyway, but asking is the honest move.
      await trx
        .updateTable("withdrawals")
        .set({ state: "unknown", next_check_at: ctx.now(), updated_at: ctx.now() })
        .where("id", "=", w.id)
        .execute();
      return undefined;
    }
    if (w.state !== "held") {
      return undefined;
    }
    await trx
      .updateTable("withdrawals")
      .set((eb) => ({
        state: "submitting",
        next_check_at: lease(ctx),
        sent_at: ctx.now(),
        send_count: eb("send_count", "+", 1),
        updated_at: ctx.now(),
      }))
      .where("id", "=", w.id)
      .execute();
    return w;
  });
  if (!row) {
    return;
  }
  const result = await payments.gateway.createTransfer({
    reference: row.reference,
    bankCode: row.bank_code,
    accountNumber: row.account_number,
    amountKobo: row.amount_kobo,
    narration: `TADA VTU withdrawal ${row.reference}`,
  });
  await applyTransferResult(ctx, row.id, result);
}

/** Ask the gateway what became of a transfer (webhook, sweeper). */
export async function requeryWithdrawal(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  withdrawalId: string;
}): Promise<string> {
  const { ctx, payments } = args;
  const row = await withTransaction(ctx, async (trx) => {
    const w = await lockWithdrawal(trx, args.withdrawalId);
    if (!w || !["pending", "unknown", "submitting"].includes(w.state)) {
      return undefined;
    }
    if (w.state === "submitting" && w.next_check_at && w.next_check_at > ctx.now()) {
      return undefined; // the sender still holds its lease
    }
    await trx
      .updateTable("withdrawals")
      .set((eb) => ({
        requery_count: eb("requery_count", "+", 1),
        next_check_at: lease(ctx),
        updated_at: ctx.now(),
      }))
      .where("id", "=", w.id)
      .execute();
    return w;
  });
  if (!row) {
    return "nothing-to-do";
  }
  const result = await payments.gateway.getTransfer({
    reference: row.reference,
    id: row.transfer_id ?? undefined,
  });
  const outcome = await applyTransferResult(ctx, row.id, result);
  if (outcome === "resend") {
    await submitWithdrawal({ ctx, payments, withdrawalId: row.id });
  }
  return outcome;
}

export async function requeryWithdrawalByReference(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  reference: string;
}): Promise<string> {
  const row = await args.ctx.db
    .selectFrom("withdrawals")
    .select("id")
    .where("reference", "=", args.reference)
    .executeTakeFirst();
  return row ? requeryWithdrawal({ ...args, withdrawalId: row.id }) : "not_found";
}

async function lockWithdrawal(trx: Trx, id: string) {
  return trx.selectFrom("withdrawals").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** successful → post the hold and settle; failed → void it (the refund); else keep holding and ask again later. */
async function applyTransferResult(ctx: ServiceContext, id: string, result: TransferResult): Promise<string> {
  return withTransaction(ctx, async (trx) => {
    const w = await lockWithdrawal(trx, id);
    if (!w || w.state === "successful" || w.state === "failed") {
      return "already-final";
    }
    const now = ctx.now();
    if (result.outcome === "successful" || result.outcome === "failed") {
      await clearAlert(trx, unresolvedAlertKey(w.id));
    }
    if (result.outcome === "successful") {
      const actor = `system:gateway:${w.gateway}`;
      const posted = await postHold(trx, {
        holdId: w.hold_id,
        actor,
        now,
        description: `Withdrawal ${w.reference}`,
      });
      // The clearing shard the hold posted into pays out; the others use the same wallet's shard.
      const clearing = posted.destinationAccountId;
      const [paymentClearing, revenue] = await Promise.all([
        systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.paymentClearing, posted.sourceAccountId),
        systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.feesRevenue, posted.sourceAccountId),
      ]);
      // The amount left our gateway balance for the bank; the fee is ours.
      const entryId = await postEntry(trx, {
        type: "transfer",
        description: `Withdrawal settled ${w.reference}`,
        actor,
        postings: [
          { accountId: clearing, amount: -(w.amount_kobo + w.fee_kobo) },
          { accountId: paymentClearing, amount: w.amount_kobo },
          ...(w.fee_kobo > 0 ? [{ accountId: revenue, amount: w.fee_kobo }] : []),
        ],
        metadata: { withdrawalId: w.id, transferId: result.id ?? w.transfer_id },
      });
      await trx
        .updateTable("withdrawals")
        .set({
          state: "successful",
          settle_entry_id: entryId,
          transfer_id: result.id ?? w.transfer_id,
          message: null,
          next_check_at: null,
          completed_at: now,
          updated_at: now,
        })
        .where("id", "=", w.id)
        .execute();
      await queueNotification(trx, {
        userId: w.user_id,
        kind: "withdrawal.successful",
        body: `${formatNaira(w.amount_kobo)} has been sent to ${w.account_name} (${w.bank_name ?? w.bank_code} ${w.account_number}).`,
        payload: {
          withdrawalId: w.id,
          notice: {
            amountKobo: w.amount_kobo,
            account: `${w.account_name} (${w.bank_name ?? w.bank_code} ${w.account_number})`,
          },
        },
      });
      return "successful";
    }
    if (result.outcome === "failed") {
      await voidHold(trx, { holdId: w.hold_id, now });
      await trx
        .updateTable("withdrawals")
        .set({
          state: "failed",
          transfer_id: result.id ?? w.transfer_id,
          next_check_at: null,
          completed_at: now,
          updated_at: now,
        })
        .where("id", "=", w.id)
        .execute();
      ctx.logger.info({ withdrawalId: w.id, reason: result.message }, "withdrawal failed; hold released");
      await queueNotification(trx, {
        userId: w.user_id,
        kind: "withdrawal.failed",
        body: `Your withdrawal of ${formatNaira(w.amount_kobo)} did not go through. ${formatNaira(w.amount_kobo + w.fee_kobo)} is back in your wallet.`,
        payload: {
          withdrawalId: w.id,
          notice: { amountKobo: w.amount_kobo, refundedKobo: w.amount_kobo + w.fee_kobo },
        },
      });
      return "failed";
    }
    if (result.outcome === "unknown" && result.notFound && !w.transfer_id) {
      const resend = await decideResend(trx, ctx, w);
      if (resend) {
        return "resend";
      }
    }
    const backoff = Math.min(
      ctx.config.VTU_REQUERY_BASE_SECONDS * 2 ** Math.min(w.requery_count, 20),
      ctx.config.VTU_REQUERY_MAX_SECONDS,
    );
    await trx
      .updateTable("withdrawals")
      .set({
        state: result.outcome,
        transfer_id: result.id ?? w.transfer_id,
        next_check_at: new Date(now.getTime() + backoff * 1000),
        updated_at: now,
      })
      .where("id", "=", w.id)
      .execute();
    return result.outcome;
  });
}

/** How many times one withdrawal is sent in all before a person has to look (see decideResend). */
export const MAX_WITHDRAWAL_SENDS = 3;

const unresolvedAlertKey = (withdrawalId: string) => `withdrawal_unresolved:${withdrawalId}`;

/**
 * The gateway answered a requery and has no transfer with our reference. Right after a send that can
 * be lag; a grace period (WITHDRAWAL_NOT_FOUND_GRACE_SECONDS) after the last send it means the send
 * never arrived: the process died between committing 'submitting' and the call, or the call was lost.
 * Such a withdrawal would otherwise stay unknown, the customer's money held, forever. It goes back
 * to 'held' and is sent again with the same reference: the gateway refuses a second transfer with
 * one reference, so if the first did arrive after all, the resend is refused (unknown) and the next
 * requery finds the first. Bounded by MAX_WITHDRAWAL_SENDS, after which an admin alert asks a person
 * (the list may be ignoring our filter); the requeries go on meanwhile.
 */
async function decideResend(trx: Trx, ctx: ServiceContext, w: WithdrawalRow): Promise<boolean> {
  const now = ctx.now();
  const graceMs = ctx.config.WITHDRAWAL_NOT_FOUND_GRACE_SECONDS * 1000;
  if (w.sent_at && now.getTime() - w.sent_at.getTime() < graceMs) {
    return false;
  }
  if (w.send_count >= MAX_WITHDRAWAL_SENDS) {
    await raiseAlert(trx, {
      kind: "withdrawal_unresolved",
      key: unresolvedAlertKey(w.id),
      severity: "critical",
      title: `Withdrawal ${w.reference} is unknown to the gateway after ${w.send_count} sends`,
      body: `The gateway has no transfer with reference ${w.reference} (${w.id}), sent ${w.send_count} times, last at ${w.sent_at?.toISOString() ?? "never"}. ${formatNaira(w.amount_kobo + w.fee_kobo)} stays held. Check the gateway's dashboard for it. Requeries go on: if the gateway reports the transfer, they settle it; the admin Payments page shows the withdrawal.`,
    });
    return false;
  }
  await trx
    .updateTable("withdrawals")
    .set({
      state: "held",
      // If the resend dies too, the sweeper sends it again after this.
      next_check_at: new Date(now.getTime() + 15_000),
      message: `The gateway had no transfer with this reference ${Math.round((now.getTime() - (w.sent_at ?? w.created_at).getTime()) / 1000)} s after it was sent; sending it again with the same reference.`,
      updated_at: now,
    })
    .where("id", "=", w.id)
    .execute();
  ctx.logger.warn(
    { withdrawalId: w.id, reference: w.reference, sends: w.send_count },
    "withdrawal unknown to the gateway after the grace period; sending it again with the same reference",
  );
  return true;
}
