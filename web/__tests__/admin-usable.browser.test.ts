import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import {
  createAdmin,
  createAdminApiKey,
  requestBalanceAdjustment,
  setServiceMargin,
} from "../../api/services/admins";
import { raiseSlowResponse } from "../../api/services/alerts";
import { createApiKey } from "../../api/services/auth";
import type { ServiceContext } from "../../api/services/context";
import { rememberVerifiedCard } from "../../api/services/renewals";
import { getOrder, type OrderDto, requeryOrder } from "../../api/services/vtu";
import { addDays, lagosDate } from "../../api/services/vtu/due-date";
import type { AdminRole } from "../../db/database";
import { freePort } from "../../scripts/lib/free-port";
import { createHttpApp } from "../../scripts/runtime/http";
import {
  badTables,
  confirmMissing,
  DESKTOP,
  mainText,
  PHONE,
  pageWidth,
  RAW_INSTANT,
  rawGet,
  smallestAxisText,
  ticksOf,
  unnamedControls,
  watText,
} from "../../test/helpers/admin-page-checks";
import { fund, lagosDayOffset, sandboxPayments } from "../../test/helpers/analytics";
import { axeViolations, describeViolations } from "../../test/helpers/axe";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { openGiftRoom } from "../../test/helpers/gift-page";
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
 * Issue 21 §5–§9, an admin panel people can work in, in a real headless Chromium on a phone
 * (390×844) and a desktop (1280×900): Lagos times with the zone, a name on every control,
 * destructive actions that ask first, no Approve for the maker, sign-out / current page / skip link
 * in the shell, HTML 404s, people beside ids, the audit log's filters and pages, tables that fit a
 * phone, the dashboard's range and axes, gzip and a CSP — and an axe-core scan of every page with
 * no serious or critical violation.
 */

const PASSWORD = "correct-horse-battery-9";
const ADMINS = {
  root: { email: "root@tada.test", name: "Rita Root", role: "super_admin" },
  ada: { email: "ada@tada.test", name: "Ada Admin", role: "admin" },
  bo: { email: "bo@tada.test", name: "Bo Checker", role: "admin" },
  sue: { email: "sue@tada.test", name: "Sue Port", role: "support" },
} as const satisfies Record<string, { email: string; name: string; role: AdminRole }>;
type Who = keyof typeof ADMINS;
const VIEWPORTS = { phone: PHONE, desktop: DESKTOP } as const;
/** Margin changes seeded for the audit log: more than one page of 50. */
const MARGIN_CHANGES = 55;

/** The navigation's links for a super admin, as the shell labels them. */
const NAV = [
  ["/admin", "Dashboard"],
  ["/admin/users", "Customers"],
  ["/admin/orders", "Orders"],
  ["/admin/payments", "Payments"],
  ["/admin/transfers", "Transfers"],
  ["/admin/gift-rooms", "Gift rooms"],
  ["/admin/referrals", "Referrals"],
  ["/admin/points", "Points"],
  ["/admin/tiers", "Tiers"],
  ["/admin/schedules", "Schedules"],
  ["/admin/reminders", "Reminders"],
  ["/admin/callbacks", "Callbacks"],
  ["/admin/approvals", "Approvals"],
  ["/admin/alerts", "Alerts"],
  ["/admin/catalogue", "Catalogue"],
  ["/admin/admins", "Admins"],
  ["/admin/audit", "Audit log"],
  ["/admin/whatsapp", "WhatsApp"],
  ["/admin/account", "My account"],
] as const;

type Tab = { context: BrowserContext; page: Page; errors: string[]; posts: string[] };

describe.skipIf(skipBrowserSuites)("an admin panel people can work in (issue 21 §5–§9)", () => {
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let ahead = 0;
  const captured = captureLogger();
  const tabs: Tab[] = [];
  const ids = {} as Record<Who, string>;
  let chioma: { id: string; phone: string };
  let emeka: { id: string; phone: string };
  let stuck: OrderDto;
  let delivered: OrderDto;
  let fundingId: string;
  let roomId: string;
  let planId: string;

  const masked = (phone: string) => `${phone.slice(0, 4)}***${phone.slice(7)}`;

  async function open(viewport: keyof typeof VIEWPORTS): Promise<Tab> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const context = await browser.newContext({ viewport: VIEWPORTS[viewport] });
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    const tab: Tab = { context, page, errors: [], posts: [] };
    page.on("pageerror", (error) => tab.errors.push(String(error)));
    page.on("console", (message) => {
      // A 403/404 page is an expected answer, not a script or CSP error.
      if (message.type() === "error" && !/status of 40[034]/.test(message.text())) {
        tab.errors.push(message.text());
      }
    });
    page.on("request", (r) => {
      if (r.method() === "POST") {
        tab.posts.push(r.url());
      }
    });
    tabs.push(tab);
    return tab;
  }

  async function signIn(who: Who, viewport: keyof typeof VIEWPORTS): Promise<Tab> {
    const tab = await open(viewport);
    await tab.page.goto(`${origin}/admin/login`);
    await tab.page.getByLabel("Email").fill(ADMINS[who].email);
    await tab.page.getByLabel("Password").fill(PASSWORD);
    await Promise.all([
      tab.page.waitForURL((url) => url.pathname === "/admin"),
      tab.page.getByRole("button", { name: "Sign in" }).click(),
    ]);
    return tab;
  }

  async function visit(page: Page, path: string, status = 200) {
    const res = await page.goto(`${origin}${path}`);
    expect(res?.status(), path).toBe(status);
    return res;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config: Config = testConfig({
      PORT: String(port),
      PUBLIC_BASE_URL: origin,
      VTU_MANUAL_REVIEW_AFTER_MINUTES: "1",
      ADMIN_ADJUSTMENT_APPROVAL_KOBO: "1000000",
    });
    ctx = makeCtx(tdb.db, {
      config,
      logger: captured.logger,
      now: () => new Date(Date.now() + ahead * 1000),
    });
    const harness = makeVtu(ctx, sandboxRegistry(ctx, { pendingSeconds: 3600 }));
    await seedCatalogue(ctx, harness.vtu.providers);
    const payments = sandboxPayments(ctx);
    for (const [key, a] of Object.entries(ADMINS)) {
      ids[key as Who] = (await createAdmin({ ctx, input: { ...a, password: PASSWORD } })).id;
    }

    // Customers with names: one who buys and funds, one whose order waits in manual review.
    const named = async (name: string) => {
      const user = await createBuyer(ctx, 500_000);
      await ctx.db.updateTable("users").set({ display_name: name }).where("id", "=", user.id).execute();
      return { id: user.id, phone: user.phone ?? "" };
    };
    chioma = await named("Chioma Okafor");
    emeka = await named("Emeka Bello");
    delivered = await placeOrder(ctx, harness.vtu, chioma.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 20_000, pin: TEST_PIN },
    });
    await harness.drain();
    stuck = await placeOrder(ctx, harness.vtu, emeka.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone("0002"), amountKobo: 50_000, pin: TEST_PIN },
    });
    await harness.drain();
    ahead = 300;
    await requeryOrder({ ctx, vtu: harness.vtu, orderId: stuck.id });
    ahead = 0;
    expect((await getOrder({ ctx, userId: emeka.id, orderId: stuck.id })).state).toBe("manual_review");
    await fund(ctx, payments, chioma.id, 300_000);
    fundingId = (
      await ctx.db
        .selectFrom("funding_intents")
        .select("id")
        .where("user_id", "=", chioma.id)
        .executeTakeFirstOrThrow()
    ).id;
    roomId = (await openGiftRoom(ctx, { capacity: 3 })).room.id;
    planId = (await ctx.db.selectFrom("catalogue_products").select("id").executeTakeFirstOrThrow()).id;
    await createApiKey({ ctx, userId: chioma.id, input: { name: "shop till" } });
    // A cable card, so her page shows the cards table with its reminders form (DECISIONS §79).
    await rememberVerifiedCard(ctx, {
      userId: chioma.id,
      provider: "dstv",
      smartcard: "7012349999",
      customerName: "CHIOMA OKAFOR",
      bouquet: "Compact",
      renewalAmountKobo: 1_900_000,
      dueDate: addDays(lagosDate(ctx.now()), 5),
    });
    await createAdminApiKey({ ctx, admin: { id: ids.root }, input: { name: "daily report" } });
    await raiseSlowResponse(ctx, { method: "GET", route: "/api/vtu/orders", seconds: 6 });
    // Ada asks for a large credit: it waits for a second admin.
    await requestBalanceAdjustment({
      ctx,
      admin: { id: ids.ada, role: "admin" },
      userId: chioma.id,
      amountKobo: 2_500_000,
      reason: "Refund of a failed bank transfer",
      idempotencyKey: "usable-approval",
    });
    // More than a page of audit rows, each a real change with its before and after.
    for (let i = 0; i < MARGIN_CHANGES; i++) {
      await setServiceMargin({
        ctx,
        admin: { id: ids.root, role: "super_admin" },
        service: "data",
        input: { marginType: "percent", marginValue: i % 2 === 0 ? 600 : 500, reason: `Tuning ${i + 1}` },
      });
    }

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
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  /** Every page of the panel a super admin can open: the navigation's sections and the detail pages. */
  const pages = () => [
    ...NAV.map(([path]) => path),
    `/admin/users?q=Chioma`,
    `/admin/users/${chioma.id}`,
    `/admin/users/${chioma.id}/points`,
    `/admin/orders/${stuck.id}`,
    `/admin/orders/${delivered.id}`,
    `/admin/payments/${fundingId}`,
    `/admin/gift-rooms/${roomId}`,
    `/admin/catalogue/plans/${encodeURIComponent(planId)}`,
    "/admin/catalogue/providers",
    "/admin/referrals/abuse",
    "/admin/audit?action=pricing.",
  ];

  for (const viewport of ["phone", "desktop"] as const) {
    it(`every page (${viewport}): shell with skip link, sign-out and the current page; named controls; tables in their box; no raw UTC; axe finds nothing serious`, {
      timeout: 240_000,
    }, async () => {
      const { page, errors } = await signIn("root", viewport);
      const problems: string[] = [];
      for (const path of pages()) {
        await visit(page, path);
        const where = `${path} (${viewport})`;
        // Shell: sign-out, a skip link first, the section marked.
        expect(await page.locator("header").getByRole("button", { name: "Sign out" }).count(), where).toBe(1);
        const section = NAV.find(([href]) => href === new URL(`${origin}${path}`).pathname);
        if (section) {
          expect(await page.locator('nav a[aria-current="page"]').allTextContents(), where).toEqual([
            section[1],
          ]);
        } else {
          expect(await page.locator('nav a[aria-current="page"]').count(), where).toBe(0);
        }
        expect(await unnamedControls(page), where).toEqual([]);
        expect(await badTables(page), where).toEqual([]);
        expect(RAW_INSTANT.exec(await mainText(page))?.[0], where).toBeUndefined();
        if (viewport === "phone") {
          expect(await pageWidth(page), where).toBeLessThanOrEqual(PHONE.width);
        }
        const violations = await axeViolations(page);
        if (violations.length > 0) {
          problems.push(`${where}:\n${describeViolations(violations)}`);
        }
      }
      // The skip link is the first thing Tab reaches, and it moves focus to the content.
      await visit(page, `/admin/users/${chioma.id}`);
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to main content");
      await page.keyboard.press("Enter");
      expect(await page.evaluate("document.activeElement.id")).toBe("main");
      // Sign-in, signed out: named controls, no serious violation.
      const out = await open(viewport);
      await visit(out.page, "/admin/login");
      expect(await unnamedControls(out.page)).toEqual([]);
      const signInViolations = await axeViolations(out.page);
      if (signInViolations.length > 0) {
        problems.push(`/admin/login (${viewport}):\n${describeViolations(signInViolations)}`);
      }
      expect(problems.join("\n\n")).toBe("");
      expect(errors).toEqual([]);
    });
  }

  it("times are Lagos time with the zone on detail pages, alerts and the audit log (phone and desktop)", {
    timeout: 60_000,
  }, async () => {
    const order = await ctx.db
      .selectFrom("vtu_orders")
      .select("created_at")
      .where("id", "=", stuck.id)
      .executeTakeFirstOrThrow();
    const alert = await ctx.db
      .selectFrom("admin_alerts")
      .select(["first_at", "last_at"])
      .executeTakeFirstOrThrow();
    const newest = await ctx.db
      .selectFrom("audit_log")
      .select(["id", "created_at"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const room = await ctx.db
      .selectFrom("gift_rooms")
      .select(["created_at", "expires_at"])
      .where("id", "=", roomId)
      .executeTakeFirstOrThrow();
    for (const viewport of ["phone", "desktop"] as const) {
      const { page } = await signIn("sue", viewport);
      await visit(page, `/admin/orders/${stuck.id}`);
      expect(await page.locator('dt:text-is("Placed") + dd').textContent()).toBe(watText(order.created_at));
      await visit(page, "/admin/alerts");
      const text = await mainText(page);
      expect(text).toContain(`Last seen ${watText(alert.last_at)}`);
      await visit(page, "/admin/audit");
      expect(await page.locator(`tr[data-audit="${newest.id}"] td`).first().textContent()).toBe(
        watText(newest.created_at),
      );
      await visit(page, `/admin/gift-rooms/${roomId}`);
      expect(await page.locator('dt:text-is("Created") + dd').textContent()).toBe(watText(room.created_at));
      expect(await page.locator('dt:text-is("Expires") + dd').textContent()).toBe(watText(room.expires_at));
      await visit(page, `/admin/payments/${fundingId}`);
      expect(await mainText(page)).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} WAT/);
    }
  });

  it("destructive actions are styled as such and are not sent until confirmed; a confirmed one goes through", {
    timeout: 60_000,
  }, async () => {
    const { page, posts } = await signIn("root", "phone");
    const destructive: [path: string, form: string, fill: Record<string, string>][] = [
      [`/admin/users/${chioma.id}`, 'form[data-action="suspend"]', { reason: "Chargeback fraud suspected" }],
      [
        `/admin/users/${chioma.id}`,
        'form[action*="/api-keys/"][action$="/revoke"]',
        { reason: "Leaked on a forum" },
      ],
      [`/admin/orders/${stuck.id}`, 'form[action$="/refund"]', { reason: "Provider says it never arrived" }],
      [`/admin/gift-rooms/${roomId}`, 'form[action$="/close"]', { reason: "Creator asked to stop it" }],
      ["/admin/admins", `form[action="/admin/admins/${ids.bo}/status"]`, { reason: "Left the company" }],
      ["/admin/account", 'form[action^="/admin/account/api-keys/"]', {}],
    ];
    for (const [path, selector, fill] of destructive) {
      await visit(page, path);
      const form = page.locator(selector);
      expect(await form.count(), selector).toBe(1);
      const button = form.locator('button[type="submit"]');
      expect(await button.getAttribute("class"), selector).toBe("danger");
      expect(await form.getByRole("checkbox").getAttribute("required"), selector).not.toBeNull();
      for (const [name, value] of Object.entries(fill)) {
        await form.locator(`[name="${name}"]`).fill(value);
      }
      const before = posts.length;
      await button.click();
      await page.waitForTimeout(200);
      expect(posts.length, `${selector} was sent without its confirmation`).toBe(before);
      expect(await confirmMissing(page, selector), selector).toBe(true);
    }
    // Confirmed, it goes through: suspend Chioma, then reactivate (not destructive: no box).
    await visit(page, `/admin/users/${chioma.id}`);
    const suspend = page.locator('form[data-action="suspend"]');
    await suspend.getByLabel("Reason for suspending").fill("Chargeback fraud suspected");
    await suspend.getByRole("checkbox").check();
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "suspend"),
      suspend.getByRole("button", { name: "Suspend the account" }).click(),
    ]);
    const status = () =>
      ctx.db.selectFrom("users").select("status").where("id", "=", chioma.id).executeTakeFirstOrThrow();
    expect((await status()).status).toBe("suspended");
    const reactivate = page.locator('form[data-action="reactivate"]');
    expect(await reactivate.getByRole("checkbox").count()).toBe(0);
    await reactivate.getByLabel("Reason for reactivating").fill("Bank cleared the chargeback");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "reactivate"),
      reactivate.getByRole("button", { name: "Reactivate the account" }).click(),
    ]);
    expect((await status()).status).toBe("active");
    // The four reasons on a customer's page each say which action they belong to.
    const reasons = await page.locator('input[name="reason"]').evaluateAll((inputs) =>
      inputs.map((i) => {
        const label = (i as unknown as { labels: { textContent: string }[] }).labels[0];
        return label?.textContent?.trim() ?? "";
      }),
    );
    for (const label of [
      "Reason for suspending",
      "Reason for the adjustment",
      "Reason for clearing the PIN lock",
      "Reason for the level change",
      "Reason for the tier change",
      "Reason for turning reminders off for card 7012349999",
    ]) {
      expect(reasons).toContain(label);
    }
    expect(reasons).not.toContain("Reason");
  });

  it("the maker of an approval sees no Approve button; the second admin does", async () => {
    for (const viewport of ["phone", "desktop"] as const) {
      const maker = await signIn("ada", viewport);
      await visit(maker.page, "/admin/approvals");
      const row = maker.page.locator("tr[data-approval]");
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain("Refund of a failed bank transfer");
      expect(await maker.page.getByRole("button", { name: "Approve" }).count()).toBe(0);
      expect(await row.getByTestId("own-request").textContent()).toContain("a second admin decides");
      const checker = await signIn("bo", viewport);
      await visit(checker.page, "/admin/approvals");
      expect(await checker.page.getByRole("button", { name: "Approve" }).count()).toBe(1);
      expect(await checker.page.getByRole("button", { name: "Reject" }).count()).toBe(1);
    }
  });

  it("an unknown /admin path is an HTML 404 in the shell; a missing order or customer says not found", async () => {
    for (const viewport of ["phone", "desktop"] as const) {
      const { page } = await signIn("sue", viewport);
      for (const path of ["/admin/no-such-page", "/admin/orders/ord_missing0", "/admin/users/usr_missing0"]) {
        const res = await visit(page, path, 404);
        expect(res?.headers()["content-type"], path).toMatch(/^text\/html/);
        expect(await page.getByRole("heading", { level: 1 }).textContent(), path).toBe("Not found");
        expect(await mainText(page), path).toMatch(/not found/i);
        expect(await mainText(page), path).not.toContain("Not allowed");
        expect(await page.locator("nav.adminnav a").count(), path).toBeGreaterThan(5);
        expect(await page.getByRole("button", { name: "Sign out" }).count(), path).toBe(1);
        expect(await axeViolations(page), path).toEqual([]);
      }
    }
    // Signed out, the unknown path is a plain HTML 404 (no panel inside), not the API's JSON.
    const res = await fetch(`${origin}/admin/no-such-page`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await res.text()).toContain("Sign in to the panel");
  });

  it("lists show the customer's name and masked phone beside a copyable id", async () => {
    const { page } = await signIn("root", "phone");
    const check = async (path: string, who: { id: string; phone: string }, name: string) => {
      await visit(page, path);
      const cell = page.locator(`[data-person="${who.id}"]`).first();
      expect(await cell.count(), path).toBe(1);
      const text = (await cell.textContent()) ?? "";
      expect(text, path).toContain(name);
      expect(text, path).toContain(masked(who.phone));
      expect(await cell.locator("code").textContent(), path).toBe(who.id);
      expect(await mainText(page), path).not.toContain(who.phone);
    };
    await check("/admin/users?q=Chioma", chioma, "Chioma Okafor");
    await check("/admin/orders", chioma, "Chioma Okafor");
    await check("/admin/orders?state=manual_review", emeka, "Emeka Bello");
    await check("/admin/payments", chioma, "Chioma Okafor");
    await check("/admin/approvals", chioma, "Chioma Okafor");
    const creator = await ctx.db
      .selectFrom("gift_rooms as g")
      .innerJoin("users as u", "u.id", "g.creator_id")
      .select(["u.id", "u.phone"])
      .where("g.id", "=", roomId)
      .executeTakeFirstOrThrow();
    await check("/admin/gift-rooms", { id: creator.id, phone: creator.phone ?? "" }, "Ada");
    // One click on the id selects all of it, ready to copy (no script needed).
    await visit(page, "/admin/orders?state=manual_review");
    await page.locator(`[data-person="${emeka.id}"] code`).click();
    expect(await page.evaluate("String(window.getSelection())")).toBe(emeka.id);
  });

  it("the audit log filters by actor, action, target and day, pages 50 at a time, and shows changes as fields", {
    timeout: 60_000,
  }, async () => {
    const { page } = await signIn("sue", "phone");
    await visit(page, "/admin/audit");
    // The filter form, as a person fills it.
    await page.getByLabel("Action").fill("pricing.set_service_margin");
    await page.getByLabel("Who (admin email or actor id)").fill("root@");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("action") === "pricing.set_service_margin"),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    const rows = page.locator("tr[data-audit]");
    const idsOn = () => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-audit"))));
    expect(await rows.count()).toBe(50);
    expect(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action"))))).toEqual(
      new Set(["pricing.set_service_margin"]),
    );
    const first = await idsOn();
    // Changes as readable fields: before → after, no JSON.
    const change = await rows.first().getByTestId("changes").textContent();
    expect(change).toMatch(/margin value: (500|600) → (500|600)/);
    expect(change).not.toContain("{");
    expect(await rows.first().textContent()).toContain(`Tuning ${MARGIN_CHANGES}`);
    // The next page: the rest, older, with the filters kept.
    await Promise.all([
      page.waitForURL((url) => url.searchParams.has("before")),
      page.getByRole("link", { name: "Older →" }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get("actor")).toBe("root@");
    const second = await idsOn();
    expect(second).toHaveLength(MARGIN_CHANGES - 50);
    expect(Math.max(...second)).toBeLessThan(Math.min(...first));
    expect(await page.getByRole("link", { name: "Older →" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "← Newest" }).count()).toBe(1);
    // Target and days.
    await visit(page, "/admin/audit?target=pricing_rule:data");
    expect(await rows.count()).toBe(50);
    await visit(page, `/admin/audit?target=${chioma.id}`);
    expect(await rows.count()).toBeGreaterThan(0);
    expect(new Set(await rows.locator("td:nth-child(4)").allTextContents())).toEqual(
      new Set([`user:${chioma.id}`]),
    );
    await visit(page, `/admin/audit?from=${lagosDayOffset(0)}&to=${lagosDayOffset(0)}&action=pricing.`);
    expect(await rows.count()).toBe(50);
    await visit(page, `/admin/audit?from=${lagosDayOffset(1)}`);
    expect(await page.getByTestId("no-audit").isVisible()).toBe(true);
    // A wrong filter says what to change.
    await visit(page, "/admin/audit?from=yesterday", 400);
    expect(await mainText(page)).toContain("from");
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
  });

  it("dashboard: From and To on one line, readable axis text, whole-number ticks for counts (phone and desktop)", async () => {
    for (const viewport of ["phone", "desktop"] as const) {
      const { page } = await signIn("sue", viewport);
      await visit(page, "/admin?preset=90");
      const from = await page.getByLabel("From", { exact: true }).boundingBox();
      const to = await page.getByLabel("To", { exact: true }).boundingBox();
      expect(from && to, viewport).toBeTruthy();
      if (from && to) {
        expect(Math.abs(from.y - to.y), viewport).toBeLessThan(2);
        expect(to.x, viewport).toBeGreaterThan(from.x + from.width - 1);
        expect(to.x + to.width, viewport).toBeLessThanOrEqual(VIEWPORTS[viewport].width);
      }
      expect(await smallestAxisText(page), viewport).toBeGreaterThanOrEqual(10);
      for (const chart of ["orders-by-service", "users", "gifts", "provider-share", "failover"]) {
        const ticks = await ticksOf(page, chart);
        expect(ticks.length, chart).toBeGreaterThanOrEqual(2);
        expect(ticks.every(Number.isInteger), `${chart}: ${ticks}`).toBe(true);
      }
      for (const chart of ["volume-by-service", "funding-spend"]) {
        const ticks = await ticksOf(page, chart);
        expect(
          ticks.every((t) => t % 100 === 0),
          `${chart}: ${ticks}`,
        ).toBe(true);
      }
      expect(await pageWidth(page)).toBeLessThanOrEqual(VIEWPORTS[viewport].width);
    }
  });

  it("admin pages are compressed for a browser that accepts gzip and carry the panel's CSP", async () => {
    const { context } = await signIn("sue", "desktop");
    const cookie = (await context.cookies())
      .filter((c) => c.name === "tada_admin")
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
    const url = `${origin}/admin?preset=90`;
    const plain = await rawGet(url, { cookie, "accept-encoding": "identity" });
    const gzip = await rawGet(url, { cookie, "accept-encoding": "gzip, deflate, br" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.headers.vary).toMatch(/Accept-Encoding/i);
    expect(gzip.bytes * 4, `${gzip.bytes} B gzipped of ${plain.bytes} B`).toBeLessThan(plain.bytes);
    for (const path of ["/admin?preset=90", "/admin/login", "/admin/no-such-page", "/admin/audit"]) {
      const res = await rawGet(`${origin}${path}`, { cookie, "accept-encoding": "gzip" });
      const csp = String(res.headers["content-security-policy"] ?? "");
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("form-action 'self'");
    }
  });

  it("no page logged a script or CSP error; nothing logged an error; the ledger balances", async () => {
    for (const tab of tabs) {
      expect(tab.errors).toEqual([]);
      await tab.context.close();
    }
    expect(captured.lines.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });
});
