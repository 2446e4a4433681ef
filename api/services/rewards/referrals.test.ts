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
import { analyticsReport, lagosDay } from "../analytics";
import type { ServiceContext } from "../context";
import { createGiftRoom } from "../gift-rooms";
import { reverseOrder } from "../vtu/transitions";
import { getWalletBalance } from "../wallet";
import { applyReferralCode, getReferralSummary, sweepReferralRewards, updateReferralRules } from ".";

/**
 * Referral rewards on a real database with the sandbox providers: one reward per referee however
 * many purchases and sweeps race, taken back once on reversal, never for the same person, the
 * monthly cap, and the ledger checks (RF1 included) after each.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db, { config: testConfig({ REFERRAL_MONTHLY_CAP: "2" }) });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await tdb.destroy();
});

const balance = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;

async function referredBuyer(referrerId: string, balanceKobo = 500_000) {
  const user = await createBuyer(ctx, balanceKobo);
  const referrer = await tdb.db
    .selectFrom("users")
    .select("referral_code")
    .where("id", "=", referrerId)
    .executeTakeFirstOrThrow();
  await applyReferralCode({ ctx, userId: user.id, code: referrer.referral_code.toLowerCase() });
  return user;
}

async function buyDelivered(userId: string, amountKobo: number) {
  const order = await placeOrder(ctx, harness.vtu, userId, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo, pin: TEST_PIN },
  });
  await harness.drain();
  const row = await tdb.db
    .selectFrom("vtu_orders")
    .select(["id", "state", "price_kobo"])
    .where("id", "=", order.id)
    .executeTakeFirstOrThrow();
  expect(row.state).toBe("delivered");
  return row;
}

describe("referral rewards", () => {
  it("two first purchases delivered together and five sweeps at once pay one reward and one welcome", async () => {
    const referrer = await createTestUser(tdb.db);
    const referee = await referredBuyer(referrer.id);
    await Promise.all([buyDelivered(referee.id, 100_000), buyDelivered(referee.id, 150_000)]);
    const before = { referrer: await balance(referrer.id), referee: await balance(referee.id) };
    await Promise.all(Array.from({ length: 5 }, () => sweepReferralRewards({ ctx })));
    expect(await balance(referrer.id)).toBe(before.referrer + 10_000);
    expect(await balance(referee.id)).toBe(before.referee + 5_000);
    const rewards = await tdb.db
      .selectFrom("referral_rewards")
      .selectAll()
      .where("referee_id", "=", referee.id)
      .execute();
    expect(rewards).toHaveLength(1);
    expect(rewards[0]).toMatchObject({ status: "paid", reward_kobo: 10_000, welcome_kobo: 5_000 });
    const kinds = await tdb.db
      .selectFrom("notifications")
      .select(["user_id", "kind", "body"])
      .where("kind", "like", "referral.%")
      .where("user_id", "in", [referrer.id, referee.id])
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(["referral.rewarded", "referral.welcome"]);
    expect(await getReferralSummary({ ctx, userId: referrer.id })).toMatchObject({
      referees: 1,
      rewarded: 1,
      earnedKobo: 10_000,
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("a purchase below the minimum earns nothing; the first qualifying one does", async () => {
    const referrer = await createTestUser(tdb.db);
    const referee = await referredBuyer(referrer.id);
    await buyDelivered(referee.id, 50_000);
    expect((await sweepReferralRewards({ ctx })).paid).toBe(0);
    expect(
      await tdb.db
        .selectFrom("referral_rewards")
        .select("id")
        .where("referee_id", "=", referee.id)
        .executeTakeFirst(),
    ).toBeUndefined();
    const qualifying = await buyDelivered(referee.id, 100_000);
    await sweepReferralRewards({ ctx });
    const reward = await tdb.db
      .selectFrom("referral_rewards")
      .selectAll()
      .where("referee_id", "=", referee.id)
      .executeTakeFirstOrThrow();
    expect(reward.order_id).toBe(qualifying.id);
    await expectLedgerConsistent(tdb.db);
  });

  it("a reversed purchase takes the reward back exactly once", async () => {
    const referrer = await createTestUser(tdb.db);
    const referee = await referredBuyer(referrer.id);
    const order = await buyDelivered(referee.id, 100_000);
    await sweepReferralRewards({ ctx });
    const paidReferrer = await balance(referrer.id);
    await tdb.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("vtu_orders")
        .selectAll()
        .where("id", "=", order.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      expect(await reverseOrder(trx, ctx, row, "the network took it back")).toBe(true);
    });
    await Promise.all([sweepReferralRewards({ ctx }), sweepReferralRewards({ ctx })]);
    await sweepReferralRewards({ ctx });
    expect(await balance(referrer.id)).toBe(paidReferrer - 10_000);
    const reward = await tdb.db
      .selectFrom("referral_rewards")
      .selectAll()
      .where("referee_id", "=", referee.id)
      .executeTakeFirstOrThrow();
    expect(reward.status).toBe("clawed_back");
    // The next qualifying purchase does not earn a second reward: one per referee.
    await buyDelivered(referee.id, 100_000);
    await sweepReferralRewards({ ctx });
    expect(await balance(referrer.id)).toBe(paidReferrer - 10_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses one's own code and a code of the same person; too late after the window or a purchase", async () => {
    const a = await createTestUser(tdb.db);
    const code = (
      await tdb.db
        .selectFrom("users")
        .select("referral_code")
        .where("id", "=", a.id)
        .executeTakeFirstOrThrow()
    ).referral_code;
    await expect(applyReferralCode({ ctx, userId: a.id, code })).rejects.toMatchObject({
      code: "REFERRAL_SELF",
    });
    // The same person on WhatsApp: a second account whose chat identity is A's phone.
    const twin = await createTestUser(tdb.db, { phone: null });
    await tdb.db
      .insertInto("identities")
      .values({ user_id: twin.id, channel: "whatsapp", external_id: `234${a.phone?.slice(1)}` })
      .execute();
    await expect(applyReferralCode({ ctx, userId: twin.id, code })).rejects.toMatchObject({
      code: "REFERRAL_SELF",
    });
    await expect(applyReferralCode({ ctx, userId: twin.id, code: "NOPE1234" })).rejects.toMatchObject({
      code: "REFERRAL_CODE_UNKNOWN",
    });
    const late = await createTestUser(tdb.db);
    const later = { ...ctx, now: () => new Date(Date.now() + 8 * 86_400_000) };
    await expect(applyReferralCode({ ctx: later, userId: late.id, code })).rejects.toMatchObject({
      code: "REFERRAL_TOO_LATE",
    });
    const buyer = await createBuyer(ctx, 500_000);
    await buyDelivered(buyer.id, 50_000);
    await expect(applyReferralCode({ ctx, userId: buyer.id, code })).rejects.toMatchObject({
      code: "REFERRAL_TOO_LATE",
    });
    const ok = await createTestUser(tdb.db);
    await applyReferralCode({ ctx, userId: ok.id, code });
    await expect(applyReferralCode({ ctx, userId: ok.id, code })).rejects.toMatchObject({
      code: "REFERRAL_ALREADY_SET",
    });
  });

  it("a same-person pair linked after the code is refused at reward time; the monthly cap records the rest unpaid", async () => {
    const referrer = await createTestUser(tdb.db);
    const sneaky = await referredBuyer(referrer.id);
    await tdb.db
      .insertInto("identities")
      .values({ user_id: sneaky.id, channel: "whatsapp", external_id: `234${referrer.phone?.slice(1)}@c.us` })
      .execute();
    await buyDelivered(sneaky.id, 100_000);
    const buyers = [
      await referredBuyer(referrer.id),
      await referredBuyer(referrer.id),
      await referredBuyer(referrer.id),
    ];
    for (const b of buyers) {
      await buyDelivered(b.id, 100_000);
    }
    const before = await balance(referrer.id);
    await sweepReferralRewards({ ctx });
    const rows = await tdb.db
      .selectFrom("referral_rewards")
      .select(["referee_id", "status"])
      .where("referrer_id", "=", referrer.id)
      .execute();
    const status = (id: string) => rows.find((r) => r.referee_id === id)?.status;
    expect(status(sneaky.id)).toBe("refused");
    expect(buyers.map((b) => status(b.id)).sort()).toEqual(["capped", "paid", "paid"]); // cap 2 a month here
    expect(await balance(referrer.id)).toBe(before + 20_000);
    // The dashboard counts real referrals: referees who bought (a refused same-person pair is not one).
    const report = await analyticsReport(ctx, { from: lagosDay(ctx.now()), to: lagosDay(ctx.now()) });
    const rewarded = await tdb.db
      .selectFrom("referral_rewards")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("status", "<>", "refused")
      .executeTakeFirstOrThrow();
    expect(report.totals.referrals.buyingReferees).toBe(Number(rewarded.n));
    expect(report.totals.referrals.referees).toBeGreaterThan(report.totals.referrals.buyingReferees);
    expect(report.totals.referrals.viralCoefficient).toBeGreaterThan(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("a referee on the referrer's web device (the gift pages' device cookie) is refused as the same person", async () => {
    const referrer = await createTestUser(tdb.db);
    const referee = await referredBuyer(referrer.id);
    const host = await createBuyer(ctx, 100_000);
    const draw = (n: number) =>
      createGiftRoom({
        ctx,
        userId: host.id,
        idempotencyKey: `device-room-${referee.id}-${n}`,
        input: {
          kind: "airtime",
          amountKobo: 10_000,
          capacity: 2,
          mode: "random_draw",
          drawAt: new Date(Date.now() + 3_600_000).toISOString(),
          pin: TEST_PIN,
        },
      });
    const rooms = [(await draw(1)).room.id, (await draw(2)).room.id];
    for (const [i, userId] of [referrer.id, referee.id].entries()) {
      await tdb.db
        .insertInto("gift_draw_entries")
        .values({
          room_id: rooms[i] as string,
          recipient_msisdn: sandboxPhone(),
          device_hash: "one-phone",
          user_id: userId,
        })
        .execute();
    }
    await buyDelivered(referee.id, 100_000);
    const before = await balance(referrer.id);
    await sweepReferralRewards({ ctx });
    const reward = await tdb.db
      .selectFrom("referral_rewards")
      .select(["status", "reason"])
      .where("referee_id", "=", referee.id)
      .executeTakeFirstOrThrow();
    expect(reward).toEqual({ status: "refused", reason: "same person" });
    expect(await balance(referrer.id)).toBe(before);
    await expectLedgerConsistent(tdb.db);
  });

  it("a super admin changes the rules (audited); rewards booked after use them; support cannot", async () => {
    const input = {
      rewardKobo: 20_000,
      welcomeKobo: 0,
      minPurchaseKobo: 100_000,
      monthlyCap: 5,
      reason: "December promo",
    };
    await expect(
      updateReferralRules({ ctx, admin: { id: "adm_s", role: "support" }, input }),
    ).rejects.toMatchObject({
      code: "ROLE_REQUIRED",
    });
    await expect(
      updateReferralRules({
        ctx,
        admin: { id: "adm_x", role: "super_admin" },
        input: { ...input, rewardKobo: -1 },
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await updateReferralRules({ ctx, admin: { id: "adm_x", role: "super_admin" }, input });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "after", "reason"])
      .where("action", "=", "settings.referrals")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      reason: "December promo",
      after: { rewardKobo: 20_000, welcomeKobo: 0 },
    });
    const referrer = await createTestUser(tdb.db);
    const referee = await referredBuyer(referrer.id);
    await buyDelivered(referee.id, 100_000);
    const before = { referrer: await balance(referrer.id), referee: await balance(referee.id) };
    await sweepReferralRewards({ ctx });
    expect(await balance(referrer.id)).toBe(before.referrer + 20_000);
    expect(await balance(referee.id)).toBe(before.referee);
    expect((await getReferralSummary({ ctx, userId: referrer.id })).rules).toMatchObject({
      rewardKobo: 20_000,
      welcomeKobo: 0,
    });
    await expectLedgerConsistent(tdb.db);
  });
});
