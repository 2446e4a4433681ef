import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import {
  listTierRules,
  setCustomerTier,
  sweepCustomerTiers,
  updateTierRules,
} from "../../api/services/rewards";
import { chatHarness, choiceIds, confirmOf, texts } from "../../test/helpers/chat-engine";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { notificationText } from "../outbox/notification-text";

/**
 * Tiers in the chat (issue 18 §3), on the real engine and the embedded PostgreSQL: "my tier" shows
 * the tier, the 30-day volume, what the next tier needs and the price advantage in one message; the
 * confirmation shows the tier's price and the order charges it; Pidgin.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
const admin = { id: "adm_tiers", role: "admin" as const };
const superAdmin = { id: "adm_tiers_super", role: "super_admin" as const };

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db);
  h = await chatHarness(tdb, ctx);
});
afterAll(() => tdb.destroy());

describe("my tier", () => {
  it("a new customer is Regular: their volume, what Smart Buyer needs, and its price — one message", async () => {
    const c = await h.customer("tier-new");
    const out = await c.say("my tier");
    expect(out.replies).toHaveLength(1);
    expect(texts(out)).toBe(
      [
        "Your tier: Regular.",
        "Your purchases delivered in the last 30 days: ₦0.",
        "Smart Buyer needs ₦50,000: ₦50,000 more to go.",
        "As Smart Buyer, ₦1,000 MTN airtime would cost ₦974.85 (you pay ₦979.70 now).",
      ].join("\n"),
    );
    expect(choiceIds(out)).toContain("nav:menu");
    for (const phrase of ["what tier am I", "What's my tier?", "/tier"]) {
      expect(texts(await c.say(phrase)), phrase).toMatch(/^Your tier: Regular\./);
    }
  });

  it("a Reseller sees their prices, and the confirmation shows the price the order charges", async () => {
    const c = await h.customer("tier-reseller", 500_000);
    const userId = await c.userId();
    await setCustomerTier({ ctx, admin, userId, input: { tier: "reseller", reason: "a shop" } });
    const out = await c.say("what tier am I");
    expect(texts(out)).toBe(
      [
        "Your tier: Reseller. (set for you by TADA)",
        "Your purchases delivered in the last 30 days: ₦0.",
        "That is our top tier.",
        "Your price: ₦1,000 MTN airtime costs you ₦970 (Regular ₦979.70).",
      ].join("\n"),
    );
    await c.say("airtime 1000 08031234567");
    const confirm = await c.tap("net:mtn");
    expect(texts(confirm)).toMatch(/₦970\b/);
    await c.tap(confirmOf(confirm));
    await c.say("2580");
    await h.harness.drain();
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "price_kobo", "price_tier"])
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ state: "delivered", price_kobo: 97_000, price_tier: "reseller" });
    await expectLedgerConsistent(tdb.db);
  });

  it("an upgrade by volume is told in the chat, in English and Pidgin", async () => {
    const c = await h.customer("tier-up", 6_000_000);
    const userId = await c.userId();
    // Smart Buyer from ₦5,000 for this test (restored below); one ₦5,000 purchase through the chat.
    const rules = await listTierRules(tdb.db);
    const smart = rules.find((r) => r.code === "smart_buyer");
    if (!smart) {
      throw new Error("seeded");
    }
    const withMin = (minVolumeKobo: number) => ({
      reason: "test volumes",
      tiers: { smart_buyer: { name: smart.name, minVolumeKobo, margins: smart.margins } },
    });
    await updateTierRules({ ctx, admin: superAdmin, input: withMin(500_000) });
    await c.say("airtime 5000 08031234567");
    const confirm = await c.tap("net:mtn");
    await c.tap(confirmOf(confirm));
    await c.say("2580");
    await h.harness.drain();
    await Promise.all([sweepCustomerTiers({ ctx }), sweepCustomerTiers({ ctx })]);
    const told = await tdb.db
      .selectFrom("chat_outbox")
      .select(["payload"])
      .where("user_id", "=", userId)
      .where("kind", "=", "tier.upgraded")
      .execute();
    expect(told).toHaveLength(1);
    const payload = told[0]?.payload as Record<string, unknown>;
    expect(notificationText("tier.upgraded", payload, "en")).toMatch(/^You are now a Smart Buyer!/);
    expect(notificationText("tier.upgraded", payload, "pcm")).toMatch(/^You don turn Smart Buyer!/);
    expect(texts(await c.say("my tier"))).toMatch(
      /^Your tier: Smart Buyer\.\nYour purchases delivered in the last 30 days: ₦5,000\.\nReseller needs ₦300,000: ₦295,000 more to go\./,
    );
    await updateTierRules({ ctx, admin: superAdmin, input: withMin(smart.minVolumeKobo) });
  });
});

describe("in Pidgin", () => {
  it('"wetin be my level" answers in Pidgin', async () => {
    const c = await h.customer("pcm-tier");
    const offered = await c.say("abeg wetin be my balance");
    expect(choiceIds(offered)).toContain("lang:pcm");
    await c.tap("lang:pcm");
    const out = await c.say("wetin be my level");
    expect(texts(out)).toBe(
      [
        "Your tier na Regular.",
        "Wetin you buy wey land for the last 30 days: ₦0.",
        "Smart Buyer need ₦50,000: remain ₦50,000 more.",
        "As Smart Buyer, ₦1,000 MTN airtime wey you buy go be ₦974.85 (now you dey pay ₦979.70).",
      ].join("\n"),
    );
    expect(texts(await c.say("wetin be my tier"))).toMatch(/^Your tier na Regular\./);
  });
});
