import { randomInt } from "node:crypto";
import type { serve } from "@hono/node-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import type { ServiceContext } from "../../api/services/context";
import {
  createFundingIntent,
  createKycLink,
  type PaymentsRuntime,
  submitKyc,
} from "../../api/services/funding";
import { createPinLink } from "../../api/services/pin-links";
import { createScheduleLink } from "../../api/services/schedule-links";
import { createSchedule } from "../../api/services/schedules";
import { freePort } from "../../scripts/lib/free-port";
import { sandboxPayments } from "../../test/helpers/analytics";
import { type AxeViolation, axeViolations, describeViolations } from "../../test/helpers/axe";
import {
  closeBrowserServer,
  launchBrowser,
  PHONE_AND_DESKTOP,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { openClosedGiftRoom, openExpiredGiftRoom, openGiftRoom } from "../../test/helpers/gift-page";
import { makeTestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * Every page a customer, a gift recipient or a visitor can open (issue 21: "an axe-core
 * accessibility scan of every page with 0 serious violations"), in each state it has, in a real
 * headless Chromium on a small phone (360×640) and a desktop (1280×800): no critical, serious or
 * moderate axe violation, and the structure a screen reader moves by — one `main` landmark, exactly
 * one `h1`, and nothing outside a landmark. The admin panel and the API docs have their own scans
 * (admin-usable, docs). A failure names the page and the state.
 */
const VIEWPORTS = PHONE_AND_DESKTOP;

const IMPACTS = ["critical", "serious", "moderate"] as const;
const BOT = "TadaVtuTestBot";
const QUIZ = { question: "Which city is the capital of Nigeria?", answers: ["Abuja"] };
/** A BVN no other customer has given (the sandbox bank refuses one ending 000). */
const newBvn = () => `2${String(randomInt(1_000_000_000)).padStart(9, "0")}1`;

describe.skipIf(skipBrowserSuites)("every customer and public page passes the accessibility scan", () => {
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let payments: PaymentsRuntime;
  let harness: ReturnType<typeof makeVtu>;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    tdb = await createTestDatabase({ poolSize: 10 });
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config: Config = testConfig({
      PORT: String(port),
      PUBLIC_BASE_URL: origin,
      TELEGRAM_BOT_USERNAME: BOT,
      // Every page of the browser comes from 127.0.0.1: the per-IP claim limit is lifted.
      GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000",
      SANDBOX_PENDING_SECONDS: "0",
    });
    ctx = makeCtx(tdb.db, { config });
    harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    payments = sandboxPayments(ctx);
    const { app } = makeTestApp(tdb.db, { config, vtu: harness.vtu, payments });
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  describe.each(VIEWPORTS)("$name", ({ viewport, mobile }) => {
    /** A fresh browser (its own cookies, so its own gift device) and the problems found in it. */
    async function open() {
      if (!browser) {
        throw new Error("the browser did not start");
      }
      const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile });
      // A missing button or a page that never comes fails in seconds, saying which.
      context.setDefaultTimeout(8_000);
      const page = await context.newPage();
      const problems: string[] = [];

      /** Scan the page as it is now; every problem is kept under the state's name. */
      async function scan(state: string): Promise<void> {
        const violations: AxeViolation[] = await axeViolations(page, { impacts: IMPACTS });
        const structure = (await page.evaluate(
          `({ h1: document.querySelectorAll("h1").length, main: document.querySelectorAll("main, [role=main]").length })`,
        )) as { h1: number; main: number };
        const found = [
          ...(violations.length > 0 ? [describeViolations(violations)] : []),
          ...(structure.h1 === 1 ? [] : [`${structure.h1} h1 headings (one expected)`]),
          ...(structure.main === 1 ? [] : [`${structure.main} main landmarks (one expected)`]),
        ];
        if (found.length > 0) {
          problems.push(`${state} — ${new URL(page.url()).pathname}\n${found.join("\n")}`);
        }
      }

      /** Open `path`, expect its status, scan it. */
      async function visit(state: string, path: string, status: number): Promise<void> {
        const response = await page.goto(path.startsWith("http") ? path : `${origin}${path}`);
        expect(response?.status(), state).toBe(status);
        expect(response?.headers()["content-type"], state).toMatch(/^text\/html/);
        await scan(state);
      }

      /**
       * Click a submit button, wait for the page it leads to (after a redirect, the page redirected
       * to), expect that page's status, scan it.
       */
      async function submit(state: string, button: string, status: number): Promise<void> {
        const [response] = await Promise.all([
          page.waitForResponse(
            (r) =>
              r.request().isNavigationRequest() &&
              r.request().frame() === page.mainFrame() &&
              (r.status() < 300 || r.status() >= 400),
          ),
          page.getByRole("button", { name: button, exact: true }).click(),
        ]);
        expect(response.status(), state).toBe(status);
        await page.waitForLoadState();
        await scan(state);
      }

      /** Every problem, with the page and state it was found on. */
      const expectNoProblems = () => expect(problems.join("\n\n")).toBe("");
      return { page, scan, visit, submit, expectNoProblems, close: () => context.close() };
    }

    it("home page, refused request, sandbox bank", async () => {
      const { page, visit, submit, expectNoProblems, close } = await open();
      await visit("home", "/", 200);
      // The front door leads to the bot first and to the API reference for resellers.
      expect(await page.getByTestId("start-telegram").getAttribute("href")).toBe(`https://t.me/${BOT}`);
      expect(await page.getByRole("link", { name: "The API reference" }).getAttribute("href")).toBe("/docs");
      await visit("refused request (a NUL in the query)", "/fund/callback?tx_ref=%00", 400);
      await visit("unknown page", "/fund/nothing-here", 404);
      expect(await page.locator("h1").textContent()).toBe("Page not found");

      await visit("sandbox bank", "/sandbox/bank", 200);
      await page.getByLabel("Account number").fill("12");
      await page.getByLabel("Amount in naira").fill("5000");
      await submit("sandbox bank, refused form", "Send the transfer", 400);

      const user = await createTestUser(tdb.db);
      const link = await createKycLink({
        ctx,
        userId: user.id,
        channel: "telegram",
        userRef: `tg-${user.id}`,
      });
      const issued = await submitKyc({
        ctx,
        payments,
        token: new URL(link.url).pathname.split("/").pop() ?? "",
        form: { bvn: newBvn(), firstName: "Ada", lastName: "Okafor" },
      });
      expect(issued.outcome).toBe("issued");
      const account = issued.outcome === "issued" ? issued.account.accountNumber : "";
      await visit("sandbox bank, account picked", `/sandbox/bank?account=${account}`, 200);
      await page.getByLabel("Amount in naira").fill("5,000");
      await submit("sandbox bank, transfer sent", "Send the transfer", 200);
      expect(await page.getByTestId("sandbox-sent").count()).toBe(1);
      await close();
      expectNoProblems();
    });

    it("funding: checkout, declined, paid, paid again, unknown and missing references", async () => {
      const { page, visit, submit, expectNoProblems, close } = await open();
      const user = await createTestUser(tdb.db);
      const intent = await createFundingIntent({
        ctx,
        payments,
        userId: user.id,
        channel: "telegram",
        input: { amountKobo: 250_000 },
      });
      const checkout = intent.checkoutUrl ?? "";
      await visit("funding result, not paid yet", `/fund/callback?tx_ref=${intent.txRef}`, 200);
      await visit("sandbox checkout", checkout, 200);
      await submit("funding result, payment failed", "Fail the payment", 200);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment failed");
      await visit("sandbox checkout after a declined attempt", checkout, 200);
      expect(await page.getByTestId("last-attempt-failed").count()).toBe(1);
      await submit("funding result, payment received", "Pay ₦2,500", 200);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
      await visit("sandbox checkout, already paid", checkout, 200);
      await visit("funding result, unknown reference", "/fund/callback?tx_ref=TADA-nothing-here", 200);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment not found");
      await visit("funding result, no reference", "/fund/callback", 200);
      await visit("sandbox checkout, unknown reference", "/fund/sandbox/TADA-nothing-here", 404);
      await close();
      expectNoProblems();
    });

    it("gift pages: every room state, the form refused, claimed, refused, the status page, the draw", async () => {
      const { page, visit, submit, expectNoProblems, close } = await open();
      const simple = await openGiftRoom(ctx, { capacity: 3 });
      const quiz = await openGiftRoom(ctx, { capacity: 2, mode: "quiz", quiz: QUIZ });
      const drawAt = new Date(Date.now() + 3_600_000).toISOString();
      const draw = await openGiftRoom(ctx, { capacity: 2, mode: "random_draw", drawAt });
      const full = await openGiftRoom(ctx, { capacity: 1 });
      const closed = await openClosedGiftRoom(ctx);
      const expired = await openExpiredGiftRoom(ctx);

      await visit("gift room, open (quiz)", `/gift/${quiz.room.token}`, 200);
      await page.getByLabel("Your phone number").fill("12345");
      await page.getByLabel(QUIZ.question).fill("Abuja");
      await submit("gift room, number refused", "Claim my gift", 422);

      await visit("gift room, open (first come)", `/gift/${simple.room.token}`, 200);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      await submit("gift claimed", "Claim my gift", 200);
      await page.getByRole("link", { name: "Check status" }).click();
      await page.waitForLoadState();
      await visit("gift status page", page.url(), 200);
      await visit("gift status page, unknown order", `/gift/${simple.room.token}/status/ord_nothing`, 404);
      await visit("gift room, open again", `/gift/${simple.room.token}`, 200);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      await submit("gift refused (already claimed)", "Claim my gift", 409);

      await visit("gift room, open (draw)", `/gift/${draw.room.token}`, 200);
      const phone = sandboxPhone();
      await page.getByLabel("Your phone number").fill(phone);
      await submit("gift draw joined", "Join the draw", 200);
      await visit("gift room, open (draw) again", `/gift/${draw.room.token}`, 200);
      await page.getByLabel("Number you joined with").fill(phone);
      await submit("gift draw result, not drawn yet", "Check my draw result", 200);

      await visit("gift room, claimed by the one before", `/gift/${full.room.token}`, 200);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      await submit("gift claimed (the room is now full)", "Claim my gift", 200);
      await visit("gift room, full", `/gift/${full.room.token}`, 200);
      await visit("gift room, closed", `/gift/${closed.room.token}`, 200);
      await visit("gift room, expired", `/gift/${expired.room.token}`, 200);
      await visit("gift room, unknown link", `/gift/${"x".repeat(32)}`, 404);

      await visit("gift room, open (quiz) again", `/gift/${quiz.room.token}`, 200);
      await page.evaluate(`document.querySelector('input[name="csrf"]').value = "forged"`);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      await page.getByLabel(QUIZ.question).fill("Abuja");
      await submit("gift form not from this browser", "Claim my gift", 403);
      await close();
      expectNoProblems();
      await harness.drain();
      await expectLedgerConsistent(tdb.db);
    });

    it("KYC page: the form, a refused field, issued, pending, refused, duplicate, spent", async () => {
      const { page, visit, submit, expectNoProblems, close } = await open();
      const kycLink = async (userId: string) =>
        (await createKycLink({ ctx, userId, channel: "telegram", userRef: `tg-${userId}` })).url;
      const fill = async (bvn: string) => {
        await page.getByLabel("BVN (Bank Verification Number)").fill(bvn);
        await page.getByLabel("First name").fill("Ada");
        await page.getByLabel("Last name (surname)").fill("Okafor");
      };
      const ada = await createTestUser(tdb.db);
      const bvn = newBvn();
      const link = await kycLink(ada.id);
      await visit("KYC form", link, 200);
      await fill("2221234567");
      await submit("KYC form, BVN refused", "Get my account number", 400);
      await fill(bvn);
      await submit("KYC done, account number issued", "Get my account number", 200);
      expect(await page.getByTestId("account-number").count()).toBe(1);
      await visit("KYC link spent", link, 410);
      await visit("KYC link unknown", `/kyc/kyc_${"x".repeat(30)}`, 410);

      // A second link that finds the BVN given and the bank not done yet. The sandbox bank answers at
      // once, so that state is set in the database: no new link while one is asked, then "asked".
      const account = (status: "requested" | "refused") =>
        tdb.db.updateTable("virtual_accounts").set({ status }).where("user_id", "=", ada.id).execute();
      await account("refused");
      const second = await kycLink(ada.id);
      await account("requested");
      await visit("KYC form (a second link)", second, 200);
      await fill(bvn);
      await submit("KYC pending", "Get my account number", 200);

      const bayo = await createTestUser(tdb.db);
      await visit("KYC form (another customer)", await kycLink(bayo.id), 200);
      await fill(bvn);
      await submit("KYC refused, BVN already in use", "Get my account number", 409);
      await visit("KYC form (a BVN the bank refuses)", await kycLink(bayo.id), 200);
      await fill(`${newBvn().slice(0, 8)}000`);
      await submit("KYC refused by the bank", "Get my account number", 422);
      await visit("KYC form (a customer suspended since)", await kycLink(bayo.id), 200);
      await tdb.db.updateTable("users").set({ status: "suspended" }).where("id", "=", bayo.id).execute();
      await fill(newBvn());
      await submit("KYC not allowed", "Get my account number", 403);
      await close();
      expectNoProblems();
    });

    it("PIN page, referral page, schedules page: each state", async () => {
      const { page, visit, submit, expectNoProblems, close } = await open();
      const buyer = await createBuyer(ctx, 500_000);
      const pinLink = (purpose: "set_pin" | "change_pin") =>
        createPinLink({
          ctx,
          channel: "telegram",
          userRef: buyer.id,
          userId: buyer.id,
          confirmId: `c-${purpose}`,
          purpose,
          title: purpose === "set_pin" ? "Choose your PIN" : "Change your PIN",
        });
      await visit("PIN form, change", (await pinLink("change_pin")).url, 200);
      const choose = await pinLink("set_pin");
      await visit("PIN form, choose", choose.url, 200);
      await page.getByLabel("New PIN (4 to 6 digits)").fill("4826");
      await submit("PIN done", "Save PIN", 200);
      expect(await page.getByTestId("pin-outcome").count()).toBe(1);
      await visit("PIN link spent", choose.url, 410);

      await visit("referral page", `/r/${buyer.referral_code}`, 200);
      await visit("referral page, unknown code", "/r/NOSUCHCODE", 404);

      const empty = await createTestUser(tdb.db);
      await visit("schedules page, none yet", (await createScheduleLink({ ctx, userId: empty.id })).url, 200);
      await createSchedule({
        ctx,
        vtu: harness.vtu,
        userId: buyer.id,
        input: {
          service: "airtime",
          recipient: sandboxPhone(),
          network: "mtn",
          amountKobo: 20_000,
          recurrence: { kind: "monthly", day: 1 },
          pin: TEST_PIN,
        },
      });
      const schedules = (await createScheduleLink({ ctx, userId: buyer.id })).url;
      await visit("schedules page, one schedule", schedules, 200);
      // Not a phone number: the service refuses it, the form comes back with the field marked.
      await page.getByLabel("Phone number").fill("12345");
      await page.getByLabel("Airtime amount each run (₦)").fill("500");
      await page.getByTestId("create-form").getByLabel("Transaction PIN").fill(TEST_PIN);
      await submit("schedules page, create form refused", "Create schedule", 400);
      await visit("schedules page, paused", `${schedules}?done=paused`, 200);
      await page.evaluate(
        `document.querySelectorAll('input[name="csrf"]').forEach((i) => { i.value = "forged"; })`,
      );
      await submit("schedules form not from this browser", "Pause", 403);
      await visit("schedules link expired", `/schedules/skl_${"x".repeat(30)}`, 410);
      await close();
      expectNoProblems();
    });
  });
});
