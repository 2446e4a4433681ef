import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser } from "../../../test/helpers/fixtures";
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
import { checkLedger } from "../ledger/check-ledger";
import { reverseOrder } from "../vtu/transitions";
import { getWalletBalance } from "../wallet";
import {
  applyReferralCode,
  expirePoints,
  getPointsSummary,
  grantBonusPoints,
  listPointStatement,
  redeemPoints,
  sweepReferralRewards,
  sweepRewardEvents,
  updatePointsRules,
} from ".";

/**
 * Loyalty points on a real database with the sandbox providers: earned once per delivered
 * purchase whatever races, reversed once with the purchase, expired oldest first, redeemed once
 * per key and never twice from the same points, with the ledger checks (P1–P3) after each.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
let clock = Date.now();

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db, { config: testConfig({}), now: () => new Date(clock) });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await tdb.destroy();
});

const wallet = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;
const points = async (userId: string) => (await getPointsSummary({ ctx, userId })).balance;

async function buyDelivered(userId: string, amountKobo: number) {
  const order = await placeOrder(ctx, harness.vtu, userId, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo, pin: TEST_PIN },
  });
  await harness.drain();
  const row = await tdb.db
    .selectFrom("vtu_orders")
    .selectAll()
    .where("id", "=", order.id)
    .executeTakeFirstOrThrow();
  expect(row.state).toBe("delivered");
  return row;
}

async function reverse(orderId: string) {
  await tdb.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("vtu_orders")
      .selectAll()
      .where("id", "=", orderId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    expect(await reverseOrder(trx, ctx, row, "the network took it back")).toBe(true);
  });
}

let keys = 0;
const key = () => `redeem-${Date.now()}-${keys++}`;

describe("earning and reversing with purchases", () => {
  it("a delivered purchase earns once (1 point per full ₦100 paid) however many sweeps race", async () => {
    const buyer = await createBuyer(ctx, 1_000_000);
    const order = await buyDelivered(buyer.id, 250_000);
    await Promise.all(Array.from({ length: 4 }, () => sweepRewardEvents({ ctx })));
    await sweepRewardEvents({ ctx });
    const expected = Math.floor(order.price_kobo / 10_000);
    expect(expected).toBeGreaterThan(0);
    expect(await points(buyer.id)).toBe(expected);
    const rows = await tdb.db
      .selectFrom("point_entries")
      .selectAll()
      .where("user_id", "=", buyer.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "earn", order_id: order.id, value_kobo: expected * 50 });
    await expectLedgerConsistent(tdb.db);
  });

  it("many buyers' deliveries and a reversal in one batch, three sweeps racing: each order earns once", async () => {
    const buyers = await Promise.all([1, 2, 3].map(() => createBuyer(ctx, 2_000_000)));
    const orders = [];
    for (const buyer of buyers) {
      for (const amount of [100_000, 200_000, 300_000]) {
        orders.push(await buyDelivered(buyer.id, amount));
      }
    }
    const reversed = orders[4];
    if (!reversed) {
      throw new Error("no order to reverse");
    }
    await reverse(reversed.id);
    await Promise.all([sweepRewardEvents({ ctx }), sweepRewardEvents({ ctx }), sweepRewardEvents({ ctx })]);
    const rows = await tdb.db
      .selectFrom("point_entries")
      .select(["order_id", "kind", "points"])
      .where(
        "order_id",
        "in",
        orders.map((o) => o.id),
      )
      .execute();
    for (const order of orders) {
      const mine = rows.filter((r) => r.order_id === order.id);
      // The reversed order: earned before its reversal was swept, or never (read under the lock).
      const expected = order.id === reversed.id ? mine.length % 2 === 0 : mine.length === 1;
      expect(expected, order.id).toBe(true);
    }
    for (const buyer of buyers) {
      const mine = orders.filter((o) => o.user_id === buyer.id && o.id !== reversed.id);
      expect(await points(buyer.id)).toBe(mine.reduce((n, o) => n + Math.floor(o.price_kobo / 10_000), 0));
    }
    expect(await tdb.db.selectFrom("reward_events").select("id").execute()).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a reversed purchase takes its points back exactly once, even after they were redeemed (a debt)", async () => {
    const buyer = await createBuyer(ctx, 1_000_000);
    const order = await buyDelivered(buyer.id, 500_000);
    await sweepRewardEvents({ ctx });
    const earned = await points(buyer.id);
    expect(earned).toBeGreaterThan(0);
    await grantBonusPoints({ ctx, adminId: "adm_test", userId: buyer.id, points: 100, reason: "to redeem" });
    await redeemPoints({ ctx, userId: buyer.id, points: earned + 100, idempotencyKey: key(), actor: "test" });
    await reverse(order.id);
    await Promise.all([sweepRewardEvents({ ctx }), sweepRewardEvents({ ctx })]);
    await sweepRewardEvents({ ctx });
    expect(await points(buyer.id)).toBe(-earned);
    const reversals = await tdb.db
      .selectFrom("point_entries")
      .select("points")
      .where("user_id", "=", buyer.id)
      .where("kind", "=", "reverse")
      .execute();
    expect(reversals).toEqual([{ points: -earned }]);
    // Nothing is redeemable while the balance is below zero; the next purchase pays the debt first.
    await expect(
      redeemPoints({ ctx, userId: buyer.id, points: 100, idempotencyKey: key(), actor: "test" }),
    ).rejects.toMatchObject({ code: "POINTS_INSUFFICIENT" });
    await expectLedgerConsistent(tdb.db);
  });

  it("a purchase reversed before its points were booked earns nothing", async () => {
    const buyer = await createBuyer(ctx, 1_000_000);
    const order = await buyDelivered(buyer.id, 300_000);
    await reverse(order.id);
    await sweepRewardEvents({ ctx });
    expect(await points(buyer.id)).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("redeeming", () => {
  async function holder(pointsWanted: number) {
    const user = await createTestUser(tdb.db);
    await grantBonusPoints({
      ctx,
      adminId: "adm_test",
      userId: user.id,
      points: pointsWanted,
      reason: "test",
    });
    return user;
  }

  it("turns points into wallet money at the published rate, once per key", async () => {
    const user = await holder(300);
    const before = await wallet(user.id);
    const k = key();
    const first = await redeemPoints({ ctx, userId: user.id, points: 200, idempotencyKey: k, actor: "test" });
    const again = await redeemPoints({ ctx, userId: user.id, points: 200, idempotencyKey: k, actor: "test" });
    expect(first).toMatchObject({ points: 200, creditKobo: 10_000, balance: 100, replayed: false });
    expect(again).toMatchObject({ pointEntryId: first.pointEntryId, replayed: true });
    expect(await wallet(user.id)).toBe(before + 10_000);
    await expect(
      redeemPoints({ ctx, userId: user.id, points: 150, idempotencyKey: k, actor: "test" }),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    await expectLedgerConsistent(tdb.db);
  });

  it("two redemptions of the same points at once: one wins, the other is told what is left", async () => {
    const user = await holder(150);
    const results = await Promise.allSettled([
      redeemPoints({ ctx, userId: user.id, points: 150, idempotencyKey: key(), actor: "test" }),
      redeemPoints({ ctx, userId: user.id, points: 150, idempotencyKey: key(), actor: "test" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected");
    expect(lost?.status === "rejected" && lost.reason).toMatchObject({ code: "POINTS_INSUFFICIENT" });
    expect(await points(user.id)).toBe(0);
    expect(await wallet(user.id)).toBe(7_500);
    await expectLedgerConsistent(tdb.db);
  });

  it("below the minimum or more than the balance is refused with what to do", async () => {
    const user = await holder(120);
    await expect(
      redeemPoints({ ctx, userId: user.id, points: 50, idempotencyKey: key(), actor: "test" }),
    ).rejects.toMatchObject({ code: "POINTS_BELOW_MINIMUM" });
    await expect(
      redeemPoints({ ctx, userId: user.id, points: 500, idempotencyKey: key(), actor: "test" }),
    ).rejects.toMatchObject({
      code: "POINTS_INSUFFICIENT",
      message: expect.stringMatching(/You have 120 points/),
    });
    expect(await points(user.id)).toBe(120);
  });

  it("a rate change applies to redemptions from then on; the liability keeps what was booked", async () => {
    const user = await holder(200);
    await updatePointsRules({
      ctx,
      admin: { id: "adm_super", role: "super_admin" },
      input: {
        earnPer100Naira: { airtime: 1, data: 1, cable: 1, electricity: 1 },
        referralPoints: 100,
        pointValueKobo: 80,
        minRedeemPoints: 100,
        expiryDays: 365,
        reason: "spring promotion",
      },
    });
    try {
      const r = await redeemPoints({
        ctx,
        userId: user.id,
        points: 200,
        idempotencyKey: key(),
        actor: "test",
      });
      expect(r.creditKobo).toBe(16_000);
      await expectLedgerConsistent(tdb.db);
    } finally {
      await tdb.db.deleteFrom("points_settings").execute();
    }
  });
});

describe("expiry and bonuses", () => {
  it("points older than the expiry period expire once, oldest first; newer ones stay", async () => {
    const user = await createTestUser(tdb.db);
    const start = clock;
    await grantBonusPoints({ ctx, adminId: "adm_test", userId: user.id, points: 300, reason: "old" });
    clock = start + 200 * 86_400_000;
    await grantBonusPoints({ ctx, adminId: "adm_test", userId: user.id, points: 100, reason: "new" });
    await redeemPoints({ ctx, userId: user.id, points: 120, idempotencyKey: key(), actor: "test" });
    clock = start + 366 * 86_400_000;
    try {
      await Promise.all([expirePoints({ ctx }), expirePoints({ ctx })]);
      await expirePoints({ ctx });
      // 300 old less the 120 spent: 180 expire; the 100 earned later stay.
      expect(await points(user.id)).toBe(100);
      const expired = await tdb.db
        .selectFrom("point_entries")
        .select("points")
        .where("user_id", "=", user.id)
        .where("kind", "=", "expire")
        .execute();
      expect(expired).toEqual([{ points: -180 }]);
      const notice = await tdb.db
        .selectFrom("notifications")
        .select("body")
        .where("user_id", "=", user.id)
        .where("kind", "=", "points.expired")
        .executeTakeFirstOrThrow();
      expect(notice.body).toMatch(/180 of your points expired/);
      await expectLedgerConsistent(tdb.db);
    } finally {
      clock = start;
    }
  });

  it("an admin bonus needs a reason, is audited and shows in the statement", async () => {
    const user = await createTestUser(tdb.db);
    await expect(
      grantBonusPoints({ ctx, adminId: "adm_test", userId: user.id, points: 10, reason: "" }),
    ).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await grantBonusPoints({
      ctx,
      adminId: "adm_test",
      userId: user.id,
      points: 40,
      reason: "sorry for the delay",
    });
    const statement = await listPointStatement({ ctx, userId: user.id });
    expect(statement.items[0]).toMatchObject({
      kind: "bonus",
      points: 40,
      description: "Bonus: sorry for the delay",
    });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", user.id)
      .where("action", "=", "points.bonus")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("the point ledger refuses changes to written rows", async () => {
    const user = await createTestUser(tdb.db);
    await grantBonusPoints({ ctx, adminId: "adm_test", userId: user.id, points: 5, reason: "append-only" });
    await expect(
      tdb.db.updateTable("point_entries").set({ points: 500 }).where("user_id", "=", user.id).execute(),
    ).rejects.toThrow(/append-only/);
  });

  it("the ledger check notices a point row without its money", async () => {
    const user = await createTestUser(tdb.db);
    await tdb.db.transaction().execute(async (trx) => {
      await trx.insertInto("point_accounts").values({ user_id: user.id, balance: 10 }).execute();
      await trx
        .insertInto("point_entries")
        .values({
          id: `pts_forged_${user.id}`,
          user_id: user.id,
          kind: "bonus",
          points: 10,
          balance_after: 10,
          value_kobo: 0,
          actor: "test",
          reason: "forged",
        })
        .execute();
    });
    // A zero-value row is allowed; the balance check still ties it. Now break the account.
    await tdb.db.updateTable("point_accounts").set({ balance: 11 }).where("user_id", "=", user.id).execute();
    expect((await checkLedger(tdb.db)).find((c) => c.id === "P2")?.ok).toBe(false);
    await tdb.db.updateTable("point_accounts").set({ balance: 10 }).where("user_id", "=", user.id).execute();
    expect((await checkLedger(tdb.db)).find((c) => c.id === "P2")?.ok).toBe(true);
  });
});

describe("referral points", () => {
  it("the referrer's points come with the reward and go with its clawback", async () => {
    const referrer = await createTestUser(tdb.db);
    const referee = await createBuyer(ctx, 500_000);
    const code = await tdb.db
      .selectFrom("users")
      .select("referral_code")
      .where("id", "=", referrer.id)
      .executeTakeFirstOrThrow();
    await applyReferralCode({ ctx, userId: referee.id, code: code.referral_code });
    const order = await buyDelivered(referee.id, 100_000);
    await sweepReferralRewards({ ctx });
    expect(await points(referrer.id)).toBe(100);
    await reverse(order.id);
    await sweepReferralRewards({ ctx });
    await sweepReferralRewards({ ctx });
    expect(await points(referrer.id)).toBe(0);
    const statement = await listPointStatement({ ctx, userId: referrer.id });
    expect(statement.items.map((i) => i.kind)).toEqual(["reverse", "referral"]);
    await expectLedgerConsistent(tdb.db);
  });
});
