import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buyAirtime,
  type ExpectedDay,
  expectedDay,
  expectedRange,
  lagosDayOffset,
  moveTo,
  sandboxPayments,
  seedActivity,
} from "../../../test/helpers/analytics";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
} from "../../../test/helpers/vtu";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { PaymentsRuntime } from "../funding";
import {
  type AnalyticsReport,
  analyticsReport,
  type DayFigures,
  lagosDay,
  rollUpDay,
  rollUpMissingDays,
} from ".";

/**
 * Analytics over activity seeded through the real services on four Lagos days: the rollup and the
 * report equal independent SQL over the source tables; the rollup is idempotent; today is live.
 */
const config = testConfig();
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
let payments: PaymentsRuntime;
let seeded: Awaited<ReturnType<typeof seedActivity>>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  payments = sandboxPayments(ctx);
  seeded = await seedActivity(ctx, harness, payments);
}, 60_000);
afterAll(() => tdb.destroy());

function dayOf(report: AnalyticsReport, day: string): DayFigures {
  const found = report.series.find((d) => d.day === day);
  if (!found) {
    throw new Error(`no ${day} in the report`);
  }
  return found;
}

/** The report's figures for a day, in the shape of the independent SQL. */
function asExpected(d: DayFigures): ExpectedDay {
  const nonZero = (entries: [string, number][]) => Object.fromEntries(entries.filter(([, n]) => n !== 0));
  return {
    orders: d.orders,
    delivered: d.delivered,
    unsuccessful: d.unsuccessful,
    revenueKobo: d.revenueKobo,
    costKobo: d.costKobo,
    ordersByService: nonZero(Object.entries(d.byService).map(([s, f]) => [s, f.orders])),
    revenueByService: nonZero(Object.entries(d.byService).map(([s, f]) => [s, f.revenueKobo])),
    newUsers: d.newUsers,
    activeUsers: d.activeUsers,
    fundingKobo: d.fundingKobo,
    fundingCount: d.fundingCount,
    withdrawalsKobo: d.withdrawalsKobo,
    withdrawalsCount: d.withdrawalsCount,
    giftRooms: d.giftRooms,
    giftCapacity: d.giftCapacity,
    giftClaims: d.giftClaims,
    providerDelivered: d.providerDelivered,
    failoverOrders: d.failoverOrders,
    failoverAttempts: Object.values(d.failoverAttempts).reduce((a, b) => a + b, 0),
  };
}

async function rollupRows() {
  return tdb.db
    .selectFrom("daily_rollups")
    .select([(eb) => eb.cast<string>("day", "text").as("day"), "metric", "dimension", "value"])
    .orderBy("day")
    .orderBy("metric")
    .orderBy("dimension")
    .execute();
}

describe("analytics: rollup and report", () => {
  it("the seeded activity is what the test thinks it is (guards the comparisons below)", async () => {
    const { d3, d2, d1 } = seeded.days;
    const e3 = await expectedDay(ctx, d3);
    expect(e3).toMatchObject({
      orders: 4,
      delivered: 3,
      unsuccessful: 1,
      newUsers: 2,
      activeUsers: 2,
      fundingCount: 1,
    });
    expect(e3.ordersByService).toEqual({ airtime: 3, data: 1 });
    const e2 = await expectedDay(ctx, d2);
    // The failover order, the electricity order, two gift orders.
    expect(e2).toMatchObject({ orders: 4, giftRooms: 1, giftCapacity: 3, giftClaims: 2, failoverOrders: 1 });
    expect(e2.providerDelivered["sandbox-b"]).toBe(1);
    const e1 = await expectedDay(ctx, d1);
    expect(e1).toMatchObject({
      orders: 2,
      newUsers: 1,
      activeUsers: 2,
      fundingCount: 1,
      withdrawalsCount: 1,
      withdrawalsKobo: 100_000,
    });
  });

  it("rolls up the missing days; every daily figure and every range metric equals independent SQL", async () => {
    const { d3, d2, d1, today } = seeded.days;
    const { rolledUp } = await rollUpMissingDays(ctx, { lookbackDays: 5 });
    expect(rolledUp).toEqual([lagosDayOffset(-5), lagosDayOffset(-4), d3, d2, d1]);

    const report = await analyticsReport(ctx, { from: d3, to: today });
    expect(report.range).toEqual({ from: d3, to: today, days: 4 });
    expect(report.series.map((d) => [d.day, d.source])).toEqual([
      [d3, "rollup"],
      [d2, "rollup"],
      [d1, "rollup"],
      [today, "live"],
    ]);
    for (const day of [d3, d2, d1, today]) {
      expect(asExpected(dayOf(report, day)), day).toEqual(await expectedDay(ctx, day));
    }

    // The range metrics over d2..today, against a previous period of the same length (d5..d3).
    const r = await analyticsReport(ctx, { from: d2, to: today });
    const t = r.totals;
    const x = await expectedRange(ctx, d2, today, lagosDayOffset(-5));
    const days = await Promise.all([d2, d1, today].map((day) => expectedDay(ctx, day)));
    const sum = (pick: (e: ExpectedDay) => number) => days.reduce((n, e) => n + pick(e), 0);
    const delivered = sum((e) => e.delivered);
    const revenue = sum((e) => e.revenueKobo);
    const cost = sum((e) => e.costKobo);
    expect(t.totalUsers).toBe(x.totalUsers);
    expect(t.activeUsers).toBe(x.activeUsers);
    expect(t.newUsers).toBe(sum((e) => e.newUsers));
    expect(t.retention).toMatchObject({
      previousFrom: lagosDayOffset(-5),
      previousTo: d3,
      previousActive: x.previousActive,
      retained: x.retained,
    });
    expect(x.previousActive).toBe(2);
    expect(t.retention.rate).toBeCloseTo(x.retained / x.previousActive, 4);
    expect(t.transactions).toBe(sum((e) => e.orders));
    expect(t.volumeKobo).toBe(revenue);
    expect(t.averageSizeKobo).toBe(Math.round(revenue / delivered));
    expect(t.successRate).toBeCloseTo(delivered / (delivered + sum((e) => e.unsuccessful)), 4);
    for (const service of ["airtime", "data", "cable", "electricity"] as const) {
      expect(t.revenueByService[service].revenueKobo, service).toBe(
        days.reduce((n, e) => n + (e.revenueByService[service] ?? 0), 0),
      );
    }
    expect(t.marginKobo).toBe(revenue - cost);
    expect(t.profitMargin).toBeCloseTo((revenue - cost) / revenue, 4);
    expect(t.fundingKobo).toBe(sum((e) => e.fundingKobo));
    expect(t.withdrawalsKobo).toBe(sum((e) => e.withdrawalsKobo));
    expect(t.withdrawalsCount).toBe(sum((e) => e.withdrawalsCount));
    expect(t.gifts).toMatchObject({
      rooms: x.rooms,
      capacity: x.capacity,
      claims: x.claimsOnRooms,
      roomsClaimed: x.roomsClaimed,
      creators: x.creators,
      convertedClaimers: x.converted,
    });
    // One room of 3, two claims, one claimer became a customer, one creator.
    expect([x.rooms, x.capacity, x.claimsOnRooms, x.converted, x.creators]).toEqual([1, 3, 2, 1, 1]);
    expect(t.gifts.participationRate).toBeCloseTo(2 / 3, 4);
    expect(t.gifts.claimRate).toBe(1);
    expect(t.gifts.viralCoefficient).toBe(1);
    expect(t.providerShare["sandbox-b"]?.delivered).toBe(sum((e) => e.providerDelivered["sandbox-b"] ?? 0));
    expect(t.failoverOrders).toBe(sum((e) => e.failoverOrders));
    // JSON-serialisable as it is.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("is idempotent: rolling up again writes the same rows; a later change reaches a day only when it is rolled up again", async () => {
    const { d1 } = seeded.days;
    await rollUpMissingDays(ctx, { lookbackDays: 5 });
    const before = await rollupRows();
    await rollUpMissingDays(ctx, { lookbackDays: 5 });
    await Promise.all([rollUpDay(ctx, d1), rollUpDay(ctx, d1)]);
    expect(await rollupRows()).toEqual(before);

    // An order that lands on d1 afterwards (a late import, say): the stored day keeps its numbers
    // until the next roll-up, which picks it up.
    const late = await buyAirtime(ctx, harness, seeded.users.b3.id, sandboxPhone(), 70_000);
    await moveTo(ctx, d1, [{ table: "vtu_orders", id: late }]);
    const stale = await analyticsReport(ctx, { from: d1, to: d1 });
    expect(stale.series[0]?.source).toBe("rollup");
    expect(stale.series[0]?.orders).toBe(
      before.filter((r) => r.day === d1 && r.metric === "orders.count").reduce((n, r) => n + r.value, 0),
    );
    await rollUpDay(ctx, d1);
    const fresh = await analyticsReport(ctx, { from: d1, to: d1 });
    expect(asExpected(dayOf(fresh, d1))).toEqual(await expectedDay(ctx, d1));
    expect(fresh.series[0]?.orders).toBe((stale.series[0]?.orders ?? 0) + 1);
  });

  it("today's figures are live: an order placed now shows at once, without a rollup", async () => {
    const { today } = seeded.days;
    const before = dayOf(await analyticsReport(ctx, { from: today, to: today }), today);
    const buyer = await createBuyer(ctx, 500_000);
    const orderId = await buyAirtime(ctx, harness, buyer.id, sandboxPhone(), 25_000);
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .select(["price_kobo", "state"])
      .where("id", "=", orderId)
      .executeTakeFirstOrThrow();
    expect(order.state).toBe("delivered");
    const after = dayOf(await analyticsReport(ctx, { from: today, to: today }), today);
    expect(after.source).toBe("live");
    expect(after.orders).toBe(before.orders + 1);
    expect(after.byService.airtime.revenueKobo).toBe(before.byService.airtime.revenueKobo + order.price_kobo);
    expect(after.newUsers).toBe(before.newUsers + 1);
    expect(asExpected(after)).toEqual(await expectedDay(ctx, today));
    expect(await tdb.db.selectFrom("daily_rollups").select("day").where("day", "=", today).execute()).toEqual(
      [],
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses ranges that make no sense, and rolling up a day that is not over, with what to change", async () => {
    const today = lagosDay(new Date());
    const refused = async (input: { from?: string; to?: string }) => {
      const error = await analyticsReport(ctx, input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      return (error as ServiceError).message;
    };
    expect(await refused({ from: "2026-02-30" })).toMatch(/not a date.*YYYY-MM-DD/);
    expect(await refused({ from: "yesterday" })).toMatch(/not a date/);
    expect(await refused({ from: today, to: lagosDayOffset(-1) })).toMatch(/after the end day.*swap/);
    expect(await refused({ to: lagosDayOffset(1) })).toMatch(/in the future/);
    expect(await refused({ from: lagosDayOffset(-400) })).toMatch(/at most 366/);
    await expect(rollUpDay(ctx, today)).rejects.toThrow(/not over yet/);
    const defaults = await analyticsReport(ctx);
    expect(defaults.range).toEqual({ from: lagosDayOffset(-29), to: today, days: 30 });
    // Empty days read as zeros, not gaps.
    expect(defaults.series).toHaveLength(30);
    expect(defaults.series[0]).toMatchObject({ orders: 0, successRate: 0, revenueKobo: 0 });
  });
});
