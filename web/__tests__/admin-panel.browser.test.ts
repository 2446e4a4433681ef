import { readFile } from "node:fs/promises";
import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import { createAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { formatNaira } from "../../api/services/money";
import { getOrder, type OrderDto, requeryOrder } from "../../api/services/vtu";
import { getWalletBalance } from "../../api/services/wallet";
import { freePort } from "../../scripts/lib/free-port";
import { createHttpApp } from "../../scripts/runtime/http";
import { panelFigures } from "../../test/helpers/admin-panel";
import { fund, lagosDayOffset, sandboxPayments } from "../../test/helpers/analytics";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * The admin panel in a real headless Chromium at a desktop size, against the real app over HTTP on
 * a local port with seeded activity (orders delivered, failed and stuck in manual review, a sandbox
 * top-up): sign in, the dashboard's charts and tiles against independent SQL, the range picker,
 * find a customer, adjust a balance at once and through maker-checker, refund a manual-review
 * order, export the orders as CSV, sign out; then a support user's limits (S7), a CSRF-less POST,
 * the audit trail and the ledger.
 */

const DESKTOP = { width: 1280, height: 900 };
const PASSWORD = "correct-horse-battery-9";
/** Adjustments up to ₦10,000 are booked at once; above, a second admin approves (maker-checker). */
const APPROVAL_KOBO = 1_000_000;
const SMALL_KOBO = 150_000; // ₦1,500
const BIG_KOBO = 2_500_000; // ₦25,000
const REFUND_REASON = "Provider says it never arrived";

const ADMINS = {
  root: { email: "root@tada.test", name: "Rita Root", role: "super_admin" },
  ada: { email: "ada@tada.test", name: "Ada Admin", role: "admin" },
  bo: { email: "bo@tada.test", name: "Bo Checker", role: "admin" },
  sue: { email: "sue@tada.test", name: "Sue Port", role: "support" },
} as const;

type Tab = { context: BrowserContext; page: Page; requests: string[]; errors: string[] };

describe.skipIf(skipBrowserSuites)("admin panel in Chromium (1280×900)", () => {
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let harness: ReturnType<typeof makeVtu>;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  /** Seconds the sandbox's (and the test services') clock runs ahead of the app's real clock. */
  let ahead = 0;
  const captured = captureLogger();
  const adminIds: Record<keyof typeof ADMINS, string> = { root: "", ada: "", bo: "", sue: "" };
  let customer: { id: string; phone: string };
  let stuck: OrderDto;
  let stuckOwner: string;
  const tabs: Tab[] = [];

  const today = () => lagosDayOffset(0);
  /** A fresh desktop window that records every URL it asks for and every script or console error. */
  async function newTab(): Promise<Tab> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    // Fail at the step that did not happen, well inside the test's own timeout.
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    const tab: Tab = { context, page, requests: [], errors: [] };
    page.on("request", (request) => tab.requests.push(request.url()));
    page.on("pageerror", (error) => tab.errors.push(String(error)));
    page.on("console", (message) => {
      const where = message.location().url;
      // A 403 page is the expected answer to a forbidden navigation, not a script error. (The pages
      // declare an empty icon, so Chromium asks for no /favicon.ico: a 404 here is a real error.)
      const expected = /status of 403/.test(message.text());
      if (message.type() === "error" && !expected) {
        tab.errors.push(`${message.text()} (${where})`);
      }
    });
    tabs.push(tab);
    return tab;
  }

  /** Sign in through the real form; lands on the dashboard. */
  async function signIn(who: keyof typeof ADMINS): Promise<Tab> {
    const tab = await newTab();
    const { page } = tab;
    expect((await page.goto(`${origin}/admin/login`))?.status()).toBe(200);
    await page.getByLabel("Email").fill(ADMINS[who].email);
    await page.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/admin"),
      page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    expect(await page.locator("body").textContent()).toContain(`Signed in as ${ADMINS[who].name}`);
    return tab;
  }

  async function csrfOf(page: Page): Promise<string> {
    const token = await page.locator('input[name="csrf"]').first().getAttribute("value");
    expect(token).toBeTruthy();
    return token ?? "";
  }

  async function expectNoHorizontalOverflow(page: Page): Promise<void> {
    // A string, evaluated in the page: this project compiles without the DOM types.
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(width, `the page is ${width}px wide on a ${DESKTOP.width}px screen`).toBeLessThanOrEqual(
      DESKTOP.width,
    );
  }

  /** The text of the definition after `<dt>label</dt>` on a customer page. */
  async function field(page: Page, label: string): Promise<string> {
    return (await page.locator(`dt:text-is("${label}") + dd`).textContent()) ?? "";
  }

  async function balanceOf(userId: string) {
    return getWalletBalance({ ctx, userId });
  }

  beforeAll(async () => {
    const started = performance.now();
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config: Config = testConfig({
      PORT: String(port),
      PUBLIC_BASE_URL: origin,
      VTU_MANUAL_REVIEW_AFTER_MINUTES: "1",
      ADMIN_ADJUSTMENT_APPROVAL_KOBO: String(APPROVAL_KOBO),
    });
    ctx = makeCtx(tdb.db, {
      config,
      logger: captured.logger,
      now: () => new Date(Date.now() + ahead * 1000),
    });
    harness = makeVtu(ctx, sandboxRegistry(ctx, { pendingSeconds: 3600 }));
    await seedCatalogue(ctx, harness.vtu.providers);
    const payments = sandboxPayments(ctx);

    // Activity, all today, through the real services: delivered airtime and data, a failed order,
    // a sandbox top-up, and one order stuck in manual review with its money held.
    const buyer = await createBuyer(ctx, 500_000);
    customer = { id: buyer.id, phone: buyer.phone ?? "" };
    const other = await createBuyer(ctx, 800_000);
    await fund(ctx, payments, other.id, 300_000);
    for (const [userId, amountKobo, scenario] of [
      [buyer.id, 20_000, undefined],
      [buyer.id, 35_000, undefined],
      [other.id, 70_000, undefined],
      [other.id, 10_000, "0001"],
    ] as const) {
      await placeOrder(ctx, harness.vtu, userId, {
        service: "airtime",
        input: { network: "mtn", phone: sandboxPhone(scenario), amountKobo, pin: TEST_PIN },
      });
    }
    await harness.drain();
    const waiting = await createBuyer(ctx, 100_000);
    stuckOwner = waiting.id;
    stuck = await placeOrder(ctx, harness.vtu, waiting.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone("0002"), amountKobo: 50_000, pin: TEST_PIN },
    });
    await harness.drain();
    ahead = 300;
    await requeryOrder({ ctx, vtu: harness.vtu, orderId: stuck.id });
    ahead = 0;
    expect((await getOrder({ ctx, userId: waiting.id, orderId: stuck.id })).state).toBe("manual_review");
    expect((await balanceOf(waiting.id)).heldKobo).toBe(stuck.priceKobo);

    for (const [key, a] of Object.entries(ADMINS)) {
      const created = await createAdmin({ ctx, input: { ...a, password: PASSWORD } });
      adminIds[key as keyof typeof ADMINS] = created.id;
    }

    // The app shares the harness's VtuRuntime, so the order page's actions reach the same providers.
    const app = createHttpApp({
      db: tdb.db,
      config,
      logger: captured.logger,
      vtu: harness.vtu,
      payments,
      jobs: { kind: "postgres", check: async () => {} },
    });
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
    console.log(`[admin-panel.browser] setup ${Math.round(performance.now() - started)} ms`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  it("dashboard: charts and tiles equal independent SQL over the seeded activity; the range picker changes the range", async () => {
    const { page } = await signIn("ada");
    const day = today();
    const sqlFigures = await panelFigures(tdb.db, day);
    const { orders, delivered, unsuccessful, newUsers, totalUsers } = sqlFigures;
    const {
      volumeKobo: volume,
      activeUsers: active,
      fundingKobo: funding,
      manualReview: manual,
    } = sqlFigures;
    // The seed is what the test meant it to be: 5 orders, 3 delivered, 1 failed, 1 in manual review.
    expect({ orders, delivered, unsuccessful, manual }).toEqual({
      orders: 5,
      delivered: 3,
      unsuccessful: 1,
      manual: 1,
    });
    expect(volume).toBeGreaterThan(0);
    expect(funding).toBe(300_000);

    const tile = async (metric: string) =>
      Number(await page.locator(`[data-metric="${metric}"]`).getAttribute("data-value"));
    expect(await tile("transactions")).toBe(orders);
    expect(await tile("volumeKobo")).toBe(volume);
    expect(await tile("revenueKobo")).toBe(volume);
    expect(await tile("newUsers")).toBe(newUsers);
    expect(await tile("totalUsers")).toBe(totalUsers);
    expect(await tile("activeUsers")).toBe(active);
    expect(await tile("fundingKobo")).toBe(funding);
    expect(await tile("manualReview")).toBe(manual);
    expect(await tile("successRate")).toBeCloseTo(delivered / (delivered + unsuccessful), 6);
    expect(await page.locator('[data-metric="volumeKobo"] b').textContent()).toBe(formatNaira(volume));

    // Every chart is an SVG with its numbers on its marks; today's marks are the SQL's.
    const charts = page.locator("svg[data-chart]");
    expect(await charts.count()).toBeGreaterThanOrEqual(9);
    for (const svg of await charts.all()) {
      expect(await svg.getAttribute("role")).toBe("img");
      expect(await svg.getAttribute("aria-label")).toBeTruthy();
      expect(await svg.locator("[data-value]").count()).toBeGreaterThan(0);
    }
    const mark = async (chart: string, series: string, label: string) =>
      Number(
        await page
          .locator(`svg[data-chart="${chart}"] [data-series="${series}"][data-label="${label}"][data-value]`)
          .first()
          .getAttribute("data-value"),
      );
    expect(await mark("orders-by-service", "airtime", day)).toBe(orders);
    expect(await mark("orders-by-service", "data", day)).toBe(0);
    expect(await mark("volume-by-service", "airtime", day)).toBe(volume);
    expect(await mark("users", "new", day)).toBe(newUsers);
    expect(await mark("users", "active", day)).toBe(active);
    expect(await mark("funding-spend", "funding", day)).toBe(funding);
    expect(await mark("funding-spend", "spend", day)).toBe(volume);
    expect(await mark("success-rate", "success rate", day)).toBeCloseTo(
      delivered / (delivered + unsuccessful),
      6,
    );
    // The default range is the last 30 days: one bar group per day.
    const days = () => page.locator('svg[data-chart="orders-by-service"] g[data-label]').count();
    expect(await days()).toBe(30);
    expect(await page.locator("body").textContent()).toContain(`to ${day} (30 days, Lagos time)`);
    await expectNoHorizontalOverflow(page);

    // The range picker: "Last 7 days".
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("preset") === "7"),
      page.getByRole("button", { name: "Last 7 days" }).click(),
    ]);
    expect(await page.locator("body").textContent()).toContain(
      `${lagosDayOffset(-6)} to ${day} (7 days, Lagos time)`,
    );
    expect(await days()).toBe(7);
    expect(await page.locator('input[name="from"]').inputValue()).toBe(lagosDayOffset(-6));
    expect(await tile("transactions")).toBe(orders);
    await expectNoHorizontalOverflow(page);
  });

  it("customers: finds a customer by phone, books a small adjustment at once and a big one through a second admin, once", async () => {
    const before = (await balanceOf(customer.id)).balanceKobo;
    const tab = await signIn("ada");
    const { page } = tab;
    await page.getByRole("link", { name: "Customers" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users");
    // The phone as a person types it: with spaces.
    const local = `0${customer.phone.slice(-10)}`;
    await page
      .getByLabel("Phone, name, user id or chat id")
      .fill(`${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}`);
    await Promise.all([
      page.waitForURL((url) => url.searchParams.has("q")),
      page.getByRole("button", { name: "Search" }).click(),
    ]);
    // One row: the name, the masked phone and the id (issue 21 §8).
    const hit = page.locator("tr[data-user]");
    expect(await hit.count()).toBe(1);
    expect(await hit.getAttribute("data-user")).toBe(customer.id);
    expect(await hit.textContent()).toContain(`${customer.phone.slice(0, 4)}***${customer.phone.slice(7)}`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === `/admin/users/${customer.id}`),
      hit.getByRole("link").click(),
    ]);
    expect(await field(page, "User id")).toBe(customer.id);
    expect(await field(page, "Balance")).toBe(formatNaira(before));
    await expectNoHorizontalOverflow(page);

    const adjust = page.locator('form[action$="/adjust"]');
    const submitAdjustment = async (kobo: number, reason: string) => {
      await adjust.locator('select[name="direction"]').selectOption("credit");
      await adjust.getByLabel("Amount in naira").fill(String(kobo / 100));
      await adjust.getByLabel("Reason").fill(reason);
      await Promise.all([
        page.waitForURL((url) => url.searchParams.has("done")),
        adjust.getByRole("button").click(),
      ]);
    };
    // Small: booked at once, the page shows the new balance.
    await submitAdjustment(SMALL_KOBO, "Goodwill credit for the outage");
    expect(new URL(page.url()).searchParams.get("done")).toBe("adjusted");
    expect(await page.getByText("Done: adjusted.").isVisible()).toBe(true);
    expect(await field(page, "Balance")).toBe(formatNaira(before + SMALL_KOBO));
    // Big: waits for a second admin, nothing moves.
    await submitAdjustment(BIG_KOBO, "Refund of a failed bank transfer");
    expect(new URL(page.url()).searchParams.get("done")).toBe("sent_for_approval");
    expect(await field(page, "Balance")).toBe(formatNaira(before + SMALL_KOBO));
    expect((await balanceOf(customer.id)).balanceKobo).toBe(before + SMALL_KOBO);

    // The admin who asked sees it waiting with no Approve button (issue 21 §6), and cannot approve it.
    await page.getByRole("link", { name: "Approvals" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/approvals");
    const waiting = page.locator("tr[data-approval]");
    expect(await waiting.count()).toBe(1);
    expect(await waiting.textContent()).toContain("Refund of a failed bank transfer");
    expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    expect(await waiting.getByTestId("own-request").textContent()).toContain("a second admin decides");
    const approvalId = await waiting.getAttribute("data-approval");
    const own = await page.request.post(`${origin}/admin/approvals/${approvalId}`, {
      form: { csrf: await csrfOf(page), decision: "approve" },
    });
    expect(own.status()).toBe(403);
    expect(await own.text()).toContain("A second admin must approve this");
    expect((await balanceOf(customer.id)).balanceKobo).toBe(before + SMALL_KOBO);

    // A second admin, in their own browser context, approves it.
    const second = await signIn("bo");
    await second.page.goto(`${origin}/admin/approvals`);
    const form = second.page.locator('form[action^="/admin/approvals/"]');
    expect(await form.count()).toBe(1);
    const action = (await form.getAttribute("action")) ?? "";
    const csrf = await csrfOf(second.page);
    await Promise.all([
      second.page.waitForURL((url) => url.searchParams.get("done") === "executed"),
      form.getByRole("button", { name: "Approve" }).click(),
    ]);
    expect(await second.page.getByText("Nothing is waiting.").isVisible()).toBe(true);
    // The same approval sent again is a conflict: the money moved once.
    const again = await second.page.request.post(`${origin}${action}`, {
      form: { csrf, decision: "approve" },
    });
    expect(again.status()).toBe(409);
    expect(await again.text()).toContain("already executed");

    await page.goto(`${origin}/admin/users/${customer.id}`);
    expect(await field(page, "Balance")).toBe(formatNaira(before + SMALL_KOBO + BIG_KOBO));
    expect((await balanceOf(customer.id)).balanceKobo).toBe(before + SMALL_KOBO + BIG_KOBO);
    const approval = await tdb.db.selectFrom("admin_approvals").selectAll().executeTakeFirstOrThrow();
    expect(approval).toMatchObject({
      status: "executed",
      amount_kobo: BIG_KOBO,
      requested_by: adminIds.ada,
      decided_by: adminIds.bo,
    });
    expect((await panelFigures(tdb.db, today())).adminAdjustments).toBe(2);
  });

  it("orders: filters manual review, refunds the order from its page, downloads the CSV; signing out ends the session", async () => {
    const tab = await signIn("ada");
    const { page } = tab;
    await page.getByRole("link", { name: "Orders" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/orders");
    const listed = async () =>
      page
        .locator('a[href^="/admin/orders/ord_"]')
        .evaluateAll((links) => links.map((a) => a.textContent ?? ""));
    const all = await listed();
    expect(all).toHaveLength(5);

    // The CSV of the same (unfiltered) list.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download these as CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("tada-orders.csv");
    const csv = await readFile(await download.path(), "utf8");
    const [header, ...lines] = csv.trimEnd().split("\r\n");
    expect(header).toBe(
      "id,created_at,user_id,service,product,recipient,price_naira,cost_naira,state,provider,channel",
    );
    expect(lines.map((l) => l.split(",")[0])).toEqual(all);
    const states = Object.fromEntries(lines.map((l) => [l.split(",")[0], l.split(",")[8]]));
    expect(states[stuck.id]).toBe("manual_review");

    await page.getByLabel("State").selectOption("manual_review");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("state") === "manual_review"),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    expect(await listed()).toEqual([stuck.id]);
    expect(await page.getByRole("link", { name: "Download these as CSV" }).getAttribute("href")).toBe(
      "/admin/orders.csv?state=manual_review",
    );
    const filtered = await page.request.get(`${origin}/admin/orders.csv?state=manual_review`);
    expect(filtered.status()).toBe(200);
    expect(
      (await filtered.text())
        .trimEnd()
        .split("\r\n")
        .slice(1)
        .map((l) => l.split(",")[0]),
    ).toEqual([stuck.id]);

    await Promise.all([
      page.waitForURL((url) => url.pathname === `/admin/orders/${stuck.id}`),
      page.getByRole("link", { name: stuck.id }).click(),
    ]);
    expect(await page.locator("body").textContent()).toContain(
      `The customer's ${formatNaira(stuck.priceKobo)} is held until this order is resolved`,
    );
    expect(await page.getByRole("button", { name: "Requery now" }).isVisible()).toBe(true);
    await expectNoHorizontalOverflow(page);
    const refund = page.locator('form[action$="/refund"]');
    await refund.getByLabel("Reason").fill(REFUND_REASON);
    // A destructive action: the browser does not send it until its box is ticked (issue 21 §6).
    await refund.getByRole("button", { name: `Refund ${formatNaira(stuck.priceKobo)}` }).click();
    expect(new URL(page.url()).searchParams.get("done")).toBeNull();
    await refund.getByRole("checkbox").check();
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "refunded"),
      refund.getByRole("button", { name: `Refund ${formatNaira(stuck.priceKobo)}` }).click(),
    ]);
    expect(await page.getByText("Done: refunded to the customer.").isVisible()).toBe(true);
    expect(await page.getByText("Nothing to do: this order is failed.").isVisible()).toBe(true);
    expect(await page.locator('form[action$="/refund"]').count()).toBe(0);
    const row = await tdb.db
      .selectFrom("vtu_orders as o")
      .innerJoin("holds as h", "h.id", "o.hold_id")
      .select(["o.state", "o.settle_entry_id", "h.status as hold"])
      .where("o.id", "=", stuck.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: "failed", settle_entry_id: null, hold: "voided" });
    expect(await balanceOf(stuckOwner)).toMatchObject({ balanceKobo: 100_000, heldKobo: 0 });
    // The dashboard's manual-review tile follows.
    await page.goto(`${origin}/admin`);
    expect(await page.locator('[data-metric="manualReview"]').getAttribute("data-value")).toBe("0");

    // Sign out: the old session cookie no longer opens the panel.
    const cookie = (await tab.context.cookies()).find((c) => c.name === "tada_admin");
    expect(cookie?.value).toBeTruthy();
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/admin/login"),
      page.getByRole("button", { name: "Sign out" }).click(),
    ]);
    expect((await tab.context.cookies()).find((c) => c.name === "tada_admin")).toBeUndefined();
    const replay = await newTab();
    await replay.context.addCookies([{ ...(cookie as NonNullable<typeof cookie>) }]);
    await replay.page.goto(`${origin}/admin`);
    expect(new URL(replay.page.url()).pathname).toBe("/admin/login");
    expect(await replay.page.getByRole("heading", { name: "Admin sign in" }).isVisible()).toBe(true);
  });

  it("support cannot adjust balances (S7) nor open super-admin pages; the super admin can", async () => {
    const { page } = await signIn("sue");
    const nav = await page.locator("nav.adminnav a").allTextContents();
    expect(nav).not.toContain("Catalogue");
    expect(nav).not.toContain("Admins");
    const csrf = await csrfOf(page);
    const before = await balanceOf(customer.id);
    await page.goto(`${origin}/admin/users/${customer.id}`);
    expect(await field(page, "User id")).toBe(customer.id);
    expect(await page.locator('form[action$="/adjust"]').count()).toBe(0);
    expect(await page.locator('form[action$="/actions"]').count()).toBe(0);
    // A forged form with the support's own valid CSRF token, from the panel's origin.
    const forged = await page.request.post(`${origin}/admin/users/${customer.id}/adjust`, {
      form: { csrf, direction: "credit", amount: "100", reason: "Just because I can" },
    });
    expect(forged.status()).toBe(403);
    // Refused before anything runs, on a page that says why (not the customer page without a reason).
    expect(await forged.text()).toContain("This action needs the admin role; you are support.");
    const suspend = await page.request.post(`${origin}/admin/users/${customer.id}/actions`, {
      form: { csrf, action: "suspend", reason: "Just because I can" },
    });
    expect(suspend.status()).toBe(403);
    expect(await suspend.text()).toContain("This action needs the admin role; you are support.");
    expect(await balanceOf(customer.id)).toEqual(before);
    expect(
      (
        await tdb.db
          .selectFrom("users")
          .select("status")
          .where("id", "=", customer.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("active");
    for (const path of ["/admin/catalogue", "/admin/admins"]) {
      const res = await page.goto(`${origin}${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await page.locator("body").textContent()).toContain(
        "This page needs the super admin role; you are support.",
      );
    }
    const root = await signIn("root");
    expect(await root.page.locator("nav.adminnav a").allTextContents()).toEqual(
      expect.arrayContaining(["Catalogue", "Admins"]),
    );
    for (const path of ["/admin/catalogue", "/admin/admins"]) {
      expect((await root.page.goto(`${origin}${path}`))?.status(), path).toBe(200);
    }
  });

  it("a POST without the CSRF field is refused, with a valid session, and changes nothing", async () => {
    const { page } = await signIn("bo");
    const before = await balanceOf(customer.id);
    const { approvals } = await panelFigures(tdb.db, today());
    // From inside the page, the way a forged form on a page would send it: the cookie goes along.
    // (A form, not fetch: the panel's CSP lets its pages connect nowhere.)
    const [forged] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.evaluate(`(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/admin/users/${customer.id}/adjust";
        for (const [name, value] of Object.entries({ direction: "credit", amount: "100", reason: "No CSRF field here" })) {
          const input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain("This form did not come from the panel (CSRF check).");
    const viaRequest = await page.request.post(`${origin}/admin/orders/${stuck.id}/mark-delivered`, {
      form: { reference: "REF-123456", reason: "Provider confirmed by phone" },
    });
    expect(viaRequest.status()).toBe(403);
    expect(await balanceOf(customer.id)).toEqual(before);
    expect((await panelFigures(tdb.db, today())).approvals).toBe(approvals);
    expect(
      (
        await tdb.db
          .selectFrom("vtu_orders")
          .select("state")
          .where("id", "=", stuck.id)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe("failed");
  });

  it("every action left an audit row with its actor; the pages stayed on this origin without errors; the ledger balances", async () => {
    const rows = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "actor_type", "actor_id", "target_id", "reason"])
      .orderBy("id")
      .execute();
    const by = (action: string) => rows.filter((r) => r.action === action);
    const logins = by("admin.login").map((r) => r.actor_id);
    for (const key of ["ada", "bo", "sue", "root"] as const) {
      expect(logins, key).toContain(adminIds[key]);
    }
    expect(by("admin.logout")).toEqual([
      expect.objectContaining({ actor_type: "admin", actor_id: adminIds.ada, target_id: adminIds.ada }),
    ]);
    expect(by("wallet.adjust_requested")).toEqual([
      expect.objectContaining({
        actor_id: adminIds.ada,
        target_id: customer.id,
        reason: "Refund of a failed bank transfer",
      }),
    ]);
    const adjusts = by("wallet.adjust");
    expect(adjusts.map((r) => [r.actor_id, r.target_id])).toEqual([
      [adminIds.ada, customer.id],
      [adminIds.bo, customer.id],
    ]);
    expect(by("order.refund")).toEqual([
      expect.objectContaining({ actor_id: adminIds.ada, target_id: stuck.id, reason: REFUND_REASON }),
    ]);
    // Nothing the refused requests tried left a trace.
    expect(by("order.mark_delivered")).toEqual([]);
    expect(by("wallet.adjust_rejected")).toEqual([]);
    expect(rows.filter((r) => r.actor_id === adminIds.sue).map((r) => r.action)).toEqual(["admin.login"]);

    for (const tab of tabs) {
      expect(tab.requests.length).toBeGreaterThan(0);
      expect(tab.requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(tab.errors, tab.requests.join(" ")).toEqual([]);
      await tab.context.close();
    }
    await expectLedgerConsistent(tdb.db);
    const alerts = captured.lines.filter((line) => /"level":"(error|fatal)"/.test(line));
    expect(alerts).toEqual([]);
  });
});
