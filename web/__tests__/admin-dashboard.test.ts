import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../api/services/admins";
import { raiseSlowResponse } from "../../api/services/alerts";
import { rollUpMissingDays } from "../../api/services/analytics";
import type { ServiceContext } from "../../api/services/context";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import {
  buyAirtime,
  expectedDay,
  expectedRange,
  lagosDayOffset,
  sandboxPayments,
  seedActivity,
} from "../../test/helpers/analytics";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { createBuyer, makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue } from "../../test/helpers/vtu";

/** The dashboard: charts and tiles carry the same numbers as independent SQL over seeded activity. */
const config = testConfig();
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
let seeded: Awaited<ReturnType<typeof seedActivity>>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  const payments = sandboxPayments(ctx);
  seeded = await seedActivity(ctx, harness, payments);
  await rollUpMissingDays(ctx, { lookbackDays: 10 });
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu, payments }).app;
  await createAdmin({
    ctx,
    input: { email: "support@tada.test", name: "Sue Port", password: PASSWORD, role: "support" },
  });
}, 60_000);
afterAll(() => tdb.destroy());

async function signedIn() {
  const b = adminBrowser(app);
  const res = await adminSignIn(b, "support@tada.test", PASSWORD);
  expect(res.res.status).toBe(303);
  return b;
}

/** The marks of one chart: series → label → raw value. */
function chart(html: string, name: string): Record<string, Record<string, number>> {
  const start = html.indexOf(`data-chart="${name}"`);
  expect(start, `chart ${name}`).toBeGreaterThan(-1);
  const svg = html.slice(html.lastIndexOf("<svg", start), html.indexOf("</svg>", start));
  expect(svg).toMatch(/^<svg[^>]*role="img"/);
  expect(svg).toMatch(/aria-label="[^"]+"/);
  const marks: Record<string, Record<string, number>> = {};
  for (const m of svg.matchAll(/data-series="([^"]*)" data-label="([^"]*)" data-value="([^"]*)"/g)) {
    const [, escaped = "", label = "", value = ""] = m;
    const series = escaped.replaceAll("&gt;", ">").replaceAll("&lt;", "<").replaceAll("&amp;", "&");
    marks[series] = { ...(marks[series] ?? {}), [label]: Number(value) };
  }
  return marks;
}

function tile(html: string, metric: string): number {
  const m = new RegExp(`data-metric="${metric}" data-value="([^"]*)"`).exec(html);
  expect(m, metric).not.toBeNull();
  return Number(m?.[1]);
}

describe("admin dashboard", () => {
  it("support sees charts whose numbers equal independent SQL, rolled-up days and today's live ones", async () => {
    const { d3, d2, d1, today } = seeded.days;
    // Today: an order placed now, after the rollup ran.
    const buyer = await createBuyer(ctx, 500_000);
    await buyAirtime(ctx, harness, buyer.id, sandboxPhone(), 30_000);

    const b = await signedIn();
    const page = await b.request("GET", `/admin?from=${d3}&to=${today}`);
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("Signed in as Sue Port");
    expect(page.html).toContain('name="csrf"');
    expect(page.html).not.toMatch(/<script/);

    const days = [d3, d2, d1, today];
    const expected = Object.fromEntries(
      await Promise.all(days.map(async (d) => [d, await expectedDay(ctx, d)])),
    );
    const orders = chart(page.html, "orders-by-service");
    const volume = chart(page.html, "volume-by-service");
    const users = chart(page.html, "users");
    const funding = chart(page.html, "funding-spend");
    const gifts = chart(page.html, "gifts");
    const providers = chart(page.html, "provider-share");
    const failover = chart(page.html, "failover");
    for (const day of days) {
      const e = expected[day];
      for (const service of ["airtime", "data", "cable", "electricity"]) {
        expect(orders[service]?.[day], `${day} ${service} orders`).toBe(e.ordersByService[service] ?? 0);
        expect(volume[service]?.[day], `${day} ${service} volume`).toBe(e.revenueByService[service] ?? 0);
      }
      expect(users.new?.[day], day).toBe(e.newUsers);
      expect(users.active?.[day], day).toBe(e.activeUsers);
      expect(funding.funding?.[day], day).toBe(e.fundingKobo);
      expect(funding.spend?.[day], day).toBe(e.revenueKobo);
      expect(funding.withdrawals?.[day], day).toBe(e.withdrawalsKobo);
      expect(gifts["rooms created"]?.[day], day).toBe(e.giftRooms);
      expect(gifts["gifts claimed"]?.[day], day).toBe(e.giftClaims);
      for (const [provider, n] of Object.entries(e.providerDelivered)) {
        expect(providers[provider]?.[day], `${day} ${provider}`).toBe(n);
      }
      expect(failover["orders failed over"]?.[day], day).toBe(e.failoverOrders);
      expect(failover["attempts on another provider"]?.[day], day).toBe(e.failoverAttempts);
      const rate = chart(page.html, "success-rate")["success rate"]?.[day] ?? -1;
      const finished = e.delivered + e.unsuccessful;
      expect(rate, day).toBeCloseTo(finished === 0 ? 0 : e.delivered / finished, 4);
    }
    // The live order is in today's bar.
    expect(orders.airtime?.[today]).toBeGreaterThanOrEqual(1);
    for (const name of ["success-rate", "revenue-margin-by-service"]) {
      chart(page.html, name);
    }
    // The same numbers in a table for people who cannot see the chart.
    expect(page.html).toContain('data-chart-table="orders-by-service"');

    // Tiles equal the independent SQL of the range.
    const x = await expectedRange(ctx, d3, today, lagosDayOffset(-7));
    const sum = (pick: (e: (typeof expected)[string]) => number) =>
      days.reduce((n, d) => n + pick(expected[d]), 0);
    expect(tile(page.html, "transactions")).toBe(sum((e) => e.orders));
    expect(tile(page.html, "volumeKobo")).toBe(sum((e) => e.revenueKobo));
    expect(tile(page.html, "revenueKobo")).toBe(sum((e) => e.revenueKobo));
    expect(tile(page.html, "marginKobo")).toBe(sum((e) => e.revenueKobo - e.costKobo));
    expect(tile(page.html, "newUsers")).toBe(sum((e) => e.newUsers));
    expect(tile(page.html, "activeUsers")).toBe(x.activeUsers);
    expect(tile(page.html, "totalUsers")).toBe(x.totalUsers);
    expect(tile(page.html, "participationRate")).toBeCloseTo(x.claimsOnRooms / x.capacity, 4);
    expect(tile(page.html, "viralCoefficient")).toBeCloseTo(x.converted / x.creators, 4);
    const manual = await tdb.db
      .selectFrom("vtu_orders")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("state", "=", "manual_review")
      .executeTakeFirstOrThrow();
    expect(tile(page.html, "manualReview")).toBe(Number(manual.n));
    // Rounded to the kobo, not cut: ₦2,778.725 is ₦2,778.73.
    const delivered = sum((e) => e.delivered);
    expect(tile(page.html, "averageSizeKobo")).toBe(Math.round(sum((e) => e.revenueKobo) / delivered));
    // The tile counts reversed orders with failed ones and says so; the header says what it counts.
    expect(page.html).toContain(`${delivered} delivered, ${sum((e) => e.unsuccessful)} failed or reversed`);
    expect(page.html).toContain("orders placed today, by state now:");
    // One day is "1 day"; one creator is "1 creator".
    const oneDay = await b.request("GET", `/admin?from=${today}&to=${today}`);
    expect(oneDay.html).toContain(`${today} to ${today} (1 day, Lagos time)`);
    expect(oneDay.html).not.toMatch(/\b1 (days|creators|rooms|referees|referrers|gifts|claims)\b/);
    await expectLedgerConsistent(tdb.db);
  });

  it("the range picker: presets, the 30-day default, and a bad range is a 400 that says what to change", async () => {
    const b = await signedIn();
    const { today } = seeded.days;
    const preset = await b.request("GET", "/admin?preset=7");
    expect(preset.res.status).toBe(200);
    expect(preset.html).toContain(`name="from" value="${lagosDayOffset(-6)}"`);
    expect(preset.html).toContain(`name="to" value="${today}"`);
    expect(Object.keys(chart(preset.html, "orders-by-service").airtime ?? {})).toHaveLength(7);

    const plain = await b.request("GET", "/admin");
    expect(plain.html).toContain(`name="from" value="${lagosDayOffset(-29)}"`);
    expect(Object.keys(chart(plain.html, "users").new ?? {})).toHaveLength(30);

    for (const [query, message] of [
      ["from=2026-13-01", "is not a date"],
      ["from=nonsense&to=2026-01-01", "is not a date"],
      [`from=${today}&to=${lagosDayOffset(-3)}`, "is after the end day"],
      [`to=${lagosDayOffset(2)}`, "in the future"],
      [`from=${lagosDayOffset(-500)}`, "at most 366"],
      ["preset=8", "preset: 8 is not a preset; use 7, 30 or 90, or pick From and To."],
    ] as const) {
      const bad = await b.request("GET", `/admin?${query}`);
      expect(bad.res.status, query).toBe(400);
      expect(bad.html, query).toContain(message);
      expect(bad.html).not.toContain("data-chart=");
      // Still the panel: the picker and sign-out stay usable.
      expect(bad.html).toContain('name="preset"');
      expect(bad.html).toContain("Signed in as Sue Port");
    }
  });

  it("needs a session; shows alerts at the top when given some", async () => {
    const anonymous = adminBrowser(app);
    const res = await anonymous.request("GET", "/admin");
    expect(res.res.status).toBe(303);
    expect(res.res.headers.get("location")).toBe("/admin/login");

    // A real open alert (the HTTP layer raises this one) shows above everything else.
    await raiseSlowResponse(ctx, { method: "GET", route: "/api/vtu/orders/:id", seconds: 6.5 });
    const signed = adminBrowser(app);
    await adminSignIn(signed, "support@tada.test", PASSWORD);
    const { html } = await signed.request("GET", "/admin");
    expect(html).toContain('data-alert-kind="slow_response"');
    expect(html.indexOf("Slow responses on GET /api/vtu/orders/:id")).toBeGreaterThan(0);
    expect(html.indexOf("Slow responses on GET /api/vtu/orders/:id")).toBeLessThan(
      html.indexOf("TADA VTU dashboard"),
    );
  });
});
