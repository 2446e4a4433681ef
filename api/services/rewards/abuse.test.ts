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
import { createGiftRoom } from "../gift-rooms";
import { referralAbuseReport, sweepReferralRewards } from ".";

/**
 * The referral abuse view on a real database: referees grouped by a gift-page device, a funding
 * card (from the gateway's webhook) or a BVN they share, with their referrers and what was paid.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, {
    config: testConfig({
      REFERRAL_MIN_PURCHASE_KOBO: "10000",
      REFERRAL_REWARD_KOBO: "10000",
      REFERRAL_WELCOME_KOBO: "5000",
    }),
  });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await harness?.drain();
  await tdb.destroy();
});

async function named(name: string, referredBy?: string, balanceKobo = 0) {
  const user = balanceKobo > 0 ? await createBuyer(ctx, balanceKobo) : await createTestUser(tdb.db);
  await tdb.db
    .updateTable("users")
    .set({ display_name: name, ...(referredBy ? { referred_by: referredBy, referred_at: new Date() } : {}) })
    .where("id", "=", user.id)
    .execute();
  return await tdb.db.selectFrom("users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
}

let rooms: string[] = [];
async function device(hash: string, userIds: string[]) {
  // One draw entry per room and device: a room each.
  while (rooms.length < userIds.length) {
    const creator = await createBuyer(ctx, 100_000);
    const { room } = await createGiftRoom({
      ctx,
      userId: creator.id,
      idempotencyKey: `abuse-room-${rooms.length}`,
      input: {
        kind: "airtime",
        amountKobo: 10_000,
        capacity: 2,
        mode: "random_draw",
        drawAt: new Date(Date.now() + 3_600_000).toISOString(),
        pin: TEST_PIN,
      },
    });
    rooms = [...rooms, room.id];
  }
  for (const [i, userId] of userIds.entries()) {
    await tdb.db
      .insertInto("gift_draw_entries")
      .values({
        room_id: rooms[i] as string,
        recipient_msisdn: sandboxPhone(),
        device_hash: hash,
        user_id: userId,
      })
      .execute();
  }
}

let payments = 0;
async function cardPayment(userId: string, card: { first6: string; last4: string; expiry: string }) {
  const txRef = `abuse-tx-${++payments}`;
  await tdb.db
    .insertInto("funding_intents")
    .values({
      id: `fi_abuse_${payments}`,
      user_id: userId,
      tx_ref: txRef,
      gateway: "flutterwave",
      amount_kobo: 100_000,
      fee_kobo: 1_500,
      total_kobo: 101_500,
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
  await tdb.db
    .insertInto("payment_webhook_events")
    .values({
      gateway: "flutterwave",
      event_key: `abuse-${payments}`,
      event: "charge.completed",
      scheme: "verif-hash",
      payload: {
        event: "charge.completed",
        data: {
          id: 1000 + payments,
          tx_ref: txRef,
          status: "successful",
          payment_type: "card",
          card: { first_6digits: card.first6, last_4digits: card.last4, issuer: "GTB", expiry: card.expiry },
        },
      },
    })
    .execute();
}

async function bvn(userId: string, fingerprint: string, last3: string) {
  await tdb.db
    .insertInto("user_kyc")
    .values({ user_id: userId, bvn_ciphertext: "x", bvn_last3: last3, bvn_fingerprint: fingerprint })
    .execute();
}

describe("referral abuse report", () => {
  it("groups referees by a shared device, card or BVN; leaves alone what only one referee shares", async () => {
    expect((await referralAbuseReport({ ctx })).groups).toEqual([]);
    const uche = await named("Uche Referrer");
    const kemi = await named("Kemi Referrer");
    const a = await named("Ade One", uche.id);
    const b = await named("Bisi Two", uche.id, 500_000);
    const c = await named("Chidi Three", kemi.id);
    const d = await named("Dayo Four", uche.id);
    const e = await named("Emeka Plain");

    // B's first purchase pays Uche ₦100 and B ₦50.
    await placeOrder(ctx, harness.vtu, b.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 50_000, pin: TEST_PIN },
    });
    await harness.drain();
    expect((await sweepReferralRewards({ ctx })).paid).toBe(1);

    await device("devhash-shared-across-0001", [a.id, c.id]); // two referrers' referees
    await device("devhash-not-referees-0002", [e.id, uche.id]); // nobody referred: not reported
    await cardPayment(b.id, { first6: "539983", last4: "1234", expiry: "09/29" });
    await cardPayment(d.id, { first6: "539983", last4: "1234", expiry: "09/29" });
    await cardPayment(a.id, { first6: "418742", last4: "9999", expiry: "01/28" });
    await cardPayment(a.id, { first6: "418742", last4: "9999", expiry: "01/28" }); // one customer twice
    await cardPayment(e.id, { first6: "539983", last4: "1234", expiry: "10/30" }); // another card
    await bvn(c.id, "bvn-fp-kemi", "321"); // Chidi and his referrer: one person
    await bvn(kemi.id, "bvn-fp-kemi", "321");

    const { groups } = await referralAbuseReport({ ctx });
    expect(groups).toHaveLength(3);
    const [card, ...rest] = groups;
    // The group with money paid comes first.
    expect(card).toMatchObject({
      signal: "card",
      shared: "card 539983******1234 (09/29)",
      paidKobo: 15_000,
      acrossReferrers: false,
      referrers: [{ userId: uche.id, name: "Uche Referrer", code: uche.referral_code, sharesIt: false }],
    });
    expect(card?.referees.map((r) => [r.name, r.reward, r.rewardKobo, r.welcomeKobo]).sort()).toEqual([
      ["Bisi Two", "paid", 10_000, 5_000],
      ["Dayo Four", "none", 0, 0],
    ]);
    expect(card?.referees.every((r) => r.phone === null || /^\d{4}\*\*\*\d{4}$/.test(r.phone))).toBe(true);

    const dev = rest.find((g) => g.signal === "device");
    expect(dev).toMatchObject({ shared: "device devhash-…", acrossReferrers: true, paidKobo: 0 });
    expect(dev?.referrers.map((r) => r.name).sort()).toEqual(["Kemi Referrer", "Uche Referrer"]);
    expect(dev?.referees.map((r) => r.name).sort()).toEqual(["Ade One", "Chidi Three"]);

    const same = rest.find((g) => g.signal === "bvn");
    expect(same).toMatchObject({
      shared: "BVN •••••••• 321",
      referrers: [{ userId: kemi.id, sharesIt: true }],
      referees: [{ userId: c.id, referrerId: kemi.id }],
    });
    // Nothing in a group names the raw thing.
    expect(JSON.stringify(groups)).not.toContain("bvn-fp-kemi");
    expect(JSON.stringify(groups)).not.toContain("devhash-shared-across-0001");
    await expectLedgerConsistent(tdb.db);
  });
});
