import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import { createAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import {
  createDynamicAccount,
  createFundingIntent,
  createKycLink,
  type PaymentsRuntime,
} from "../../api/services/funding";
import { createProviderRegistry } from "../../api/services/vtu";
import { getWalletBalance } from "../../api/services/wallet";
import { freePort } from "../../scripts/lib/free-port";
import { createHttpApp } from "../../scripts/runtime/http";
import { sandboxPayments } from "../../test/helpers/analytics";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  signInToAdminPanel,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * Bank-transfer funding (issue 17) in a real headless Chromium against the real app over HTTP with
 * the sandbox gateway: the one-time KYC page on a phone (a wrong BVN marks the field and keeps the
 * link; the right one shows the account, copyable; the BVN in no page and no log line; the link is
 * then spent), the sandbox bank page paying ₦5,000 into that account (credited once, though the
 * webhook comes three times), and the admin panel deciding transfers held in suspense.
 */
const MOBILE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
const BVN = "22212345678";
const CHAT_URL = "https://t.me/TadaVtuBot";
const PASSWORD = "correct-horse-battery-9";

type Tab = { context: BrowserContext; page: Page; requests: string[]; errors: string[] };

describe.skipIf(skipBrowserSuites)("bank-transfer pages in Chromium", () => {
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let payments: PaymentsRuntime;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  const captured = captureLogger();
  const tabs: Tab[] = [];
  /** The customer who gives a BVN on the KYC page, and the account number they get. */
  let kycUserId = "";
  let accountNumber = "";

  /** A fresh window that records every URL it asks for and every script or console error (CSP included). */
  async function newTab(viewport: typeof MOBILE, options: { clipboard?: boolean } = {}): Promise<Tab> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const mobile = viewport === MOBILE;
    const context = await browser.newContext({
      viewport,
      ...(mobile ? { isMobile: true, hasTouch: true } : {}),
      ...(options.clipboard ? { permissions: ["clipboard-read", "clipboard-write"] } : {}),
    });
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    const tab: Tab = { context, page, requests: [], errors: [] };
    page.on("request", (request) => tab.requests.push(request.url()));
    page.on("pageerror", (error) => tab.errors.push(String(error)));
    page.on("console", (message) => {
      // Answers with a 4xx status (a refused form, a spent link) are expected here, not errors.
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) {
        tab.errors.push(message.text());
      }
    });
    tabs.push(tab);
    return tab;
  }

  async function expectNoHorizontalOverflow(page: Page, width: number): Promise<void> {
    // A string, evaluated in the page: this project compiles without the DOM types.
    const scroll = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(scroll, `the page is ${scroll}px wide on a ${width}px screen`).toBeLessThanOrEqual(width);
  }

  const balanceOf = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config: Config = testConfig({
      PORT: String(port),
      PUBLIC_BASE_URL: origin,
      CHAT_RETURN_URL: CHAT_URL,
    });
    ctx = makeCtx(tdb.db, { config, logger: captured.logger });
    // The sandbox gateway; the webhook's job runs at once, so a page answers after the credit.
    payments = sandboxPayments(ctx);
    await createAdmin({
      ctx,
      input: { email: "ada@tada.test", name: "Ada Admin", password: PASSWORD, role: "admin" },
    });
    const app = createHttpApp({
      db: tdb.db,
      config,
      logger: captured.logger,
      vtu: { providers: createProviderRegistry([]), dispatch: async () => {} },
      payments,
      jobs: { kind: "postgres", check: async () => {} },
    });
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const tab of tabs) {
      await tab.context.close();
    }
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  it("KYC page: a wrong BVN marks the field and keeps the link; the right one shows the account, copyable; then the link is gone", async () => {
    const user = await createTestUser(tdb.db);
    kycUserId = user.id;
    const link = await createKycLink({ ctx, userId: user.id, channel: "telegram", userRef: "tg-7001" });
    const tab = await newTab(MOBILE, { clipboard: true });
    const { page } = tab;

    const opened = await page.goto(link.url);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()["cache-control"]).toBe("no-store");
    expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
    expect(opened?.headers()["content-security-policy"]).toContain("default-src 'none'");
    const bvn = page.getByLabel("BVN (Bank Verification Number)");
    expect(await bvn.getAttribute("inputmode")).toBe("numeric");
    expect(await bvn.getAttribute("autocomplete")).toBe("off");
    expect(await page.getByText("Dial *565*0# to see your BVN").isVisible()).toBe(true);
    expect(await bvn.getAttribute("aria-describedby")).toBe("bvn-hint");
    await expectNoHorizontalOverflow(page, MOBILE.width);

    // Ten digits: the service refuses it, the page marks the field, focuses it, and drops the BVN.
    const typed = "2221234567";
    await bvn.fill(typed);
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name (surname)").fill("Okafor");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Get my account number" }).click(),
    ]);
    expect(refused.status()).toBe(400);
    await page.locator("#bvn-error").waitFor();
    expect(await bvn.getAttribute("aria-invalid")).toBe("true");
    expect(await bvn.getAttribute("aria-describedby")).toBe("bvn-hint bvn-error");
    expect(await page.locator("#bvn-error").textContent()).toContain("A BVN is 11 digits");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("bvn");
    expect(await bvn.inputValue()).toBe("");
    expect(await page.getByLabel("Last name (surname)").inputValue()).toBe("Okafor");
    expect(await page.content()).not.toContain(typed);
    expect(new URL(page.url()).pathname).toBe(new URL(link.url).pathname);

    // The link still works: the right BVN (typed with spaces, as on a card) opens the account.
    await bvn.fill("222 1234 5678");
    const [issued] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Get my account number" }).click(),
    ]);
    expect(issued.status()).toBe(200);
    await page.waitForLoadState();
    accountNumber = ((await page.getByTestId("account-number").textContent()) ?? "").trim();
    expect(accountNumber).toMatch(/^\d{10}$/);
    expect(await page.getByTestId("bank").textContent()).toBe("TADA Sandbox Bank");
    expect(await page.getByTestId("account-name").textContent()).toContain("TADA VTU");
    expect(await page.getByTestId("bvn").textContent()).toBe("•••••••• 678");
    expect(await page.getByRole("link", { name: "Go back to the chat" }).getAttribute("href")).toBe(CHAT_URL);
    await expectNoHorizontalOverflow(page, MOBILE.width);
    // The copy button is there once its script ran (the CSP allows exactly that script).
    const copy = page.getByRole("button", { name: "Copy account number" });
    expect(await copy.isVisible()).toBe(true);
    await copy.click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe(`Copied ${accountNumber}`);
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(accountNumber);
    const html = await page.content();
    expect(html).not.toContain(BVN);
    expect(html).not.toContain("222 1234 5678");

    // Spent: opening it again, or posting it again, says so.
    const again = await page.goto(link.url);
    expect(again?.status()).toBe(410);
    expect(await page.locator("h1").textContent()).toContain("expired or was already used");
    const replay = await page.request.post(link.url, {
      form: { bvn: BVN, first_name: "Ada", last_name: "Okafor" },
    });
    expect(replay.status()).toBe(410);

    const account = await tdb.db
      .selectFrom("virtual_accounts")
      .select(["status", "account_number"])
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ status: "active", account_number: accountNumber });
    // The BVN is in no log line, no chat message, and stored only encrypted.
    expect(captured.text()).not.toContain(BVN);
    expect(captured.text()).toContain("/kyc/[REDACTED]");
    expect(JSON.stringify(await tdb.db.selectFrom("chat_outbox").selectAll().execute())).not.toContain(BVN);
    expect(JSON.stringify(await tdb.db.selectFrom("user_kyc").selectAll().execute())).not.toContain(BVN);
  });

  it("sandbox bank: ₦5,000 sent to the issued account (webhook three times) is credited once; the checkout page points to it", async () => {
    expect(accountNumber).not.toBe("");
    const before = await balanceOf(kycUserId);
    const { page } = await newTab(MOBILE);

    // The card checkout offers the other way, and in the sandbox links the bank.
    const intent = await createFundingIntent({
      ctx,
      payments,
      userId: kycUserId,
      channel: "telegram",
      input: { amountKobo: 100_000 },
    });
    expect(intent.checkoutUrl).toBeTruthy();
    await page.goto(intent.checkoutUrl ?? "");
    expect(await page.getByTestId("pay-by-transfer").textContent()).toContain(
      "Prefer a bank transfer? Ask the bot for your account number.",
    );
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/sandbox/bank"),
      page.getByRole("link", { name: "sandbox bank" }).click(),
    ]);
    expect(await page.locator("body").textContent()).toContain("SANDBOX");
    const row = page.locator(`tr[data-account="${accountNumber}"]`);
    expect(await row.textContent()).toContain("TADA Sandbox Bank");
    expect(await row.textContent()).toContain("active");
    await expectNoHorizontalOverflow(page, MOBILE.width);

    // Picking the number from the list fills the form.
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("account") === accountNumber),
      row.getByRole("link", { name: accountNumber }).click(),
    ]);
    expect(await page.getByLabel("Account number").inputValue()).toBe(accountNumber);
    await page.getByLabel("Amount in naira").fill("5,000");
    await page.getByLabel("Sender name").fill("Chidi Obi");
    await page.getByLabel("the same webhook three times at once").check();
    const [sent] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Send the transfer" }).click(),
    ]);
    expect(sent.status()).toBe(200);
    await page.waitForLoadState();
    const said = (await page.getByTestId("sandbox-sent").textContent()) ?? "";
    expect(said).toContain(`Sent ₦5,000 from Chidi Obi to ${accountNumber}`);
    expect(said).toContain("delivered 3 times at once");
    await expectNoHorizontalOverflow(page, MOBILE.width);

    expect(await balanceOf(kycUserId)).toBe(before + 500_000);
    const transfers = await tdb.db
      .selectFrom("bank_transfers")
      .select(["status", "paid_kobo", "credit_kobo", "payer_name"])
      .where("user_id", "=", kycUserId)
      .execute();
    expect(transfers).toEqual([
      { status: "credited", paid_kobo: 500_000, credit_kobo: 500_000, payer_name: "Chidi Obi" },
    ]);

    // Words, not a stack: an amount that is not naira.
    await page.getByLabel("Amount in naira").fill("5.555");
    const [wrong] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Send the transfer" }).click(),
    ]);
    expect(wrong.status()).toBe(400);
    await page.waitForLoadState();
    expect(await page.getByTestId("sandbox-error").textContent()).toContain(
      '"5.555" is not an amount in naira',
    );
    expect(await balanceOf(kycUserId)).toBe(before + 500_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("admin: the Transfers page credits one held transfer to its customer and returns another, each confirmed; the customer page shows level, BVN and account", async () => {
    // Two one-time accounts for ₦1,000, each paid ₦1,234 on the sandbox bank page: both held.
    const owners = [await createTestUser(tdb.db), await createTestUser(tdb.db)];
    const numbers: string[] = [];
    const bank = await newTab(MOBILE);
    for (const [i, owner] of owners.entries()) {
      const dynamic = await createDynamicAccount({
        ctx,
        payments,
        userId: owner.id,
        channel: "telegram",
        amountKobo: 100_000,
      });
      numbers.push(dynamic.accountNumber ?? "");
      await bank.page.goto(`${origin}/sandbox/bank?account=${dynamic.accountNumber}`);
      await bank.page.getByLabel("Amount in naira").fill("1234");
      await bank.page.getByLabel("Sender name").fill(`Payer ${i + 1}`);
      await Promise.all([
        bank.page.waitForResponse((r) => r.request().method() === "POST"),
        bank.page.getByRole("button", { name: "Send the transfer" }).click(),
      ]);
      await bank.page.waitForLoadState();
      expect(await bank.page.getByTestId("sandbox-sent").textContent()).toContain("delivered once");
    }
    const held = await tdb.db
      .selectFrom("bank_transfers")
      .select(["id", "user_id", "status", "suspense_reason"])
      .where("status", "=", "suspense")
      .orderBy("received_at")
      .execute();
    expect(held.map((t) => [t.user_id, t.suspense_reason])).toEqual([
      [owners[0]?.id, "wrong_amount"],
      [owners[1]?.id, "wrong_amount"],
    ]);

    const tab = await newTab(DESKTOP);
    const { page } = tab;
    await signInToAdminPanel(page, origin, { email: "ada@tada.test", password: PASSWORD });
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/admin/transfers"),
      page.getByRole("link", { name: "Transfers", exact: true }).click(),
    ]);
    // In suspense by default: both, with the reason in words, amount, payer, number and owner.
    expect(await page.locator("tr[data-transfer]").count()).toBe(2);
    for (const [i, t] of held.entries()) {
      const row = page.locator(`tr[data-transfer="${t.id}"]`);
      const text = (await row.textContent()) ?? "";
      expect(text).toContain("₦1,234");
      expect(text).toContain(`Payer ${i + 1}`);
      expect(text).toContain(numbers[i]);
      expect(text).toContain("Held: not the amount this one-time account number was for");
      // The customer by name and masked phone, beside their id (issue 21 §8).
      const person = row.locator(`[data-person="${t.user_id}"]`);
      expect(await person.getByRole("link").getAttribute("href")).toBe(`/admin/users/${t.user_id}`);
      expect(await person.locator("code").textContent()).toBe(t.user_id);
    }
    await expectNoHorizontalOverflow(page, DESKTOP.width);

    // Credit the first: without the ticked confirmation the browser does not send it.
    const first = page.locator(`tr[data-transfer="${held[0]?.id}"]`);
    await first.getByText("Decide").click();
    const credit = first.locator('form[action$="/credit"]');
    expect(await credit.getByRole("button", { name: "Credit to customer" }).getAttribute("class")).toBe(
      "danger",
    );
    await credit.getByLabel("Reason").fill("Payer called: meant for this customer");
    let posted = 0;
    page.on("request", (r) => {
      if (r.method() === "POST") {
        posted++;
      }
    });
    await credit.getByRole("button", { name: "Credit to customer" }).click();
    expect(posted).toBe(0);
    expect(
      await page.evaluate(
        `document.querySelector('form[action="/admin/transfers/${held[0]?.id}/credit"] input[name="confirm"]').validity.valueMissing`,
      ),
    ).toBe(true);
    expect(await balanceOf(owners[0]?.id ?? "")).toBe(0);
    await credit.getByRole("checkbox").check();
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "credit"),
      credit.getByRole("button", { name: "Credit to customer" }).click(),
    ]);
    expect(await page.locator("p.badge.ok").textContent()).toContain(
      "Done: credited to the customer's wallet",
    );
    expect(await balanceOf(owners[0]?.id ?? "")).toBe(123_400);

    // Return the second (the list now shows all; it is still in suspense).
    const second = page.locator(`tr[data-transfer="${held[1]?.id}"]`);
    await second.getByText("Decide").click();
    const giveBack = second.locator('form[action$="/return"]');
    await giveBack.getByLabel("Reason").fill("Refunded on the gateway dashboard");
    await giveBack.getByRole("checkbox").check();
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("done") === "return"),
      giveBack.getByRole("button", { name: "Return to payer" }).click(),
    ]);
    expect(await page.locator("p.badge.ok").textContent()).toContain("returned to the payer");
    expect(await balanceOf(owners[1]?.id ?? "")).toBe(0);
    expect(await page.locator(`tr[data-transfer="${held[1]?.id}"]`).textContent()).toContain(
      "Refunded on the gateway dashboard",
    );

    // Nothing waits any more.
    await page.getByLabel("Show").selectOption("suspense");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("status") === "suspense"),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    expect(await page.getByTestId("no-transfers").textContent()).toContain("Nothing is waiting");

    // The KYC customer's page: level by name and number, the masked BVN, the account number.
    await page.goto(`${origin}/admin/users/${kycUserId}`);
    const field = (label: string) => page.locator(`dt:text-is("${label}") + dd`).textContent();
    expect(await field("Verification level")).toBe("verified (level 1)");
    expect(await field("BVN")).toBe("•••••••• 678");
    expect(await field("Account number")).toBe(`TADA Sandbox Bank ${accountNumber} (active)`);
    const levels = await page.locator('select[name="level"] option').allTextContents();
    expect(levels).toEqual(["basic (0)", "verified (1)", "premium (2)", "business (3)"]);
    expect(await page.locator('select[name="level"]').inputValue()).toBe("1");
    expect(await page.content()).not.toContain(BVN);

    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "target_id", "reason"])
      .where("action", "like", "transfer.%")
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      { action: "transfer.credit", target_id: held[0]?.id, reason: "Payer called: meant for this customer" },
      { action: "transfer.return", target_id: held[1]?.id, reason: "Refunded on the gateway dashboard" },
    ]);
    await expectLedgerConsistent(tdb.db);
  });

  it("every page stayed on this origin, ran no blocked or broken script, and logged no BVN", () => {
    for (const tab of tabs) {
      expect(tab.requests.length).toBeGreaterThan(0);
      expect(tab.requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(tab.errors, tab.requests.join(" ")).toEqual([]);
    }
    expect(captured.text()).not.toContain(BVN);
  });
});
