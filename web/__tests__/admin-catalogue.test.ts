import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, lowFloatProviders } from "../../api/services/admins";
import { listDataPlans } from "../../api/services/catalogue/listings";
import type { ServiceContext } from "../../api/services/context";
import { ServiceError } from "../../api/services/errors";
import { quoteByAmount } from "../../api/services/vtu/quote";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  registryOf,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * The panel's catalogue, pricing and provider settings (super_admin only): what an admin changes
 * here is what quotes, listings and orders then do.
 */
const config = testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "600" });
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
/** The fallback provider's float as its balance call reports it (a test sets it). */
let fallbackFloatKobo = 5_000_000;
let superId = "";

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const [primary, fallback] = sandboxRegistry(ctx).all();
  if (!primary || !fallback) {
    throw new Error("the sandbox registry has two providers");
  }
  const providers = registryOf(
    { provider: primary, name: "Sandbox A" },
    {
      provider: {
        ...fallback,
        balance: async () => ({ balanceKobo: fallbackFloatKobo, raw: { durationMs: 0 } }),
      },
      name: "Sandbox B",
    },
  );
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
  superId = (
    await createAdmin({
      ctx,
      input: { email: "root@tada.test", name: "Root", password: PASSWORD, role: "super_admin" },
    })
  ).id;
  for (const role of ["admin", "support"] as const) {
    await createAdmin({
      ctx,
      input: { email: `${role}@tada.test`, name: role, password: PASSWORD, role },
    });
  }
});
afterAll(() => tdb.destroy());

async function signedIn(email = "root@tada.test") {
  const b = adminBrowser(() => app);
  await adminSignIn(b, email, PASSWORD);
  const home = await b.request("GET", "/admin");
  expect(home.res.status).toBe(200);
  return { b, csrf: home.csrf };
}

async function auditsOf(action: string) {
  return tdb.db
    .selectFrom("audit_log")
    .select(["actor_id", "target_id", "before", "after", "reason"])
    .where("action", "=", action)
    .orderBy("id")
    .execute();
}

/** What sandbox A (first in failover order) charges us for a plan. */
async function costAt(provider: string, productId: string): Promise<number> {
  const row = await tdb.db
    .selectFrom("provider_products")
    .select("cost_kobo")
    .where("provider", "=", provider)
    .where("product_id", "=", productId)
    .executeTakeFirstOrThrow();
  return row.cost_kobo ?? 0;
}

async function attemptsOf(orderId: string) {
  const rows = await tdb.db
    .selectFrom("vtu_attempts")
    .select("provider")
    .where("order_id", "=", orderId)
    .orderBy("attempt_no")
    .execute();
  return rows.map((r) => r.provider);
}

describe("pricing from the panel", () => {
  it("a service margin and a plan override change the quoted price and the order's; other plans follow the service rule", async () => {
    const { b, csrf } = await signedIn();
    const before = await listDataPlans({ ctx, network: "mtn" }); // fills the listing cache
    const [a, other] = before.filter((p) => p.priceKobo > 10_000);
    if (!a || !other) {
      throw new Error("the sandbox lists MTN data plans");
    }
    const costA = await costAt("sandbox", a.id);
    const costOther = await costAt("sandbox", other.id);
    // Seeded rule: data at 5%.
    expect(a.priceKobo).toBe(costA + Math.ceil((costA * 500) / 10_000));

    const page = await b.request("GET", "/admin/catalogue?service=data&network=mtn");
    expect(page.res.status).toBe(200);
    expect(page.html).toContain(a.name);
    expect(page.html).toContain("5%");

    const set = await b.request("POST", "/admin/catalogue/pricing/data", {
      csrf,
      marginType: "flat",
      margin: "20",
      reason: "simpler flat margin",
    });
    expect(set.res.status).toBe(303);
    let plans = await listDataPlans({ ctx, network: "mtn" });
    expect(plans.find((p) => p.id === a.id)?.priceKobo).toBe(costA + 2_000);
    expect(plans.find((p) => p.id === other.id)?.priceKobo).toBe(costOther + 2_000);

    const override = await b.request("POST", `/admin/catalogue/plans/${encodeURIComponent(a.id)}/margin`, {
      csrf,
      marginType: "percent",
      margin: "2.5",
      reason: "promo on this plan",
    });
    expect(override.res.status).toBe(303);
    const priceA = costA + Math.ceil((costA * 250) / 10_000);
    plans = await listDataPlans({ ctx, network: "mtn" });
    expect(plans.find((p) => p.id === a.id)?.priceKobo).toBe(priceA);
    expect(plans.find((p) => p.id === other.id)?.priceKobo).toBe(costOther + 2_000);
    const detail = await b.request("GET", `/admin/catalogue/plans/${encodeURIComponent(a.id)}`);
    expect(detail.html).toContain("2.5% (this plan; the service rule is ₦20 flat)");

    // The order is priced by the same rule, and the wallet pays exactly that.
    const buyer = await createBuyer(ctx, 1_000_000);
    const order = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "data",
      input: { network: "mtn", phone: sandboxPhone(), planId: a.id, pin: TEST_PIN },
    });
    expect(order.priceKobo).toBe(priceA);
    const otherOrder = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "data",
      input: { network: "mtn", phone: sandboxPhone(), planId: other.id, pin: TEST_PIN },
    });
    expect(otherOrder.priceKobo).toBe(costOther + 2_000);
    await harness.drain();

    // Back to the service rule.
    await b.request("POST", `/admin/catalogue/plans/${encodeURIComponent(a.id)}/margin`, {
      csrf,
      marginType: "service",
      reason: "promo over",
    });
    plans = await listDataPlans({ ctx, network: "mtn" });
    expect(plans.find((p) => p.id === a.id)?.priceKobo).toBe(costA + 2_000);

    expect(await auditsOf("pricing.set_service_margin")).toEqual([
      {
        actor_id: superId,
        target_id: "data",
        before: { marginType: "percent", marginValue: 500 },
        after: { marginType: "flat", marginValue: 2_000 },
        reason: "simpler flat margin",
      },
    ]);
    expect(await auditsOf("pricing.set_plan_margin")).toEqual([
      {
        actor_id: superId,
        target_id: a.id,
        before: null,
        after: { marginType: "percent", marginValue: 250 },
        reason: "promo on this plan",
      },
      {
        actor_id: superId,
        target_id: a.id,
        before: { marginType: "percent", marginValue: 250 },
        after: null,
        reason: "promo over",
      },
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses negative margins, a percent with three decimals and a missing reason, and changes nothing", async () => {
    const { b, csrf } = await signedIn();
    const rule = () =>
      tdb.db.selectFrom("pricing_rules").selectAll().where("service", "=", "cable").executeTakeFirstOrThrow();
    const was = await rule();
    const negative = await b.request("POST", "/admin/catalogue/pricing/cable", {
      csrf,
      marginType: "flat",
      margin: "-5",
      reason: "testing",
    });
    expect(negative.res.status).toBe(400);
    expect(negative.html).toContain("cannot be negative");
    const precise = await b.request("POST", "/admin/catalogue/pricing/cable", {
      csrf,
      marginType: "percent",
      margin: "2.125",
      reason: "testing",
    });
    expect(precise.res.status).toBe(400);
    expect(precise.html).toContain("at most two decimals");
    const noReason = await b.request("POST", "/admin/catalogue/pricing/cable", {
      csrf,
      marginType: "percent",
      margin: "2",
      reason: "",
    });
    expect(noReason.res.status).toBe(400);
    expect(noReason.html).toMatch(/reason: say why/);
    const tooBig = await b.request("POST", "/admin/catalogue/pricing/cable", {
      csrf,
      marginType: "percent",
      margin: "150",
      reason: "testing",
    });
    expect(tooBig.res.status).toBe(400);
    expect(await rule()).toEqual(was);
  });

  it("airtime never sells above its face value, whatever the margin", async () => {
    const { b, csrf } = await signedIn();
    await b.request("POST", "/admin/catalogue/pricing/airtime", {
      csrf,
      marginType: "flat",
      margin: "50",
      reason: "try a big margin",
    });
    const quote = await quoteByAmount({
      ctx,
      service: "airtime",
      productId: "airtime:mtn",
      amountKobo: 10_000,
    });
    expect(quote.priceKobo).toBe(10_000);
    await b.request("POST", "/admin/catalogue/pricing/airtime", {
      csrf,
      marginType: "percent",
      margin: "1",
      reason: "back to 1%",
    });
    // 3% discount: cost 9,700 + 1% = 97 → 9,797.
    expect(
      (await quoteByAmount({ ctx, service: "airtime", productId: "airtime:mtn", amountKobo: 10_000 }))
        .priceKobo,
    ).toBe(9_797);
  });
});

describe("plans on and off sale", () => {
  it("a disabled plan is no longer listed or sellable; enabled again it is", async () => {
    const { b, csrf } = await signedIn();
    const [plan] = await listDataPlans({ ctx, network: "airtel" });
    if (!plan) {
      throw new Error("the sandbox lists Airtel data plans");
    }
    const off = await b.request("POST", `/admin/catalogue/plans/${encodeURIComponent(plan.id)}/enabled`, {
      csrf,
      enabled: "false",
      reason: "provider keeps failing it",
    });
    expect(off.res.headers.get("location")).toBe(
      `/admin/catalogue/plans/${encodeURIComponent(plan.id)}?done=plan_disabled`,
    );
    expect((await listDataPlans({ ctx, network: "airtel" })).map((p) => p.id)).not.toContain(plan.id);
    const buyer = await createBuyer(ctx, 1_000_000);
    const refused = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "data",
      input: { network: "airtel", phone: sandboxPhone(undefined, "0802"), planId: plan.id, pin: TEST_PIN },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    const listed = await b.request("GET", "/admin/catalogue?service=data&network=airtel&enabled=false");
    expect(listed.html).toContain(plan.id);
    expect(listed.html).toContain("disabled");

    await b.request("POST", `/admin/catalogue/plans/${encodeURIComponent(plan.id)}/enabled`, {
      csrf,
      enabled: "true",
      reason: "fixed",
    });
    expect((await listDataPlans({ ctx, network: "airtel" })).map((p) => p.id)).toContain(plan.id);
    expect(
      (await auditsOf("catalogue.disable_plan")).map((r) => [r.target_id, r.before, r.after, r.reason]),
    ).toEqual([[plan.id, { enabled: true }, { enabled: false }, "provider keeps failing it"]]);
    expect(await auditsOf("catalogue.enable_plan")).toHaveLength(1);
    expect((await b.request("GET", "/admin/catalogue/plans/nope")).res.status).toBe(404);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("providers from the panel", () => {
  const airtime = async (buyerId: string) => {
    const order = await placeOrder(ctx, harness.vtu, buyerId, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });
    await harness.drain();
    return attemptsOf(order.id);
  };

  it("disabling a provider or moving another up sends orders to the next one", async () => {
    const { b, csrf } = await signedIn();
    const buyer = await createBuyer(ctx, 1_000_000);
    expect(await airtime(buyer.id)).toEqual(["sandbox"]);

    const off = await b.request("POST", "/admin/catalogue/providers/sandbox/enabled", {
      csrf,
      enabled: "false",
      reason: "sandbox A is down",
    });
    expect(off.res.status).toBe(303);
    expect(await airtime(buyer.id)).toEqual(["sandbox-b"]);
    await b.request("POST", "/admin/catalogue/providers/sandbox/enabled", {
      csrf,
      enabled: "true",
      reason: "sandbox A is back",
    });
    expect(await airtime(buyer.id)).toEqual(["sandbox"]);

    const moved = await b.request("POST", "/admin/catalogue/providers/sandbox-b/move", {
      csrf,
      direction: "up",
      reason: "B is cheaper this week",
    });
    expect(moved.res.status).toBe(303);
    const order = await tdb.db
      .selectFrom("vtu_providers")
      .select(["code", "priority"])
      .orderBy("priority")
      .execute();
    expect(order).toEqual([
      { code: "sandbox-b", priority: 10 },
      { code: "sandbox", priority: 20 },
    ]);
    expect(await airtime(buyer.id)).toEqual(["sandbox-b"]);
    const page = await b.request("GET", "/admin/catalogue/providers");
    expect(page.html.indexOf("Sandbox B")).toBeLessThan(page.html.indexOf("Sandbox A"));

    // A number works too: sandbox back to first.
    const priority = await b.request("POST", "/admin/catalogue/providers/sandbox/priority", {
      csrf,
      priority: "5",
      reason: "A first again",
    });
    expect(priority.res.status).toBe(303);
    expect(await airtime(buyer.id)).toEqual(["sandbox"]);
    const badPriority = await b.request("POST", "/admin/catalogue/providers/sandbox/priority", {
      csrf,
      priority: "",
      reason: "oops",
    });
    expect(badPriority.res.status).toBe(400);
    for (const typed of ["abc", "1.5", "-1"]) {
      const refused = await b.request("POST", "/admin/catalogue/providers/sandbox/priority", {
        csrf,
        priority: typed,
        reason: "oops",
      });
      expect(refused.res.status).toBe(400);
      expect(refused.html).toMatch(/Priority: must be (a whole number|0 or more)/);
      expect(refused.html).not.toMatch(/NaN|expected number/);
    }

    expect((await auditsOf("provider.disable")).map((r) => [r.target_id, r.before, r.after])).toEqual([
      ["sandbox", { enabled: true }, { enabled: false }],
    ]);
    expect(await auditsOf("provider.enable")).toHaveLength(1);
    expect((await auditsOf("provider.move"))[0]).toMatchObject({
      target_id: "sandbox-b",
      before: [
        { code: "sandbox", priority: 10 },
        { code: "sandbox-b", priority: 20 },
      ],
      after: [
        { code: "sandbox-b", priority: 10 },
        { code: "sandbox", priority: 20 },
      ],
      reason: "B is cheaper this week",
    });
    expect((await auditsOf("provider.set_priority"))[0]).toMatchObject({
      before: { priority: 20 },
      after: { priority: 5 },
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("sync now pulls the catalogue again (a withdrawn mapping comes back) and is audited", async () => {
    const { b, csrf } = await signedIn();
    await tdb.db
      .updateTable("provider_products")
      .set({ available: false })
      .where("provider", "=", "sandbox-b")
      .execute();
    await tdb.db.updateTable("vtu_providers").set({ last_synced_at: null }).execute();
    const synced = await b.request("POST", "/admin/catalogue/sync", { csrf });
    expect(synced.res.headers.get("location")).toBe("/admin/catalogue/providers?done=synced");
    const rows = await tdb.db.selectFrom("vtu_providers").select(["code", "last_synced_at"]).execute();
    expect(rows.every((r) => r.last_synced_at !== null)).toBe(true);
    const back = await tdb.db
      .selectFrom("provider_products")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("provider", "=", "sandbox-b")
      .where("available", "=", true)
      .executeTakeFirstOrThrow();
    expect(Number(back.n)).toBeGreaterThan(0);
    const [audit] = await auditsOf("catalogue.sync");
    expect(audit?.actor_id).toBe(superId);
    expect(audit?.after).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: "sandbox-b", ok: true })]),
    );

    // A process without VTU providers says so instead of pretending.
    const bare = makeTestApp(tdb.db, { config }).app;
    const nb = adminBrowser(() => bare);
    await adminSignIn(nb, "root@tada.test", PASSWORD);
    const home = await nb.request("GET", "/admin");
    const none = await nb.request("POST", "/admin/catalogue/sync", { csrf: home.csrf });
    expect(none.res.status).toBe(503);
    expect(none.html).toContain("no VTU providers configured");
  });

  it("float check stores each balance; below its threshold a provider is marked low and lowFloatProviders returns it", async () => {
    const { b, csrf } = await signedIn();
    fallbackFloatKobo = 50_000; // ₦500
    const threshold = await b.request("POST", "/admin/catalogue/providers/sandbox-b/threshold", {
      csrf,
      threshold: "1000",
      reason: "warn below ₦1,000",
    });
    expect(threshold.res.status).toBe(303);
    const negative = await b.request("POST", "/admin/catalogue/providers/sandbox-b/threshold", {
      csrf,
      threshold: "-1",
      reason: "oops",
    });
    expect(negative.res.status).toBe(400);
    expect(negative.html).toContain("cannot be negative");
    expect(await lowFloatProviders(ctx)).toEqual([]); // never checked yet

    const checked = await b.request("POST", "/admin/catalogue/float", { csrf });
    expect(checked.res.headers.get("location")).toBe("/admin/catalogue/providers?done=float");
    const rows = await tdb.db
      .selectFrom("vtu_providers")
      .select(["code", "float_kobo", "float_checked_at", "low_float_kobo"])
      .orderBy("code")
      .execute();
    expect(rows.map((r) => [r.code, r.float_kobo, r.low_float_kobo])).toEqual([
      ["sandbox", 5_000_000_000, null],
      ["sandbox-b", 50_000, 100_000],
    ]);
    expect(rows.every((r) => r.float_checked_at instanceof Date)).toBe(true);
    expect(await lowFloatProviders(ctx)).toEqual([
      { code: "sandbox-b", name: "Sandbox B", floatKobo: 50_000, thresholdKobo: 100_000 },
    ]);
    const page = await b.request("GET", "/admin/catalogue/providers");
    expect(page.html).toMatch(/₦500 <span class="badge bad">low<\/span>/);
    expect(page.html.match(/badge bad">low</g)).toHaveLength(1);

    // Topped up: the next check clears it.
    fallbackFloatKobo = 200_000;
    await b.request("POST", "/admin/catalogue/float", { csrf });
    expect(await lowFloatProviders(ctx)).toEqual([]);
    const audits = await auditsOf("provider.float_check");
    expect(
      audits
        .filter((a) => a.target_id === "sandbox-b")
        .map((a) => (a.after as { floatKobo: number }).floatKobo),
    ).toEqual([50_000, 200_000]);
    expect((await auditsOf("provider.set_low_float"))[0]).toMatchObject({
      before: { low_float_kobo: null },
      after: { low_float_kobo: 100_000 },
      reason: "warn below ₦1,000",
    });
  });

  it("post-delivery checks per provider: a list of its own, 'none', or back to the default", async () => {
    const { b, csrf } = await signedIn();
    const set = (schedule: string) =>
      b.request("POST", "/admin/catalogue/providers/sandbox-b/verify", {
        csrf,
        schedule,
        reason: "provider asked",
      });
    const stored = async () =>
      (
        await tdb.db
          .selectFrom("vtu_providers")
          .select("verify_offsets_seconds")
          .where("code", "=", "sandbox-b")
          .executeTakeFirstOrThrow()
      ).verify_offsets_seconds;

    expect((await set("6h, 5m, 1d")).res.headers.get("location")).toBe(
      "/admin/catalogue/providers?done=verify",
    );
    expect(await stored()).toEqual([300, 21_600, 86_400]);
    const page = await b.request("GET", "/admin/catalogue/providers");
    expect(page.html).toContain("asked again 5m, 6h, 1d after delivery");
    expect(page.html).toContain(`default: ${"2m, 30m, 6h, 1d"}`);

    const bad = await set("soon");
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain(
      "Checks after delivery: &quot;soon&quot; is not a duration like 90s, 2m, 6h or 1d",
    );
    expect(await stored()).toEqual([300, 21_600, 86_400]);
    // Too late, too soon, a time twice (however written): refused in the form's words, nothing stored.
    for (const [typed, said] of [
      ["999d", "Checks after delivery: each at most 30d."],
      ["1s", "Checks after delivery: each at least 1m."],
      ["1m,1m", "Checks after delivery: 1m is there twice; list each time once."],
      ["30m, 60s, 1m", "Checks after delivery: 1m is there twice; list each time once."],
    ] as const) {
      const refused = await set(typed);
      expect(refused.res.status, typed).toBe(400);
      expect(refused.html).toContain(said);
      expect(refused.html).not.toContain("offsetsSeconds");
    }
    expect(await stored()).toEqual([300, 21_600, 86_400]);
    expect(page.html).toContain("in any order (they are kept sorted)");

    await set("none");
    expect(await stored()).toEqual([]);
    await set("");
    expect(await stored()).toBeNull();
    expect((await auditsOf("provider.set_verify_schedule")).map((a) => a.after)).toEqual([
      { verify_offsets_seconds: [300, 21_600, 86_400] },
      { verify_offsets_seconds: [] },
      { verify_offsets_seconds: null },
    ]);
  });
});

describe("who may", () => {
  const pages = ["/admin/catalogue", "/admin/catalogue/plans/airtime:mtn", "/admin/catalogue/providers"];
  const posts: [string, Record<string, string>][] = [
    ["/admin/catalogue/pricing/data", { marginType: "flat", margin: "1", reason: "sneaky" }],
    ["/admin/catalogue/plans/airtime:mtn/margin", { marginType: "flat", margin: "1", reason: "sneaky" }],
    ["/admin/catalogue/plans/airtime:mtn/enabled", { enabled: "false", reason: "sneaky" }],
    ["/admin/catalogue/providers/sandbox/enabled", { enabled: "false", reason: "sneaky" }],
    ["/admin/catalogue/providers/sandbox/move", { direction: "down", reason: "sneaky" }],
    ["/admin/catalogue/providers/sandbox/priority", { priority: "99", reason: "sneaky" }],
    ["/admin/catalogue/providers/sandbox/threshold", { threshold: "1", reason: "sneaky" }],
    ["/admin/catalogue/providers/sandbox/verify", { schedule: "1m", reason: "sneaky" }],
    ["/admin/catalogue/sync", {}],
    ["/admin/catalogue/float", {}],
  ];

  it("admin and support get 403 on every page and POST, and nothing changes", async () => {
    const snapshot = async () => ({
      rules: await tdb.db.selectFrom("pricing_rules").selectAll().orderBy("service").execute(),
      providers: await tdb.db.selectFrom("vtu_providers").selectAll().orderBy("code").execute(),
      plan: await tdb.db
        .selectFrom("catalogue_products")
        .selectAll()
        .where("id", "=", "airtime:mtn")
        .execute(),
      audits: await tdb.db
        .selectFrom("audit_log")
        .select("id")
        .where("action", "not like", "admin.%")
        .execute(),
    });
    const was = await snapshot();
    for (const email of ["admin@tada.test", "support@tada.test"]) {
      const { b, csrf } = await signedIn(email);
      expect(csrf).not.toBe("");
      for (const path of pages) {
        const res = await b.request("GET", path);
        expect(res.res.status, `${email} GET ${path}`).toBe(403);
        expect(res.html).toContain("needs the super admin role");
      }
      for (const [path, form] of posts) {
        const res = await b.request("POST", path, { csrf, ...form });
        expect(res.res.status, `${email} POST ${path}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(was);
  });

  it("a super admin's POST without the CSRF token is refused", async () => {
    const { b } = await signedIn();
    const was = await tdb.db.selectFrom("pricing_rules").selectAll().where("service", "=", "data").execute();
    for (const [path, form] of posts) {
      const res = await b.request("POST", path, form);
      expect(res.res.status, path).toBe(403);
      expect(res.html).toContain("CSRF");
    }
    expect(
      await tdb.db.selectFrom("pricing_rules").selectAll().where("service", "=", "data").execute(),
    ).toEqual(was);
  });

  it("a signed-out visitor is sent to the sign-in page", async () => {
    const b = adminBrowser(() => app);
    expect((await b.request("GET", "/admin/catalogue")).res.headers.get("location")).toBe("/admin/login");
  });
});
