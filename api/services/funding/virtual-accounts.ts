import { sql } from "kysely";
import type { VirtualAccountRow } from "../../../db/database";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { NotFoundError, ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import { takeMoneyActionSlot } from "../rate-limits";
import { levelLimits } from "../users/levels";
import { describeTransferFee, type FeeRule, transferFeeRule, transferTotalFor } from "./fees";
import type { IssuedVirtualAccount } from "./gateway";
import { openBvn } from "./kyc-crypto";
import { assertWithinFundingLimit } from "./limits";
import type { PaymentsRuntime } from "./runtime";

/**
 * Virtual accounts (issue 17): bank account numbers at the gateway that pay into our merchant
 * balance. A customer with a BVN on file gets a static one for life; anyone can get a dynamic one
 * for a single payment of a fixed amount. Our row and its tx_ref are committed before the gateway
 * is asked (like a funding intent), so an answer that never came is asked again with the same
 * tx_ref by the sweeper, and every transfer the gateway reports for that tx_ref finds its owner.
 */
export type VirtualAccountDto = {
  id: string;
  kind: "static" | "dynamic";
  status: VirtualAccountRow["status"];
  accountNumber: string | null;
  bankName: string | null;
  accountName: string | null;
  /** Dynamic: what reaches the wallet. */
  amountKobo: number | null;
  /** Dynamic: what the payer must send (amount + fee). */
  totalKobo: number | null;
  feeKobo: number | null;
  expiresAt: string | null;
  createdAt: string;
};

export function toVirtualAccountDto(row: VirtualAccountRow): VirtualAccountDto {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    accountNumber: row.account_number,
    bankName: row.bank_name,
    accountName: row.account_name,
    amountKobo: row.amount_kobo,
    totalKobo: row.total_kobo,
    feeKobo: row.fee_kobo,
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** Everything "my account number" answers with: the account, or why there is none yet, and the rules. */
export type TransferFunding = {
  /** The customer's static account (active), if any. */
  account: VirtualAccountDto | null;
  /** A static account was asked for and the gateway has not answered yet. */
  pending: boolean;
  /** The last 3 digits of the BVN on file (null: none given). */
  bvnLast3: string | null;
  /** Why the last static account request failed (a refused BVN), when it did. */
  refusedReason: string | null;
  level: { level: number; name: string; fundingDailyKobo: number; permanentAccount: boolean };
  /** The fee in words for a person ("no fee", "a fee of 1% (at most ₦200)"). */
  fee: string;
  /** The same fee as numbers: a transfer of T kobo pays ceil(T × bps / 10000) + flatKobo, at most capKobo (0: no cap) and at most T. */
  feeRule: FeeRule;
};

export async function getTransferFunding(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<TransferFunding> {
  const { ctx, userId } = args;
  const [user, kyc, statics] = await Promise.all([
    ctx.db.selectFrom("users").select(["verification_level"]).where("id", "=", userId).executeTakeFirst(),
    ctx.db.selectFrom("user_kyc").select(["bvn_last3"]).where("user_id", "=", userId).executeTakeFirst(),
    ctx.db
      .selectFrom("virtual_accounts")
      .selectAll()
      .where("user_id", "=", userId)
      .where("kind", "=", "static")
      .orderBy("created_at", "desc")
      .limit(1)
      .execute(),
  ]);
  if (!user) {
    throw new NotFoundError("User");
  }
  const latest = statics[0];
  const limits = levelLimits(ctx.config, user.verification_level);
  return {
    account: latest?.status === "active" ? toVirtualAccountDto(latest) : null,
    pending: latest?.status === "requested",
    bvnLast3: kyc?.bvn_last3 ?? null,
    refusedReason: latest?.status === "refused" ? latest.failure_reason : null,
    level: {
      level: limits.level,
      name: limits.name,
      fundingDailyKobo: limits.fundingDailyKobo,
      // A BVN raises basic to verified, so what counts is the level the customer will have.
      permanentAccount: levelLimits(ctx.config, Math.max(user.verification_level, 1)).permanentAccount,
    },
    fee: describeTransferFee(ctx.config),
    feeRule: transferFeeRule(ctx.config),
  };
}

/** The name a payer's bank shows for the number (Flutterwave `narration`). */
function accountNarration(user: { display_name: string | null; phone: string | null }): string {
  const who = user.display_name?.trim() || (user.phone ? `customer ${user.phone.slice(-4)}` : "customer");
  return `TADA VTU - ${who}`.slice(0, 60);
}

/**
 * A dynamic account for one payment: the payer sends `amountKobo` plus the transfer fee before it
 * expires, and exactly `amountKobo` reaches the wallet. Another amount goes to the admin queue.
 */
export async function createDynamicAccount(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  userId: string;
  channel: string;
  amountKobo: number;
}): Promise<VirtualAccountDto> {
  const { ctx, payments, userId, amountKobo } = args;
  const { FUNDING_MIN_KOBO: min, FUNDING_MAX_KOBO: max } = ctx.config;
  if (!Number.isSafeInteger(amountKobo) || amountKobo < min || amountKobo > max) {
    throw new ValidationError(
      `You can add between ${formatNaira(min)} and ${formatNaira(max)} at a time (amountKobo ${min}–${max}).`,
      { field: "amountKobo", minKobo: min, maxKobo: max },
      "AMOUNT_OUT_OF_RANGE",
    );
  }
  const user = await activeUser(ctx, userId);
  await assertWithinFundingLimit(ctx, user, amountKobo);
  await takeMoneyActionSlot(ctx, userId);
  const { totalKobo, feeKobo } = transferTotalFor(ctx.config, amountKobo);
  const now = ctx.now();
  const id = newId("vac", now.getTime());
  const row = await ctx.db
    .insertInto("virtual_accounts")
    .values({
      id,
      user_id: userId,
      gateway: payments.gateway.code,
      kind: "dynamic",
      tx_ref: `TADA-VA-${id.slice(4).toUpperCase()}`,
      amount_kobo: amountKobo,
      fee_kobo: feeKobo,
      total_kobo: totalKobo,
      channel: args.channel,
      expires_at: new Date(now.getTime() + ctx.config.DYNAMIC_ACCOUNT_TTL_MINUTES * 60_000),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const issued = await issueVirtualAccount({ ctx, payments, row, user });
  if (issued.status !== "active") {
    throw new ServiceError(
      "unavailable",
      "TRANSFER_ACCOUNT_UNAVAILABLE",
      "We could not get an account number for this payment just now. Nothing was charged; try again in a minute, or pay by card.",
    );
  }
  return toVirtualAccountDto(issued);
}

/**
 * Ask for the customer's static account: one row (requested) per customer at a time; an active one
 * is returned as it is. The gateway is asked at once and, if it does not answer, by the sweeper.
 */
export async function requestStaticAccount(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  userId: string;
  channel: string;
}): Promise<VirtualAccountRow> {
  const { ctx, payments, userId } = args;
  const user = await activeUser(ctx, userId);
  const allowed = levelLimits(ctx.config, Math.max(user.verification_level, 1)).permanentAccount;
  if (!allowed) {
    throw new ServiceError(
      "forbidden",
      "LEVEL_TOO_LOW",
      "Permanent account numbers are not available at your verification level yet. You can still pay by transfer once (ask for an amount) or by card.",
    );
  }
  const now = ctx.now();
  const id = newId("vac", now.getTime());
  const inserted = await ctx.db
    .insertInto("virtual_accounts")
    .values({
      id,
      user_id: userId,
      gateway: payments.gateway.code,
      kind: "static",
      tx_ref: `TADA-VA-${id.slice(4).toUpperCase()}`,
      channel: args.channel,
      created_at: now,
      updated_at: now,
    })
    // The one-static-account-per-customer index refuses a second (two requests racing). No conflict
    // target: naming that partial index's predicate with bound parameters fails inference once
    // PostgreSQL switches to a generic plan; the id and tx_ref are new, so only that index can object.
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  const row =
    inserted ??
    (await ctx.db
      .selectFrom("virtual_accounts")
      .selectAll()
      .where("user_id", "=", userId)
      .where("kind", "=", "static")
      .where("status", "in", ["requested", "active"])
      .executeTakeFirstOrThrow());
  return row.status === "requested" ? issueVirtualAccount({ ctx, payments, row, user }) : row;
}

type AccountOwner = {
  id: string;
  status: string;
  verification_level: number;
  email: string | null;
  phone: string | null;
  display_name: string | null;
};

async function activeUser(ctx: ServiceContext, userId: string): Promise<AccountOwner> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["id", "status", "verification_level", "email", "phone", "display_name"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (user?.status !== "active") {
    throw new ServiceError("forbidden", "ACCOUNT_SUSPENDED", "This account is suspended. Contact support.");
  }
  return user;
}

/** How long to wait before asking the gateway again about a requested account (doubling, capped). */
function retryDelaySeconds(attempts: number): number {
  return Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3_600);
}

/**
 * Ask the gateway for a requested account (first time or again, same tx_ref). Created: the row
 * becomes active (a static one also makes the customer at least "verified", and the chat is told).
 * Refused: the row says why (and a refused BVN is forgotten). Unknown: tried again later.
 */
export async function issueVirtualAccount(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  row: VirtualAccountRow;
  user?: AccountOwner;
}): Promise<VirtualAccountRow> {
  const { ctx, payments } = args;
  // One asker at a time: a lease on the row (next_attempt_at, past the gateway's timeout) taken by a
  // conditional update. Requests racing for one customer's account, or a request and the sweeper,
  // make one gateway call; the others answer with the row as it is ("being set up").
  const now = ctx.now();
  const row = await ctx.db
    .updateTable("virtual_accounts")
    .set({
      next_attempt_at: new Date(now.getTime() + ctx.config.FLUTTERWAVE_TIMEOUT_MS + 30_000),
      updated_at: now,
    })
    .where("id", "=", args.row.id)
    .where("status", "=", "requested")
    .where((eb) => eb.or([eb("next_attempt_at", "is", null), eb("next_attempt_at", "<=", now)]))
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    return ctx.db
      .selectFrom("virtual_accounts")
      .selectAll()
      .where("id", "=", args.row.id)
      .executeTakeFirstOrThrow();
  }
  const user =
    args.user ??
    (await ctx.db
      .selectFrom("users")
      .select(["id", "status", "verification_level", "email", "phone", "display_name"])
      .where("id", "=", row.user_id)
      .executeTakeFirstOrThrow());
  const kyc =
    row.kind === "static"
      ? await ctx.db.selectFrom("user_kyc").selectAll().where("user_id", "=", row.user_id).executeTakeFirst()
      : undefined;
  if (row.kind === "static" && !kyc) {
    return markRefused(ctx, row, "no BVN on file");
  }
  const narration = accountNarration(user);
  const result = await payments.gateway.createVirtualAccount({
    txRef: row.tx_ref,
    permanent: row.kind === "static",
    // Flutterwave requires an email; customers who never gave one get a stable placeholder.
    email: user.email ?? `${user.id}@customers.tada-vtu.ng`,
    phone: user.phone ?? undefined,
    firstName: kyc?.first_name ?? undefined,
    lastName: kyc?.last_name ?? undefined,
    narration,
    bvn: kyc ? openBvn(ctx.config, kyc.bvn_ciphertext) : undefined,
    amountKobo: row.total_kobo ?? undefined,
  });
  if (result.outcome === "created") {
    return activate(ctx, row, result.account, narration);
  }
  if (result.outcome === "refused") {
    ctx.logger.warn({ virtualAccountId: row.id, message: result.message }, "virtual account refused");
    return markRefused(ctx, row, result.message);
  }
  const attempts = row.attempts + 1;
  ctx.logger.warn(
    { virtualAccountId: row.id, attempts, message: result.message },
    "virtual account: no answer from the gateway; will ask again",
  );
  return ctx.db
    .updateTable("virtual_accounts")
    .set({
      attempts,
      next_attempt_at: new Date(ctx.now().getTime() + retryDelaySeconds(attempts) * 1000),
      updated_at: ctx.now(),
    })
    .where("id", "=", row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function activate(
  ctx: ServiceContext,
  row: VirtualAccountRow,
  account: IssuedVirtualAccount,
  narration: string,
): Promise<VirtualAccountRow> {
  return withTransaction(ctx, async (trx) => {
    const updated = await trx
      .updateTable("virtual_accounts")
      .set({
        status: "active",
        account_number: account.accountNumber,
        bank_name: account.bankName,
        account_name: account.accountName ?? narration,
        order_ref: account.orderRef,
        flw_ref: account.flwRef ?? null,
        // The gateway's expiry wins (it stops taking transfers then); ours is the fallback.
        expires_at: row.kind === "dynamic" ? (account.expiresAt ?? row.expires_at) : null,
        attempts: row.attempts + 1,
        next_attempt_at: null,
        failure_reason: null,
        updated_at: ctx.now(),
      })
      .where("id", "=", row.id)
      .where("status", "=", "requested")
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      // Another process activated it first (the sweeper and a request racing): theirs stands.
      return trx
        .selectFrom("virtual_accounts")
        .selectAll()
        .where("id", "=", row.id)
        .executeTakeFirstOrThrow();
    }
    if (row.kind === "static") {
      // The gateway took the BVN: basic becomes verified (higher levels stay).
      await trx
        .updateTable("users")
        .set({ verification_level: sql<number>`greatest(verification_level, 1)` })
        .where("id", "=", row.user_id)
        .execute();
      await queueNotification(trx, accountReadyNotice(updated));
    }
    return updated;
  });
}

/** The chat message when a static account is ready (it may come minutes after the KYC page). */
function accountReadyNotice(row: VirtualAccountRow) {
  const details = `${row.bank_name}\n${row.account_number}\n${row.account_name}`;
  return {
    userId: row.user_id,
    kind: "wallet.account_ready",
    body: `Your TADA account number is ready. Transfers to it fund your wallet automatically:\n${details}`,
    payload: {
      virtualAccountId: row.id,
      notice: { bank: row.bank_name, accountNumber: row.account_number, accountName: row.account_name },
    },
  };
}

async function markRefused(ctx: ServiceContext, row: VirtualAccountRow, reason: string) {
  return withTransaction(ctx, async (trx) => {
    const updated = await trx
      .updateTable("virtual_accounts")
      .set({ status: "refused", failure_reason: reason, next_attempt_at: null, updated_at: ctx.now() })
      .where("id", "=", row.id)
      .where("status", "=", "requested")
      .returningAll()
      .executeTakeFirst();
    if (updated && row.kind === "static") {
      // A BVN the gateway would not take is of no use to us: it is not kept.
      await trx.deleteFrom("user_kyc").where("user_id", "=", row.user_id).execute();
      await queueNotification(trx, {
        userId: row.user_id,
        kind: "wallet.account_refused",
        body: "We could not open your account number: the bank did not accept the BVN you gave. Check it and try again (ask me for your account number), or pay by card.",
        payload: { virtualAccountId: row.id, notice: {} },
      });
    }
    return (
      updated ??
      (await trx
        .selectFrom("virtual_accounts")
        .selectAll()
        .where("id", "=", row.id)
        .executeTakeFirstOrThrow())
    );
  });
}

/**
 * A customer's static account stops being theirs to pay into (their level dropped below
 * VIRTUAL_ACCOUNT_MIN_LEVEL): closed here at once (a transfer into it goes to the admin queue), and
 * at the gateway by the sweeper.
 */
export async function closeStaticAccounts(trx: Trx, userId: string, now: Date): Promise<number> {
  const closed = await trx
    .updateTable("virtual_accounts")
    .set({ status: "closed", closed_at: now, next_attempt_at: null, updated_at: now })
    .where("user_id", "=", userId)
    .where("kind", "=", "static")
    .where("status", "in", ["requested", "active"])
    .returning("id")
    .execute();
  return closed.length;
}

/**
 * The sweeper's part: ask again about requested accounts that are due, mark dynamic accounts past
 * their expiry, and close at the gateway what we closed here.
 */
export async function sweepVirtualAccounts(args: { ctx: ServiceContext; payments: PaymentsRuntime }) {
  const { ctx, payments } = args;
  const now = ctx.now();
  const due = await ctx.db
    .selectFrom("virtual_accounts")
    .selectAll()
    .where("status", "=", "requested")
    .where((eb) => eb.or([eb("next_attempt_at", "<=", now), eb("next_attempt_at", "is", null)]))
    .where("created_at", "<", new Date(now.getTime() - 30_000))
    .orderBy("created_at")
    .limit(50)
    .execute();
  for (const row of due) {
    if (row.kind === "dynamic" && row.expires_at && row.expires_at <= now) {
      // Nobody can have paid into an account that was never issued.
      await ctx.db
        .updateTable("virtual_accounts")
        .set({ status: "expired", failure_reason: "the gateway never issued it", updated_at: now })
        .where("id", "=", row.id)
        .where("status", "=", "requested")
        .execute();
      continue;
    }
    await issueVirtualAccount({ ctx, payments, row }).catch((err: unknown) =>
      ctx.logger.error({ err, virtualAccountId: row.id }, "virtual account retry failed"),
    );
  }
  const expired = await ctx.db
    .updateTable("virtual_accounts")
    .set({ status: "expired", updated_at: now })
    .where("kind", "=", "dynamic")
    .where("status", "=", "active")
    .where("expires_at", "<=", now)
    .execute();
  const closing = await ctx.db
    .selectFrom("virtual_accounts")
    .select(["id", "order_ref"])
    .where("status", "=", "closed")
    .where("gateway_closed_at", "is", null)
    .where("order_ref", "is not", null)
    .limit(50)
    .execute();
  for (const row of closing) {
    const answer = await payments.gateway.closeVirtualAccount(row.order_ref ?? "").catch(() => "unknown");
    if (answer === "closed") {
      await ctx.db
        .updateTable("virtual_accounts")
        .set({ gateway_closed_at: now, updated_at: now })
        .where("id", "=", row.id)
        .execute();
    }
  }
  return { retried: due.length, expired: Number(expired[0]?.numUpdatedRows ?? 0), closing: closing.length };
}

/** One of the customer's virtual accounts by id (another customer's is a 404). */
export async function getVirtualAccount(args: {
  ctx: ServiceContext;
  userId: string;
  id: string;
}): Promise<VirtualAccountDto> {
  const row = await args.ctx.db
    .selectFrom("virtual_accounts")
    .selectAll()
    .where("user_id", "=", args.userId)
    .where("id", "=", args.id)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That account number", "VIRTUAL_ACCOUNT_NOT_FOUND");
  }
  return toVirtualAccountDto(row);
}
