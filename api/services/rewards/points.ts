import type { Selectable } from "kysely";
import { sql } from "kysely";
import type { PointEntriesTable, PointKind } from "../../../db/database";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ServiceError, ValidationError } from "../errors";
import { newId } from "../ids";
import {
  getWalletAccountId,
  lockAccounts,
  postEntry,
  runIdempotent,
  SYSTEM_ACCOUNTS,
  systemAccountFor,
} from "../ledger";
import { formatNaira } from "../money";
import { queueNotification } from "../notifications";
import type { VtuService } from "../vtu/provider";
import { getPointsRules, type PointsRules, pointsForPurchase } from "./points-rules";

/**
 * Loyalty points (issue 18 §2; DECISIONS §63). The point ledger is `point_entries`, append-only;
 * every change locks the customer's `point_accounts` row first (then the money accounts, in id
 * order), so two redemptions of the same points are one after the other.
 *
 * Points are money's worth, so each change with a value moves it through the ledger:
 *   earned (a purchase, a referral, an admin's bonus): promotions → points liability;
 *   reversed or expired: points liability → promotions;
 *   redeemed: points liability → the customer's wallet (at the published rate; a difference from
 *   the value they were booked at is the promotions account's).
 * A debit takes its value from what the customer's points are booked at (their share of the
 * liability), so when their points reach zero their share of the liability is exactly zero too.
 *
 * A reversal may take a customer below zero (they redeemed the points of a purchase that was then
 * reversed): that debt is paid by the next points earned, and nothing is redeemable meanwhile.
 */
export type PointEntry = Selectable<PointEntriesTable>;

type PointChange = {
  userId: string;
  /** The customer's wallet account, when the caller has read it already. */
  walletId?: number;
  kind: PointKind;
  points: number;
  actor: string;
  orderId?: string;
  referralRewardId?: string;
  reversesId?: string;
  idempotencyKey?: string;
  redeemedFor?: "wallet" | "airtime" | "data";
  reason?: string;
};

/**
 * Lock (creating if needed) the customer's points row: every change goes through here first, before
 * any money account (a caller that also moves money locks this first, then all its accounts at once).
 */
export async function lockPointAccount(
  trx: Trx,
  userId: string,
): Promise<{ balance: number; valueKobo: number }> {
  await trx
    .insertInto("point_accounts")
    .values({ user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await trx
    .selectFrom("point_accounts")
    .select("balance")
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const booked = await trx
    .selectFrom("point_entries")
    .select(sql<string>`coalesce(sum(value_kobo), 0)`.as("value"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return { balance: row.balance, valueKobo: Number(booked.value) };
}

/**
 * Write one change: the row, the balance, and (when it is worth something) its ledger entry. The
 * caller holds the customer's points lock (lockPointAccount) and passes what it read.
 */
async function writePoints(
  ctx: ServiceContext,
  trx: Trx,
  held: { balance: number; valueKobo: number },
  change: PointChange & { valueKobo: number; walletCreditKobo?: number },
): Promise<PointEntry> {
  const id = newId("pts", ctx.now().getTime());
  const balanceAfter = held.balance + change.points;
  let entryId: number | null = null;
  if (change.valueKobo !== 0 || (change.walletCreditKobo ?? 0) > 0) {
    entryId = await postPointsEntry(ctx, trx, id, change);
  }
  const row = {
    id,
    user_id: change.userId,
    kind: change.kind,
    points: change.points,
    balance_after: balanceAfter,
    value_kobo: change.valueKobo,
    order_id: change.orderId ?? null,
    referral_reward_id: change.referralRewardId ?? null,
    reverses_id: change.reversesId ?? null,
    idempotency_key: change.idempotencyKey ?? null,
    entry_id: entryId,
    redeemed_for: change.redeemedFor ?? null,
    credit_kobo: change.walletCreditKobo ?? null,
    actor: change.actor,
    reason: change.reason ?? null,
    created_at: ctx.now(),
  };
  const written = await trx.insertInto("point_entries").values(row).returningAll().executeTakeFirstOrThrow();
  await trx
    .updateTable("point_accounts")
    .set({ balance: balanceAfter, updated_at: ctx.now() })
    .where("user_id", "=", change.userId)
    .execute();
  held.balance = balanceAfter;
  held.valueKobo += change.valueKobo;
  return written;
}

/** The money side of a change (module comment). Accounts are locked together, in id order. */
async function postPointsEntry(
  ctx: ServiceContext,
  trx: Trx,
  pointEntryId: string,
  change: PointChange & { valueKobo: number; walletCreditKobo?: number },
): Promise<number> {
  const walletId = change.walletId ?? (await getWalletAccountId(trx, change.userId));
  const [liability, promotions] = await Promise.all([
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.pointsLiability, walletId),
    systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.promotions, walletId),
  ]);
  const credit = change.walletCreditKobo ?? 0;
  const promotionsSide = -change.valueKobo - credit;
  const postings = [
    ...(change.valueKobo !== 0 ? [{ accountId: liability, amount: change.valueKobo }] : []),
    ...(credit > 0 ? [{ accountId: walletId, amount: credit }] : []),
    ...(promotionsSide !== 0 ? [{ accountId: promotions, amount: promotionsSide }] : []),
  ];
  await lockAccounts(
    trx,
    postings.map((p) => p.accountId),
  );
  return postEntry(trx, {
    type: "transfer",
    description: ENTRY_DESCRIPTIONS[change.kind],
    actor: change.actor,
    postings,
    metadata: { pointEntryId, points: change.points, ...(change.orderId ? { orderId: change.orderId } : {}) },
  });
}

const ENTRY_DESCRIPTIONS: Record<PointKind, string> = {
  earn: "Loyalty points earned on a purchase",
  referral: "Loyalty points for a referral",
  bonus: "Loyalty points bonus",
  reverse: "Loyalty points reversed with their purchase",
  expire: "Loyalty points expired",
  redeem: "Loyalty points redeemed",
};

/** The value a debit of `points` takes out of the liability: the customer's share, pro rata. */
function bookedValueOf(held: { balance: number; valueKobo: number }, points: number): number {
  if (held.balance <= 0 || held.valueKobo <= 0) {
    return 0;
  }
  if (points >= held.balance) {
    return held.valueKobo;
  }
  return Math.round((held.valueKobo * points) / held.balance);
}

// ---------------------------------------------------------------------------------------------
// Earning and reversing with purchases: the reward events the order triggers write.

/** Reward events taken per transaction: one commit books a batch's points. */
const EVENT_BATCH = 100;

/**
 * The sweeper's part: book the points of delivered purchases and reverse those of reversed ones,
 * from `reward_events` (written by a trigger in the transaction that changed the order's state).
 * Events are taken in batches (FOR UPDATE SKIP LOCKED) and deleted in the transaction that books
 * them, so each counts once whatever races (two workers, a crash between two batches), at one
 * commit per batch rather than per purchase. A batch that fails is retried one event at a time, so
 * one bad event stays for the next sweep without holding up the others.
 */
export async function sweepRewardEvents(args: { ctx: ServiceContext; limit?: number }) {
  const { ctx } = args;
  const limit = args.limit ?? 2_000;
  const totals = { events: 0, earned: 0, reversed: 0 };
  const add = (done: BatchOutcome) => {
    totals.events += done.taken;
    totals.earned += done.earned;
    totals.reversed += done.reversed;
  };
  while (totals.events < limit) {
    let done: BatchOutcome;
    try {
      done = await withTransaction(ctx, (trx) => bookEventBatch(ctx, trx, { size: EVENT_BATCH }));
    } catch (err) {
      ctx.logger.warn({ err }, "a reward event batch failed; taking its events one at a time");
      const pending = await ctx.db
        .selectFrom("reward_events")
        .select("id")
        .orderBy("id")
        .limit(EVENT_BATCH)
        .execute();
      for (const { id } of pending) {
        try {
          add(await withTransaction(ctx, (trx) => bookEventBatch(ctx, trx, { id })));
        } catch (error) {
          ctx.logger.error(
            { err: error, rewardEventId: id },
            "reward event failed; the next sweep retries it",
          );
        }
      }
      break;
    }
    add(done);
    if (done.taken < EVENT_BATCH) {
      break;
    }
  }
  return totals;
}

type BatchOutcome = { taken: number; earned: number; reversed: number };

/**
 * Take a batch of events (or the one event `id`) and book them in this transaction. Locks in one
 * order everywhere (module comment): the customers' points rows sorted by id, then every money
 * account of the batch at once, so concurrent batches, redemptions and referral rewards cannot
 * deadlock. Order states are read under those locks: a reversal booked meanwhile is seen.
 */
async function bookEventBatch(
  ctx: ServiceContext,
  trx: Trx,
  pick: { size: number } | { id: number },
): Promise<BatchOutcome> {
  const { rows: events } =
    "id" in pick
      ? await sql<TakenEvent>`
          DELETE FROM reward_events
           WHERE id = (SELECT id FROM reward_events WHERE id = ${pick.id} FOR UPDATE SKIP LOCKED)
          RETURNING id, order_id, event`.execute(trx)
      : await sql<TakenEvent>`
          DELETE FROM reward_events
           WHERE id IN (SELECT id FROM reward_events ORDER BY id LIMIT ${pick.size} FOR UPDATE SKIP LOCKED)
          RETURNING id, order_id, event`.execute(trx);
  const outcome: BatchOutcome = { taken: events.length, earned: 0, reversed: 0 };
  if (events.length === 0) {
    return outcome;
  }
  const orderIds = [...new Set(events.map((e) => e.order_id))];
  const owners = await trx
    .selectFrom("vtu_orders as o")
    .innerJoin("accounts as a", "a.user_id", "o.user_id")
    .select(["o.id", "o.user_id", "a.id as wallet_id"])
    .where("o.id", "in", orderIds)
    .execute();
  const userIds = [...new Set(owners.map((o) => o.user_id))].sort();
  const held = new Map<string, { balance: number; valueKobo: number }>();
  for (const userId of userIds) {
    held.set(userId, await lockPointAccount(trx, userId));
  }
  const walletOf = new Map(owners.map((o) => [o.user_id, o.wallet_id]));
  const shards = await Promise.all(
    [...walletOf.values()].flatMap((walletId) => [
      systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.pointsLiability, walletId),
      systemAccountFor(ctx, trx, SYSTEM_ACCOUNTS.promotions, walletId),
    ]),
  );
  await lockAccounts(trx, shards);
  const [orders, earnedRows, rules] = await Promise.all([
    trx
      .selectFrom("vtu_orders")
      .select(["id", "user_id", "service", "price_kobo", "channel", "state"])
      .where("id", "in", orderIds)
      .execute(),
    trx
      .selectFrom("point_entries as p")
      .selectAll("p")
      .select((eb) =>
        eb
          .exists(eb.selectFrom("point_entries as r").select("r.id").whereRef("r.reverses_id", "=", "p.id"))
          .as("reversed"),
      )
      .where("p.order_id", "in", orderIds)
      .where("p.kind", "=", "earn")
      .execute(),
    getPointsRules(ctx, trx),
  ]);
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const earnOf = new Map(earnedRows.map(({ reversed, ...row }) => [row.order_id, { row, reversed }]));
  for (const event of events.sort((a, b) => Number(a.id) - Number(b.id))) {
    const order = orderById.get(event.order_id);
    const points = held.get(order?.user_id ?? "");
    if (!order || !points) {
      continue;
    }
    const earned = earnOf.get(order.id);
    if (event.event === "delivered") {
      const worth = pointsForPurchase(rules, order.service as VtuService, order.price_kobo);
      if (order.state !== "delivered" || order.channel === "gift" || earned || worth <= 0) {
        continue;
      }
      const row = await writePoints(ctx, trx, points, {
        userId: order.user_id,
        kind: "earn",
        points: worth,
        valueKobo: worth * rules.pointValueKobo,
        orderId: order.id,
        actor: "system:points",
        walletId: walletOf.get(order.user_id),
      });
      earnOf.set(order.id, { row, reversed: false });
      outcome.earned += 1;
    } else if (earned && !earned.reversed) {
      await reverseEntry(ctx, trx, points, earned.row, "its purchase was reversed");
      earned.reversed = true;
      outcome.reversed += 1;
    }
  }
  return outcome;
}

type TakenEvent = { id: string; order_id: string; event: "delivered" | "reversed" };

/** Take back one earning row exactly (points and the value it was booked at), once. */
async function reverseEntry(
  ctx: ServiceContext,
  trx: Trx,
  held: { balance: number; valueKobo: number },
  earned: PointEntry,
  reason: string,
): Promise<boolean> {
  const already = await trx
    .selectFrom("point_entries")
    .select("id")
    .where("reverses_id", "=", earned.id)
    .executeTakeFirst();
  if (already) {
    return false;
  }
  await writePoints(ctx, trx, held, {
    userId: earned.user_id,
    kind: "reverse",
    points: -earned.points,
    valueKobo: -earned.value_kobo,
    reversesId: earned.id,
    orderId: earned.order_id ?? undefined,
    referralRewardId: earned.referral_reward_id ?? undefined,
    actor: "system:points",
    reason,
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Referral points: in the referral reward's own transaction (referrals.ts).

/** Points for the referrer of a paid referral reward (in its transaction); returns the points. */
export async function earnReferralPoints(
  ctx: ServiceContext,
  trx: Trx,
  args: { referrerId: string; referralRewardId: string },
): Promise<number> {
  const rules = await getPointsRules(ctx, trx);
  if (rules.referralPoints <= 0) {
    return 0;
  }
  const held = await lockPointAccount(trx, args.referrerId);
  await writePoints(ctx, trx, held, {
    userId: args.referrerId,
    kind: "referral",
    points: rules.referralPoints,
    valueKobo: rules.referralPoints * rules.pointValueKobo,
    referralRewardId: args.referralRewardId,
    actor: "system:referrals",
  });
  return rules.referralPoints;
}

/** Take back the points of a referral reward that was clawed back (in the clawback's transaction). */
export async function reverseReferralPoints(
  ctx: ServiceContext,
  trx: Trx,
  args: { referrerId: string; referralRewardId: string },
): Promise<void> {
  const held = await lockPointAccount(trx, args.referrerId);
  const earned = await trx
    .selectFrom("point_entries")
    .selectAll()
    .where("referral_reward_id", "=", args.referralRewardId)
    .where("kind", "=", "referral")
    .executeTakeFirst();
  if (earned) {
    await reverseEntry(ctx, trx, held, earned, "the referral's purchase was reversed");
  }
}

// ---------------------------------------------------------------------------------------------
// Admin bonuses.

export async function grantBonusPoints(args: {
  ctx: ServiceContext;
  adminId: string;
  userId: string;
  points: number;
  reason: string;
  /**
   * Once per admin and key (the panel form's nonce, the admin API's Idempotency-Key): a double
   * submission or a retry gives the bonus once and answers with the same row.
   */
  idempotencyKey?: string;
}): Promise<PointEntry> {
  const { ctx } = args;
  if (!Number.isSafeInteger(args.points) || args.points < 1 || args.points > 1_000_000) {
    throw new ValidationError("points: a whole number from 1 to 1,000,000.", { field: "points" });
  }
  const reason = args.reason.trim();
  if (reason.length < 3 || reason.length > 500) {
    throw new ValidationError("reason: say why (3–500 characters); the customer and the audit log see it.", {
      field: "reason",
    });
  }
  const give = async (trx: Trx): Promise<PointEntry> => {
    const user = await trx.selectFrom("users").select("id").where("id", "=", args.userId).executeTakeFirst();
    if (!user) {
      throw new ServiceError("not_found", "USER_NOT_FOUND", "No customer with that id.");
    }
    const rules = await getPointsRules(ctx, trx);
    const held = await lockPointAccount(trx, args.userId);
    const row = await writePoints(ctx, trx, held, {
      userId: args.userId,
      kind: "bonus",
      points: args.points,
      valueKobo: args.points * rules.pointValueKobo,
      actor: `admin:${args.adminId}`,
      reason,
    });
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.adminId,
      action: "points.bonus",
      targetType: "user",
      targetId: args.userId,
      before: null,
      after: { points: args.points, balance: row.balance_after, pointEntryId: row.id },
      reason,
    });
    await queueNotification(trx, {
      userId: args.userId,
      kind: "points.bonus",
      body: `You got ${formatPoints(args.points)} bonus points: ${reason}. You now have ${formatPoints(row.balance_after)} points.`,
      payload: { pointEntryId: row.id, notice: { points: args.points, balance: row.balance_after, reason } },
    });
    return row;
  };
  return withTransaction(ctx, async (trx) => {
    if (args.idempotencyKey === undefined) {
      return give(trx);
    }
    const { result } = await runIdempotent(
      trx,
      {
        scope: `admin:${args.adminId}`,
        key: args.idempotencyKey,
        operation: "points.bonus",
        params: { userId: args.userId, points: args.points, reason },
      },
      () => give(trx),
    );
    // A replay reads the stored JSON: the row as it was written, its time a string again.
    return { ...result, created_at: new Date(result.created_at) };
  });
}

// ---------------------------------------------------------------------------------------------
// Expiry.

/**
 * Points expire POINTS_EXPIRY_DAYS after they were earned, oldest first: what a customer earned
 * before the cutoff less everything they have spent, lost or had expired since they joined (a debit
 * uses the oldest points first). Run by a job; each customer under their lock, so two runs expire
 * once. Returns how many customers lost points.
 */
export async function expirePoints(args: { ctx: ServiceContext; limit?: number }): Promise<number> {
  const { ctx } = args;
  const rules = await getPointsRules(ctx, ctx.db);
  const cutoff = new Date(ctx.now().getTime() - rules.expiryDays * 86_400_000);
  const due = await expiringQuery(ctx, cutoff)
    .having(sql<boolean>`${oldEarned(cutoff)} + ${debits} > 0`)
    .limit(args.limit ?? 500)
    .execute();
  let expired = 0;
  for (const { user_id } of due) {
    expired += await withTransaction(ctx, async (trx) => {
      const held = await lockPointAccount(trx, user_id);
      const row = await expiringQuery(ctx, cutoff, trx).where("user_id", "=", user_id).executeTakeFirst();
      const points = Math.min(Number(row?.remaining ?? 0), held.balance);
      if (points <= 0) {
        return 0;
      }
      const entry = await writePoints(ctx, trx, held, {
        userId: user_id,
        kind: "expire",
        points: -points,
        valueKobo: -bookedValueOf(held, points),
        actor: "system:points",
        reason: `earned more than ${rules.expiryDays} days ago`,
      });
      await queueNotification(trx, {
        userId: user_id,
        kind: "points.expired",
        body: `${formatPoints(points)} of your points expired (earned more than ${rules.expiryDays} days ago). You have ${formatPoints(entry.balance_after)} points.`,
        payload: {
          pointEntryId: entry.id,
          notice: { points, balance: entry.balance_after, days: rules.expiryDays },
        },
      });
      return 1;
    });
  }
  return expired;
}

const debits = sql<number>`coalesce(sum(points) FILTER (WHERE points < 0), 0)`;
const oldEarned = (cutoff: Date) =>
  sql<number>`coalesce(sum(points) FILTER (WHERE points > 0 AND created_at < ${cutoff}), 0)`;

function expiringQuery(ctx: ServiceContext, cutoff: Date, db: Trx | ServiceContext["db"] = ctx.db) {
  return db
    .selectFrom("point_entries")
    .select(["user_id", sql<string>`${oldEarned(cutoff)} + ${debits}`.as("remaining")])
    .groupBy("user_id");
}

// ---------------------------------------------------------------------------------------------
// Redemption.

export type Redemption = {
  pointEntryId: string;
  points: number;
  creditKobo: number;
  balance: number;
  redeemedFor: "wallet" | "airtime" | "data";
  replayed: boolean;
};

/**
 * Turn points into wallet money at the published rate: idempotent per customer and key, and under
 * the customer's points lock, so a second redemption of the same points waits and then finds them
 * gone. Airtime and data are bought with the credit right after (routes/points.ts, the chat flow).
 */
export async function redeemPoints(args: {
  ctx: ServiceContext;
  userId: string;
  points: number;
  idempotencyKey: string;
  actor: string;
  redeemedFor?: "wallet" | "airtime" | "data";
  /**
   * The least points a redemption takes (POINTS_MIN_REDEEM) keeps wallet top-ups from points
   * meaningful; a purchase with points is priced by what it buys (₦50 of airtime is 98 points).
   */
  skipMinimum?: boolean;
}): Promise<Redemption> {
  const { ctx, userId } = args;
  const redeemedFor = args.redeemedFor ?? "wallet";
  if (!Number.isSafeInteger(args.points) || args.points < 1) {
    throw new ValidationError("points: a whole number of points, at least 1.", { field: "points" });
  }
  const replay = async (db: Trx | ServiceContext["db"]) => {
    const row = await db
      .selectFrom("point_entries")
      .selectAll()
      .where("user_id", "=", userId)
      .where("idempotency_key", "=", args.idempotencyKey)
      .executeTakeFirst();
    if (!row) {
      return undefined;
    }
    if (-row.points !== args.points || row.redeemed_for !== redeemedFor) {
      throw new ServiceError(
        "conflict",
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used for another redemption. Use a new key for a new redemption.",
      );
    }
    return toRedemption(row, true);
  };
  try {
    return await withTransaction(ctx, async (trx) => {
      const held = await lockPointAccount(trx, userId);
      const earlier = await replay(trx);
      if (earlier) {
        return earlier;
      }
      const rules = await getPointsRules(ctx, trx);
      if (!args.skipMinimum && args.points < rules.minRedeemPoints) {
        throw new ValidationError(
          `You can redeem from ${formatPoints(rules.minRedeemPoints)} points (you asked for ${formatPoints(args.points)}).`,
          { field: "points", minPoints: rules.minRedeemPoints },
          "POINTS_BELOW_MINIMUM",
        );
      }
      if (held.balance < args.points) {
        throw new ServiceError(
          "unprocessable",
          "POINTS_INSUFFICIENT",
          `You have ${formatPoints(Math.max(held.balance, 0))} points; you asked to redeem ${formatPoints(args.points)}.`,
          { balance: held.balance, points: args.points },
        );
      }
      const creditKobo = args.points * rules.pointValueKobo;
      const row = await writePoints(ctx, trx, held, {
        userId,
        kind: "redeem",
        points: -args.points,
        valueKobo: -bookedValueOf(held, args.points),
        walletCreditKobo: creditKobo,
        idempotencyKey: args.idempotencyKey,
        redeemedFor,
        actor: args.actor,
        reason: `${formatNaira(creditKobo)} to the wallet`,
      });
      return toRedemption(row, false);
    });
  } catch (error) {
    // Two requests with one key at once: the second hit the unique index; it is a replay.
    if (isUniqueViolation(error)) {
      const earlier = await replay(ctx.db);
      if (earlier) {
        return earlier;
      }
    }
    throw error;
  }
}

function toRedemption(row: PointEntry, replayed: boolean): Redemption {
  return {
    pointEntryId: row.id,
    points: -row.points,
    creditKobo: row.credit_kobo ?? 0,
    balance: row.balance_after,
    redeemedFor: row.redeemed_for ?? "wallet",
    replayed,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading: balances and statements (chat, API, admin).

export type PointsSummary = {
  balance: number;
  /** What the balance is worth redeemed now (0 below zero). */
  valueKobo: number;
  /** Points that expire within the next 30 days if not used. */
  expiringSoon: number;
  lifetimeEarned: number;
  rules: {
    earnPer100Naira: Record<VtuService, number>;
    referralPoints: number;
    pointValueKobo: number;
    minRedeemPoints: number;
    expiryDays: number;
  };
  /** The most recent changes, newest first. */
  recent: PointStatementLine[];
};

export type PointStatementLine = {
  id: string;
  kind: PointKind;
  points: number;
  balanceAfter: number;
  description: string;
  orderId: string | null;
  createdAt: string;
};

export async function getPointsSummary(args: {
  ctx: ServiceContext;
  userId: string;
  recent?: number;
}): Promise<PointsSummary> {
  const { ctx, userId } = args;
  const rules = await getPointsRules(ctx, ctx.db);
  const soonCutoff = new Date(ctx.now().getTime() - (rules.expiryDays - 30) * 86_400_000);
  const [account, totals, statement] = await Promise.all([
    ctx.db.selectFrom("point_accounts").select("balance").where("user_id", "=", userId).executeTakeFirst(),
    ctx.db
      .selectFrom("point_entries")
      .select([
        sql<string>`coalesce(sum(points) FILTER (WHERE kind IN ('earn', 'referral', 'bonus')), 0)`.as(
          "earned",
        ),
        sql<string>`${oldEarned(soonCutoff)} + ${debits}`.as("soon"),
      ])
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow(),
    listPointStatement({ ctx, userId, limit: args.recent ?? 5 }),
  ]);
  const balance = account?.balance ?? 0;
  const { updatedBy: _by, ...published } = rules;
  return {
    balance,
    valueKobo: Math.max(balance, 0) * rules.pointValueKobo,
    expiringSoon: Math.max(0, Math.min(Number(totals.soon), balance)),
    lifetimeEarned: Number(totals.earned),
    rules: published,
    recent: statement.items,
  };
}

/** A customer's point statement, newest first, by pages (`before`: the previous page's nextCursor). */
export async function listPointStatement(args: {
  ctx: ServiceContext;
  userId: string;
  limit?: number;
  before?: string;
}): Promise<{ items: PointStatementLine[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(args.limit ?? 20, 1), 100);
  let query = args.ctx.db
    .selectFrom("point_entries as p")
    .leftJoin("vtu_orders as o", "o.id", "p.order_id")
    .leftJoin("catalogue_products as cp", "cp.id", "o.product_id")
    .select([
      "p.id",
      "p.kind",
      "p.points",
      "p.balance_after",
      "p.order_id",
      "p.reason",
      "p.redeemed_for",
      "p.created_at",
      "p.seq",
      "cp.name as product_name",
      "o.price_kobo",
    ])
    .where("p.user_id", "=", args.userId)
    .orderBy("p.seq", "desc")
    .limit(limit + 1);
  const before = args.before === undefined ? undefined : Number(args.before);
  if (before !== undefined && Number.isSafeInteger(before)) {
    query = query.where("p.seq", "<", before);
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      points: r.points,
      balanceAfter: r.balance_after,
      description: describeLine(r),
      orderId: r.order_id,
      createdAt: r.created_at.toISOString(),
    })),
    nextCursor: rows.length > limit ? String(page.at(-1)?.seq ?? "") || null : null,
  };
}

function describeLine(r: {
  kind: PointKind;
  reason: string | null;
  product_name: string | null;
  price_kobo: number | null;
  redeemed_for: string | null;
}): string {
  const what = r.product_name
    ? `${r.product_name}${r.price_kobo ? ` (${formatNaira(r.price_kobo)})` : ""}`
    : "";
  switch (r.kind) {
    case "earn":
      return `Earned on ${what || "a purchase"}`;
    case "referral":
      return "For a friend you referred";
    case "bonus":
      return `Bonus: ${r.reason ?? ""}`.trim();
    case "reverse":
      return what ? `Reversed with ${what}` : `Reversed: ${r.reason ?? ""}`.trim();
    case "expire":
      return `Expired (${r.reason ?? "too old"})`;
    case "redeem":
      return `Redeemed${r.redeemed_for && r.redeemed_for !== "wallet" ? ` for ${r.redeemed_for}` : ""}: ${r.reason ?? ""}`.trim();
  }
}

/** 1,250 — points read like money, with thousands separators. */
export function formatPoints(points: number): string {
  return points.toLocaleString("en-NG");
}

export type { PointsRules };
