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
import { invalidateCatalogueCache } from "../catalogue/cache";
import { listDataPlans } from "../catalogue/listings";
import { priceOffer } from "../catalogue/offers";
import type { ServiceContext } from "../context";
import { quoteByAmount } from "../vtu";
import { reverseOrder } from "../vtu/transitions";
import { getWalletBalance } from "../wallet";
import {
  getCustomerTier,
  listTierRules,
  setCustomerTier,
  sweepCustomerTiers,
  tierCounts,
  tierProgress,
  updateTierRules,
} from ".";

/**
 * Customer tiers on a real database with the sandbox providers: an order is priced by the tier at
 * the moment it is created (and keeps that price through delivery), automatic tiers follow the
 * rolling delivered volume, an admin's tier sticks, and nobody pays more than the Regular price.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
const superAdmin = { id: "adm_super", role: "super_admin" as const };
const admin = { id: "adm_plain", role: "admin" as const };

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db, { config: testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "0" }) });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await tdb.destroy();
});

const balance = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;

async function buyAirtime(userId: string, amountKobo: number, phone = sandboxPhone()) {
  const order = await placeOrder(ctx, harness.vtu, userId, {
    service: "airtime",
    input: { network: "mtn", phone, amountKobo, pin: TEST_PIN },
  });
  await harness.drain();
  return tdb.db.selectFrom("vtu_orders").selectAll().where("id", "=", order.id).executeTakeFirstOrThrow();
}

// MTN airtime at the sandbox: 3% discount, so ₦1,000 costs ₦970. Regular: +1% (the service rule)
// = ₦979.70; Smart Buyer: +0.5% = ₦974.85; Reseller: +0% = ₦970.
const REGULAR_1000 = 97_970;
const RESELLER_1000 = 97_000;

describe("customer tiers", () => {
  it("a new customer is Regular and pays the Regular price", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    expect((await getCustomerTier(tdb.db, buyer.id)).code).toBe("regular");
    const quote = await quoteByAmount({
      ctx,
      service: "airtime",
      productId: "airtime:mtn",
      amountKobo: 100_000,
      userId: buyer.id,
    });
    expect(quote.priceKobo).toBe(REGULAR_1000);
    const order = await buyAirtime(buyer.id, 100_000);
    expect(order).toMatchObject({ state: "delivered", price_kobo: REGULAR_1000, price_tier: "regular" });
    await expectLedgerConsistent(tdb.db);
  });

  it("an order priced as Reseller keeps that price when an admin sets Regular before delivery", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    await setCustomerTier({ ctx, admin, userId: buyer.id, input: { tier: "reseller", reason: "big buyer" } });
    const quote = await quoteByAmount({
      ctx,
      service: "airtime",
      productId: "airtime:mtn",
      amountKobo: 100_000,
      userId: buyer.id,
    });
    expect(quote.priceKobo).toBe(RESELLER_1000);
    const placed = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 100_000, pin: TEST_PIN },
    });
    expect(placed.priceKobo).toBe(RESELLER_1000);
    // Before the order is delivered, the admin changes the tier back.
    await setCustomerTier({
      ctx,
      admin,
      userId: buyer.id,
      input: { tier: "regular", reason: "changed mind" },
    });
    await harness.drain();
    const row = await tdb.db
      .selectFrom("vtu_orders")
      .selectAll()
      .where("id", "=", placed.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "delivered", price_kobo: RESELLER_1000, price_tier: "reseller" });
    expect(await balance(buyer.id)).toBe(500_000 - RESELLER_1000);
    // The next order is Regular.
    const next = await buyAirtime(buyer.id, 100_000);
    expect(next).toMatchObject({ price_kobo: REGULAR_1000, price_tier: "regular" });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "reason", "after"])
      .where("target_id", "=", buyer.id)
      .where("action", "=", "user.tier")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.reason)).toEqual(["big buyer", "changed mind"]);
    await expectLedgerConsistent(tdb.db);
  });

  it("support cannot set a tier; an unknown tier is refused", async () => {
    const buyer = await createBuyer(ctx, 0);
    await expect(
      setCustomerTier({
        ctx,
        admin: { id: "adm_support", role: "support" },
        userId: buyer.id,
        input: { tier: "reseller", reason: "why not" },
      }),
    ).rejects.toMatchObject({ code: "ROLE_REQUIRED" });
    await expect(
      setCustomerTier({ ctx, admin, userId: buyer.id, input: { tier: "gold", reason: "why not" } }),
    ).rejects.toThrow(/not a tier/);
  });

  it("never more than the Regular price: a plan's own lower margin still applies", async () => {
    const offer = {
      provider: "x",
      providerProductId: "1",
      providerName: null,
      costKobo: 100_000,
      faceAmountKobo: null,
      discountBps: 0,
      planMarginType: "flat" as const,
      planMarginValue: 0,
    };
    const rule = { marginType: "percent" as const, marginValue: 500 };
    const tier = {
      code: "reseller",
      margins: { data: { marginType: "percent" as const, marginValue: 150 } },
    };
    expect(priceOffer({ service: "data", offer, rule, tier }).priceKobo).toBe(100_000);
    expect(
      priceOffer({ service: "data", offer: { ...offer, planMarginType: null }, rule, tier }).priceKobo,
    ).toBe(101_500);
    expect(priceOffer({ service: "data", offer: { ...offer, planMarginType: null }, rule }).priceKobo).toBe(
      105_000,
    );

    // On the database: a plan sold at cost to everyone stays at cost for a Reseller.
    const buyer = await createBuyer(ctx, 500_000);
    await setCustomerTier({ ctx, admin, userId: buyer.id, input: { tier: "reseller", reason: "test" } });
    const regularPlans = await listDataPlans({ ctx, network: "mtn" });
    const resellerPlans = await listDataPlans({ ctx, network: "mtn", userId: buyer.id });
    const [first, second] = regularPlans;
    if (!first || !second) {
      throw new Error("the sandbox has MTN plans");
    }
    expect(resellerPlans.find((p) => p.id === first.id)?.priceKobo).toBeLessThan(first.priceKobo);
    await tdb.db
      .updateTable("catalogue_products")
      .set({ margin_type: "flat", margin_value: 0 })
      .where("id", "=", second.id)
      .execute();
    invalidateCatalogueCache();
    const atCost = (await listDataPlans({ ctx, network: "mtn" })).find((p) => p.id === second.id);
    const resellerAtCost = (await listDataPlans({ ctx, network: "mtn", userId: buyer.id })).find(
      (p) => p.id === second.id,
    );
    expect(resellerAtCost?.priceKobo).toBe(atCost?.priceKobo);
    const order = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "data",
      input: { network: "mtn", phone: sandboxPhone(), planId: second.id, pin: TEST_PIN },
    });
    expect(order.priceKobo).toBe(atCost?.priceKobo);
    await harness.drain();
    await tdb.db
      .updateTable("catalogue_products")
      .set({ margin_type: null, margin_value: null })
      .where("id", "=", second.id)
      .execute();
    invalidateCatalogueCache();
    await expectLedgerConsistent(tdb.db);
  });

  it("automatic tiers follow the 30-day delivered volume; failed, reversed, old and gift orders do not count", async () => {
    await updateTierRules({
      ctx,
      admin: superAdmin,
      input: {
        reason: "smaller volumes for the test",
        tiers: {
          smart_buyer: {
            name: "Smart Buyer",
            minVolumeKobo: 200_000,
            margins: {
              airtime: { marginType: "percent", marginValue: 50 },
              data: { marginType: "percent", marginValue: 300 },
              cable: null,
              electricity: null,
            },
          },
          reseller: {
            name: "Reseller",
            minVolumeKobo: 500_000,
            margins: {
              airtime: { marginType: "percent", marginValue: 0 },
              data: { marginType: "percent", marginValue: 150 },
              cable: null,
              electricity: null,
            },
          },
        },
      },
    });
    const buyer = await createBuyer(ctx, 2_000_000);
    // A failed purchase, one later reversed, one delivered 31 days ago: none counts.
    const failed = await buyAirtime(buyer.id, 300_000, sandboxPhone("0001"));
    expect(failed.state).toBe("failed");
    const reversed = await buyAirtime(buyer.id, 300_000);
    await tdb.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("vtu_orders")
        .selectAll()
        .where("id", "=", reversed.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      expect(await reverseOrder(trx, ctx, row, "the network took it back")).toBe(true);
    });
    const old = await buyAirtime(buyer.id, 300_000);
    await tdb.db
      .updateTable("vtu_orders")
      .set({ delivered_at: new Date(Date.now() - 31 * 86_400_000) })
      .where("id", "=", old.id)
      .execute();
    // A gift claim is the room's purchase, not this customer's.
    const gift = await buyAirtime(buyer.id, 300_000);
    await tdb.db.updateTable("vtu_orders").set({ channel: "gift" }).where("id", "=", gift.id).execute();
    await sweepCustomerTiers({ ctx });
    expect((await getCustomerTier(tdb.db, buyer.id)).code).toBe("regular");
    expect(await tierProgress(ctx, buyer.id)).toMatchObject({
      tier: { code: "regular" },
      volumeKobo: 0,
      automatic: true,
      next: { code: "smart_buyer", neededKobo: 200_000 },
    });

    // ₦2,500 delivered: Smart Buyer, told once however many sweeps run at once.
    await buyAirtime(buyer.id, 250_000);
    const sweeps = await Promise.all([sweepCustomerTiers({ ctx }), sweepCustomerTiers({ ctx })]);
    await sweepCustomerTiers({ ctx });
    expect(sweeps.some((s) => s.upgraded >= 1)).toBe(true);
    expect((await getCustomerTier(tdb.db, buyer.id)).code).toBe("smart_buyer");
    const told = await tdb.db
      .selectFrom("notifications")
      .select(["kind", "body"])
      .where("user_id", "=", buyer.id)
      .where("kind", "=", "tier.upgraded")
      .execute();
    expect(told).toHaveLength(1);
    expect(told[0]?.body).toMatch(/Smart Buyer/);
    expect(await tierProgress(ctx, buyer.id)).toMatchObject({
      tier: { code: "smart_buyer" },
      volumeKobo: 250_000,
      next: { code: "reseller", neededKobo: 250_000 },
    });
    // Priced as a Smart Buyer now: ₦1,000 at +0.5% of ₦970.
    const next = await buyAirtime(buyer.id, 100_000);
    expect(next).toMatchObject({ price_kobo: 97_485, price_tier: "smart_buyer" });

    // Volume drops out of the window: back to Regular, silently.
    await tdb.db
      .updateTable("vtu_orders")
      .set({ delivered_at: new Date(Date.now() - 40 * 86_400_000) })
      .where("user_id", "=", buyer.id)
      .execute();
    await sweepCustomerTiers({ ctx });
    expect((await getCustomerTier(tdb.db, buyer.id)).code).toBe("regular");
    await expectLedgerConsistent(tdb.db);
  });

  it("an admin's tier sticks through sweeps until set back to automatic", async () => {
    const buyer = await createBuyer(ctx, 0);
    await setCustomerTier({ ctx, admin, userId: buyer.id, input: { tier: "reseller", reason: "partner" } });
    await sweepCustomerTiers({ ctx });
    expect(await getCustomerTier(tdb.db, buyer.id)).toMatchObject({ code: "reseller", setByAdmin: admin.id });
    expect((await tierProgress(ctx, buyer.id)).automatic).toBe(false);
    // Back to automatic: at once the tier the volume earns (none here: Regular).
    expect(
      await setCustomerTier({
        ctx,
        admin,
        userId: buyer.id,
        input: { tier: "automatic", reason: "back to normal" },
      }),
    ).toEqual({ tier: "regular", automatic: true });
    await sweepCustomerTiers({ ctx });
    expect(await getCustomerTier(tdb.db, buyer.id)).toMatchObject({ code: "regular", setByAdmin: null });
    const counts = await tierCounts(ctx);
    expect(counts.map((c) => c.code)).toEqual(["regular", "smart_buyer", "reseller"]);
  });

  it("tier rules: super admin only, audited, volumes must rise, Regular keeps the service rule", async () => {
    const rules = await listTierRules(tdb.db);
    const reseller = rules.find((r) => r.code === "reseller");
    if (!reseller) {
      throw new Error("seeded");
    }
    const change = {
      reason: "try",
      tiers: {
        reseller: { name: "Reseller", minVolumeKobo: reseller.minVolumeKobo, margins: reseller.margins },
      },
    };
    await expect(updateTierRules({ ctx, admin, input: change })).rejects.toMatchObject({
      code: "ROLE_REQUIRED",
    });
    await expect(
      updateTierRules({
        ctx,
        admin: superAdmin,
        input: { ...change, tiers: { reseller: { ...change.tiers.reseller, minVolumeKobo: 1 } } },
      }),
    ).rejects.toThrow(/more volume than Smart Buyer/);
    await expect(
      updateTierRules({
        ctx,
        admin: superAdmin,
        input: {
          reason: "try",
          tiers: {
            regular: {
              name: "Regular",
              minVolumeKobo: 0,
              margins: {
                airtime: { marginType: "flat", marginValue: 0 },
                data: null,
                cable: null,
                electricity: null,
              },
            },
          },
        },
      }),
    ).rejects.toThrow(/Regular price/);
    const saved = await updateTierRules({
      ctx,
      admin: superAdmin,
      input: { ...change, tiers: { reseller: { ...change.tiers.reseller, name: "Pro Reseller" } } },
    });
    expect(saved.changed).toBe(true);
    expect(saved.tiers.find((r) => r.code === "reseller")).toMatchObject({
      name: "Pro Reseller",
      updatedBy: superAdmin.id,
    });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "reason"])
      .where("action", "=", "settings.tiers")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit.reason).toBe("try");
  });
});
