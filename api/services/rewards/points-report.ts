import { sql } from "kysely";
import type { PointKind } from "../../../db/database";
import type { ServiceContext } from "../context";
import { SYSTEM_ACCOUNTS } from "../ledger";
import { getPointsRules } from "./points-rules";

/**
 * The admin's view of loyalty points (issue 18 §2 and §5): what the business owes for points now
 * and how that promise moved day by day (Africa/Lagos days), the customers holding the most, and
 * the latest point rows across customers. Reads only.
 *
 * The liability is read twice on purpose: `liabilityKobo` is the ledger's (the balances of the
 * `system:points_liability` family), `series[].liabilityKobo` is the point ledger's running sum of
 * `value_kobo` (each row's change to it); check P1 keeps them equal, so the last day of the series
 * ends at the ledger's figure.
 */
export type PointsLiabilityDay = {
  /** YYYY-MM-DD, a Lagos day. */
  day: string;
  /** Points earned on purchases and referrals that day. */
  earned: number;
  /** Points given by admins that day. */
  bonus: number;
  /** Points redeemed, expired and reversed that day (as positive numbers). */
  redeemed: number;
  expired: number;
  reversed: number;
  /** What the business owed for points at the end of the day (kobo). */
  liabilityKobo: number;
};

export type PointsLiabilityReport = {
  /** Points customers hold (positive balances only: a negative balance is a debt, not a promise). */
  outstandingPoints: number;
  /** Customers holding at least one point. */
  holders: number;
  /** Points owed back by customers whose reversed purchase took them below zero. */
  pointsInDebt: number;
  /** The ledger's figure: what the points are booked at. */
  liabilityKobo: number;
  /** The outstanding points at today's redemption rate (differs when the rate changed). */
  valueAtCurrentRateKobo: number;
  pointValueKobo: number;
  days: PointsLiabilityDay[];
};

const DAY_MS = 86_400_000;

/** The Lagos calendar day of an instant (Lagos is UTC+1 all year). */
function lagosDay(at: Date): string {
  return new Date(at.getTime() + 3_600_000).toISOString().slice(0, 10);
}

export async function pointsLiabilityReport(args: {
  ctx: ServiceContext;
  days?: number;
}): Promise<PointsLiabilityReport> {
  const { ctx } = args;
  const n = Math.min(Math.max(Math.trunc(args.days ?? 30) || 30, 1), 366);
  const today = lagosDay(ctx.now());
  const firstDay = lagosDay(new Date(Date.parse(`${today}T12:00:00Z`) - (n - 1) * DAY_MS));
  // The first day's midnight in Lagos, as an instant.
  const start = sql<Date>`(${firstDay}::date::timestamp AT TIME ZONE 'Africa/Lagos')`;
  const [rules, balances, ledger, before, perDay] = await Promise.all([
    getPointsRules(ctx, ctx.db),
    ctx.db
      .selectFrom("point_accounts")
      .select([
        sql<string>`coalesce(sum(balance) FILTER (WHERE balance > 0), 0)`.as("outstanding"),
        sql<string>`count(*) FILTER (WHERE balance > 0)`.as("holders"),
        sql<string>`coalesce(-sum(balance) FILTER (WHERE balance < 0), 0)`.as("debt"),
      ])
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("accounts")
      .select(sql<string>`coalesce(sum(balance), 0)`.as("balance"))
      .where("system_code", "=", SYSTEM_ACCOUNTS.pointsLiability)
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("point_entries")
      .select(sql<string>`coalesce(sum(value_kobo), 0)`.as("value"))
      .where("created_at", "<", start)
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("point_entries")
      .select([
        sql<string>`(created_at AT TIME ZONE 'Africa/Lagos')::date::text`.as("day"),
        "kind",
        sql<string>`sum(points)`.as("points"),
        sql<string>`sum(value_kobo)`.as("value"),
      ])
      .where("created_at", ">=", start)
      .groupBy([sql`1`, "kind"])
      .execute(),
  ]);
  const byDay = new Map<string, { points: Partial<Record<PointKind, number>>; value: number }>();
  for (const row of perDay) {
    const day = byDay.get(row.day) ?? { points: {}, value: 0 };
    day.points[row.kind] = Number(row.points);
    day.value += Number(row.value);
    byDay.set(row.day, day);
  }
  let liability = Number(before.value);
  const days: PointsLiabilityDay[] = [];
  for (let i = 0; i < n; i++) {
    const day = lagosDay(new Date(Date.parse(`${firstDay}T12:00:00Z`) + i * DAY_MS));
    const row = byDay.get(day);
    const p = row?.points ?? {};
    liability += row?.value ?? 0;
    days.push({
      day,
      earned: (p.earn ?? 0) + (p.referral ?? 0),
      bonus: p.bonus ?? 0,
      redeemed: Math.abs(p.redeem ?? 0),
      expired: Math.abs(p.expire ?? 0),
      reversed: Math.abs(p.reverse ?? 0),
      liabilityKobo: liability,
    });
  }
  const outstanding = Number(balances.outstanding);
  return {
    outstandingPoints: outstanding,
    holders: Number(balances.holders),
    pointsInDebt: Number(balances.debt),
    liabilityKobo: Number(ledger.balance),
    valueAtCurrentRateKobo: outstanding * rules.pointValueKobo,
    pointValueKobo: rules.pointValueKobo,
    days,
  };
}

export type PointHolder = {
  userId: string;
  name: string | null;
  phone: string | null;
  balance: number;
  /** At today's redemption rate. */
  valueKobo: number;
};

/** The customers holding the most points. */
export async function listPointHolders(args: {
  ctx: ServiceContext;
  limit?: number;
}): Promise<PointHolder[]> {
  const { ctx } = args;
  const [rules, rows] = await Promise.all([
    getPointsRules(ctx, ctx.db),
    ctx.db
      .selectFrom("point_accounts as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select(["a.user_id", "a.balance", "u.display_name", "u.phone"])
      .where("a.balance", ">", 0)
      .orderBy("a.balance", "desc")
      .orderBy("a.user_id")
      .limit(Math.min(Math.max(args.limit ?? 20, 1), 500))
      .execute(),
  ]);
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.display_name,
    phone: r.phone,
    balance: r.balance,
    valueKobo: r.balance * rules.pointValueKobo,
  }));
}

export type RecentPointRow = {
  id: string;
  userId: string;
  name: string | null;
  kind: PointKind;
  points: number;
  balanceAfter: number;
  /** This row's change to the liability (kobo). */
  valueKobo: number;
  orderId: string | null;
  reason: string | null;
  actor: string;
  createdAt: string;
};

/** The latest point rows across customers, newest first. */
export async function listRecentPointRows(args: {
  ctx: ServiceContext;
  limit?: number;
}): Promise<RecentPointRow[]> {
  const rows = await args.ctx.db
    .selectFrom("point_entries as p")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select([
      "p.id",
      "p.user_id",
      "u.display_name",
      "p.kind",
      "p.points",
      "p.balance_after",
      "p.value_kobo",
      "p.order_id",
      "p.reason",
      "p.actor",
      "p.created_at",
    ])
    .orderBy("p.seq", "desc")
    .limit(Math.min(Math.max(args.limit ?? 20, 1), 500))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    name: r.display_name,
    kind: r.kind,
    points: r.points,
    balanceAfter: r.balance_after,
    valueKobo: Number(r.value_kobo),
    orderId: r.order_id,
    reason: r.reason,
    actor: r.actor,
    createdAt: r.created_at.toISOString(),
  }));
}
