import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import type { ServiceContext } from "../context";
import {
  grantBonusPoints,
  listPointHolders,
  listRecentPointRows,
  pointsLiabilityReport,
  redeemPoints,
  sweepRewardEvents,
  updatePointsRules,
} from ".";

/**
 * The admin's points report on a real database: the liability now (the ledger's figure) and day by
 * day in Lagos days (the point ledger's running sum), top holders and the latest rows.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
let clock = Date.parse("2026-12-05T10:00:00Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config: testConfig({ POINT_VALUE_KOBO: "50" }), now: () => new Date(clock) });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await tdb.destroy();
});

describe("points liability report", () => {
  it("is empty on a fresh database", async () => {
    const report = await pointsLiabilityReport({ ctx, days: 2 });
    expect(report).toMatchObject({
      outstandingPoints: 0,
      holders: 0,
      liabilityKobo: 0,
      valueAtCurrentRateKobo: 0,
    });
    expect(report.days.map((d) => d.day)).toEqual(["2026-12-04", "2026-12-05"]);
    expect(await listPointHolders({ ctx })).toEqual([]);
  });

  it("follows earning, bonuses and a redemption day by day, and the ledger's liability now", async () => {
    const ada = await createBuyer(ctx, 1_000_000);
    const bola = await createBuyer(ctx, 0);
    await tdb.db.updateTable("users").set({ display_name: "Ada Holder" }).where("id", "=", ada.id).execute();
    await tdb.db
      .updateTable("users")
      .set({ display_name: "Bola Holder" })
      .where("id", "=", bola.id)
      .execute();

    // Lagos 2026-12-05: Ada's purchase earns, Bola gets a 200-point bonus.
    const order = await placeOrder(ctx, harness.vtu, ada.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 100_000, pin: TEST_PIN },
    });
    await harness.drain();
    await sweepRewardEvents({ ctx });
    const price = (
      await tdb.db
        .selectFrom("vtu_orders")
        .select("price_kobo")
        .where("id", "=", order.id)
        .executeTakeFirstOrThrow()
    ).price_kobo;
    const earned = Math.floor(price / 10_000);
    expect(earned).toBeGreaterThan(0);
    await grantBonusPoints({
      ctx,
      adminId: "adm_test",
      userId: bola.id,
      points: 200,
      reason: "welcome gift",
    });

    // 2026-12-06 23:30 in Lagos: Bola redeems 100 (half her points: half of what they are booked at).
    clock = Date.parse("2026-12-06T22:30:00Z");
    await redeemPoints({ ctx, userId: bola.id, points: 100, idempotencyKey: "r1", actor: "test" });
    // 00:30 on 2026-12-07 in Lagos (still the 6th in UTC): Ada gets 10.
    clock = Date.parse("2026-12-06T23:30:00Z");
    await grantBonusPoints({ ctx, adminId: "adm_test", userId: ada.id, points: 10, reason: "sorry" });

    clock = Date.parse("2026-12-07T12:00:00Z");
    const report = await pointsLiabilityReport({ ctx, days: 3 });
    const first = (earned + 200) * 50;
    expect(report.days).toEqual([
      { day: "2026-12-05", earned, bonus: 200, redeemed: 0, expired: 0, reversed: 0, liabilityKobo: first },
      {
        day: "2026-12-06",
        earned: 0,
        bonus: 0,
        redeemed: 100,
        expired: 0,
        reversed: 0,
        liabilityKobo: first - 5_000,
      },
      {
        day: "2026-12-07",
        earned: 0,
        bonus: 10,
        redeemed: 0,
        expired: 0,
        reversed: 0,
        liabilityKobo: first - 4_500,
      },
    ]);
    expect(report).toMatchObject({
      outstandingPoints: earned + 110,
      holders: 2,
      pointsInDebt: 0,
      liabilityKobo: first - 4_500,
      valueAtCurrentRateKobo: (earned + 110) * 50,
      pointValueKobo: 50,
    });

    // One day only: the liability carried in from before it.
    const today = await pointsLiabilityReport({ ctx, days: 1 });
    expect(today.days).toEqual([report.days[2]]);

    // A new rate changes what the points would cost now, not what they are booked at.
    await updatePointsRules({
      ctx,
      admin: { id: "adm_super", role: "super_admin" },
      input: {
        earnPer100Naira: { airtime: 1, data: 1, cable: 1, electricity: 1 },
        referralPoints: 100,
        pointValueKobo: 100,
        minRedeemPoints: 100,
        expiryDays: 365,
        reason: "double value",
      },
    });
    const after = await pointsLiabilityReport({ ctx, days: 3 });
    expect(after.liabilityKobo).toBe(first - 4_500);
    expect(after.valueAtCurrentRateKobo).toBe((earned + 110) * 100);

    const holders = await listPointHolders({ ctx, limit: 10 });
    expect(holders.map((h) => [h.name, h.balance, h.valueKobo])).toEqual(
      [
        ["Bola Holder", 100, 10_000],
        ["Ada Holder", earned + 10, (earned + 10) * 100],
      ].sort((a, b) => Number(b[1]) - Number(a[1])),
    );
    const recent = await listRecentPointRows({ ctx, limit: 2 });
    expect(recent.map((r) => [r.name, r.kind, r.points, r.valueKobo])).toEqual([
      ["Ada Holder", "bonus", 10, 500],
      ["Bola Holder", "redeem", -100, -5_000],
    ]);
    await expectLedgerConsistent(tdb.db);
  });
});
