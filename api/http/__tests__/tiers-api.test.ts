import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import { createAdmin, createAdminApiKey } from "../../services/admins";
import type { ServiceContext } from "../../services/context";

/**
 * Tiers over HTTP (issue 18 §3): GET /api/tiers, the plans listing with an API key showing the
 * customer's tier prices (public without one), an order through the API charged the listed price,
 * and the admin API (rules, counts, a customer's tier) with its role checks.
 */
const PASSWORD = "correct-horse-9";
const ADMIN_PASSWORD = "admin-horse-battery-9";
const config = testConfig({
  VTU_RESPONSE_WAIT_MS: "0",
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
  CATALOGUE_CACHE_TTL_SECONDS: "0",
});

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
let superKey: string;
let adminKey: string;
let supportKey: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
  const key = async (email: string, role: "super_admin" | "admin" | "support") => {
    const admin = await createAdmin({ ctx, input: { email, name: role, password: ADMIN_PASSWORD, role } });
    return (await createAdminApiKey({ ctx, admin, input: { name: role } })).key;
  };
  superKey = await key("tiers-super@tada.test", "super_admin");
  adminKey = await key("tiers-admin@tada.test", "admin");
  supportKey = await key("tiers-support@tada.test", "support");
});
afterAll(async () => {
  await harness?.drain();
  await tdb?.destroy();
});

/** Register, log in, set the PIN, make an API key, fund the wallet: a reseller's setup. */
async function reseller() {
  const phone = uniquePhone();
  expect(
    (await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD } })).status,
  ).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = login.body.data.token as string;
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  const created = await call(app, "POST", "/api/api-keys", { token, body: { name: "My shop" } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const fund = await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 500_000 } });
  expect(fund.status, JSON.stringify(fund.body)).toBeLessThan(300);
  return { token, userId: me.body.data.id as string, apiKey: created.body.data.key as string };
}

type Plan = { id: string; priceKobo: number };

describe("tiers over the API", () => {
  it("GET /api/tiers: the caller's tier, volume, the next tier and the published tiers", async () => {
    const r = await reseller();
    const res = await call(app, "GET", "/api/tiers", { token: r.apiKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      tier: { code: "regular", name: "Regular", rank: 0 },
      automatic: true,
      windowDays: 30,
      volumeKobo: 0,
      next: { code: "smart_buyer", name: "Smart Buyer", minVolumeKobo: 5_000_000, neededKobo: 5_000_000 },
    });
    expect(res.body.data.tiers.map((t: { code: string }) => t.code)).toEqual([
      "regular",
      "smart_buyer",
      "reseller",
    ]);
    expect(res.body.data.tiers[2]).toMatchObject({
      minVolumeKobo: 30_000_000,
      margins: { data: { marginType: "percent", marginValue: 150 } },
      summary: expect.stringContaining("data 1.5%"),
    });
    expectErrorEnvelope(await call(app, "GET", "/api/tiers"), 401, "UNAUTHENTICATED");
  });

  it("the plans listing with an API key shows the tier's prices, and the order charges the listed price", async () => {
    const r = await reseller();
    const anonymous = await call(app, "GET", "/api/vtu/plans/mtn");
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data.tier).toBe("regular");
    const regular = anonymous.body.data.plans as Plan[];

    const set = await call(app, "POST", `/api/admin/users/${r.userId}/tier`, {
      token: adminKey,
      body: { tier: "reseller", reason: "signed the reseller agreement" },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.data).toEqual({ userId: r.userId, tier: "reseller", automatic: false });

    const mine = await call(app, "GET", "/api/vtu/plans/mtn", { token: r.apiKey });
    expect(mine.status).toBe(200);
    expect(mine.body.data.tier).toBe("reseller");
    const plans = mine.body.data.plans as Plan[];
    const plan = plans[0];
    if (!plan) {
      throw new Error("the sandbox sells MTN plans");
    }
    const regularPrice = regular.find((p) => p.id === plan.id)?.priceKobo ?? 0;
    expect(plan.priceKobo).toBeLessThan(regularPrice);
    for (const p of plans) {
      expect(p.priceKobo).toBeLessThanOrEqual(regular.find((q) => q.id === p.id)?.priceKobo ?? 0);
    }
    // Still public: no key, Regular prices; a wrong key is refused, not silently Regular.
    expect((await call(app, "GET", "/api/vtu/plans/mtn")).body.data.plans).toEqual(regular);
    expectErrorEnvelope(
      await call(app, "GET", "/api/vtu/plans/mtn", { token: "tada_wrong" }),
      401,
      "INVALID_TOKEN",
    );

    const order = await call(app, "POST", "/api/vtu/data", {
      token: r.apiKey,
      headers: { "Idempotency-Key": `tier-${r.userId}` },
      body: { network: "mtn", phone: sandboxPhone(), planId: plan.id, pin: TEST_PIN },
    });
    expect(order.status, JSON.stringify(order.body)).toBeLessThan(300);
    expect(order.body.data.order.priceKobo).toBe(plan.priceKobo);
    await harness.drain();
    const row = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "price_kobo", "price_tier"])
      .where("user_id", "=", r.userId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "delivered", price_kobo: plan.priceKobo, price_tier: "reseller" });
    await expectLedgerConsistent(tdb.db);
  });

  it("admin API: rules and counts for support; changes for a super admin only; back to automatic", async () => {
    const r = await reseller();
    const list = await call(app, "GET", "/api/admin/tiers", { token: supportKey });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.counts.map((c: { code: string }) => c.code)).toEqual([
      "regular",
      "smart_buyer",
      "reseller",
    ]);
    const smart = list.body.data.tiers[1];
    const body = {
      reason: "a cheaper Smart Buyer data price",
      tiers: {
        smart_buyer: {
          name: smart.name,
          minVolumeKobo: smart.minVolumeKobo,
          margins: { ...smart.margins, data: { marginType: "percent", marginValue: 250 } },
        },
      },
    };
    expectErrorEnvelope(
      await call(app, "PUT", "/api/admin/tiers", { token: adminKey, body }),
      403,
      "ROLE_REQUIRED",
    );
    const saved = await call(app, "PUT", "/api/admin/tiers", { token: superKey, body });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.data.tiers[1].margins.data).toEqual({ marginType: "percent", marginValue: 250 });
    const bad = await call(app, "PUT", "/api/admin/tiers", {
      token: superKey,
      body: { ...body, tiers: { smart_buyer: { ...body.tiers.smart_buyer, minVolumeKobo: 0 } } },
    });
    expectErrorEnvelope(bad, 400, "VALIDATION_ERROR");

    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${r.userId}/tier`, {
        token: supportKey,
        body: { tier: "reseller", reason: "support cannot" },
      }),
      403,
      "ROLE_REQUIRED",
    );
    await call(app, "POST", `/api/admin/users/${r.userId}/tier`, {
      token: adminKey,
      body: { tier: "smart_buyer", reason: "trial" },
    });
    expect((await call(app, "GET", "/api/tiers", { token: r.token })).body.data).toMatchObject({
      tier: { code: "smart_buyer" },
      automatic: false,
    });
    const back = await call(app, "POST", `/api/admin/users/${r.userId}/tier`, {
      token: adminKey,
      body: { tier: "automatic", reason: "trial over" },
    });
    expect(back.body.data).toEqual({ userId: r.userId, tier: "regular", automatic: true });
  });

  it("admin API: a duplicate tier name is refused (any case); a change that changes nothing is not saved or audited", async () => {
    const before = (await call(app, "GET", "/api/admin/tiers", { token: supportKey })).body.data.tiers;
    const reseller = before.find((t: { code: string }) => t.code === "reseller");
    const smart = before.find((t: { code: string }) => t.code === "smart_buyer");
    const renamed = (name: string) => ({
      reason: "dup name",
      tiers: { reseller: { name, minVolumeKobo: reseller.minVolumeKobo, margins: reseller.margins } },
    });
    const settingsAudits = async () =>
      (
        await tdb.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("action", "=", "settings.tiers")
          .executeTakeFirstOrThrow()
      ).n;
    const audits = await settingsAudits();
    for (const name of [smart.name, smart.name.toUpperCase()]) {
      const dup = await call(app, "PUT", "/api/admin/tiers", { token: superKey, body: renamed(name) });
      expectErrorEnvelope(dup, 400, "VALIDATION_ERROR");
      expect(dup.body.error).toBe(
        `tiers.reseller: the name "${name}" is already the smart_buyer tier's; each tier needs its own name.`,
      );
    }

    for (const body of [{ tiers: {}, reason: "nothing at all" }, renamed(reseller.name)]) {
      const same = await call(app, "PUT", "/api/admin/tiers", { token: superKey, body });
      expect(same.status, JSON.stringify(same.body)).toBe(200);
      expect(same.body.data).toEqual({ tiers: before, changed: false });
    }
    expect(await settingsAudits()).toBe(audits);
    expect((await call(app, "GET", "/api/admin/tiers", { token: supportKey })).body.data.tiers).toEqual(
      before,
    );
  });
});
