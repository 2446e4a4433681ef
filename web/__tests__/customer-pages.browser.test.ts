import type { serve } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import { listDataPlans } from "../../api/services/catalogue/listings";
import type { ServiceContext } from "../../api/services/context";
import { createFundingIntent, type PaymentsRuntime, webhookSecretHash } from "../../api/services/funding";
import { runDraw } from "../../api/services/gift-rooms";
import { createPinLink } from "../../api/services/pin-links";
import { createScheduleLink } from "../../api/services/schedule-links";
import { freePort } from "../../scripts/lib/free-port";
import { axeViolations, describeViolations } from "../../test/helpers/axe";
import {
  closeBrowserServer,
  launchBrowser,
  PHONE_AND_DESKTOP,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createFundedUser } from "../../test/helpers/fixtures";
import { openClosedGiftRoom, openExpiredGiftRoom, openGiftRoom } from "../../test/helpers/gift-page";
import { makeTestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue } from "../../test/helpers/vtu";

/**
 * The pages customers and gift recipients meet (issue 21 items 1–4), in a real headless Chromium on
 * a small phone (360×640) and a desktop (1280×800): they never say something untrue (a draw winner
 * whose order failed), never trap (ported numbers, back links, a declined payment, refused and closed
 * rooms), fit a small screen (the Claim button in the first screen, errors focused and tied to their
 * field), load without a console error, and pass an axe-core scan with no serious or critical
 * violation. Three deployments share one database: the bot on Telegram only, on WhatsApp only, and
 * on neither, so each "Back to the chat" default is seen.
 */
const VIEWPORTS = PHONE_AND_DESKTOP;

const BOT = "TadaVtuTestBot";
const WHATSAPP = "2348030000001";
const QUIZ = { question: "Which city is the capital of Nigeria?", answers: ["Abuja"] };

type Site = { origin: string; config: Config; ctx: ServiceContext; payments: PaymentsRuntime };

describe.skipIf(skipBrowserSuites)("customer and recipient pages in Chromium", () => {
  let tdb: TestDatabase;
  let harness: ReturnType<typeof makeVtu>;
  let browser: Browser | undefined;
  const servers: ReturnType<typeof serve>[] = [];
  const sites: Record<"telegram" | "whatsapp" | "bare", Site> = {} as never;

  beforeAll(async () => {
    tdb = await createTestDatabase({ poolSize: 10 });
    const channels = {
      telegram: { TELEGRAM_BOT_USERNAME: BOT },
      whatsapp: { WHATSAPP_NUMBER: WHATSAPP },
      bare: {},
    };
    for (const [name, extra] of Object.entries(channels) as [
      keyof typeof channels,
      Record<string, string>,
    ][]) {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const config = testConfig({
        PORT: String(port),
        PUBLIC_BASE_URL: origin,
        // Every page of the browser comes from 127.0.0.1: the per-IP claim limit is lifted.
        GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000",
        SANDBOX_PENDING_SECONDS: "0",
        ...extra,
      });
      const ctx = makeCtx(tdb.db, { config });
      if (!harness) {
        harness = makeVtu(ctx, sandboxRegistry(ctx));
        await seedCatalogue(ctx, harness.vtu.providers);
      }
      const payments: PaymentsRuntime = {
        gateway: createPaymentGateway({ config, db: tdb.db }),
        webhookSecretHash: webhookSecretHash(config),
        // The redirect's own verify credits (the webhook's job is not needed to see the page).
        dispatch: async () => {},
      };
      const { app } = makeTestApp(tdb.db, { config, vtu: harness.vtu, payments });
      servers.push(await serveForBrowser(app.fetch, port));
      sites[name] = { origin, config, ctx, payments };
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) {
      await closeBrowserServer(server);
    }
    await tdb?.destroy();
  });

  describe.each(VIEWPORTS)("$name", ({ viewport, mobile }) => {
    /**
     * A fresh browser (its own cookies, so its own gift device). Every console error and page error
     * is kept: the favicon the CSP used to block was one on every load.
     */
    async function open(): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
      if (!browser) {
        throw new Error("the browser did not start");
      }
      const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        // A refusal page is served with its status (404, 409, 410, 422): Chromium logs that status
        // for the document itself, which is the page working, not a problem on it.
        const ownStatus =
          message.text().startsWith("Failed to load resource: the server responded with a status of 4") &&
          message.location().url === page.url();
        if (message.type() === "error" && !ownStatus) {
          problems.push(`${page.url()}: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
      return { page, problems, close: () => context.close() };
    }

    async function expectAccessible(page: Page): Promise<void> {
      const violations = await axeViolations(page);
      expect(violations, `${page.url()}\n${describeViolations(violations)}`).toEqual([]);
    }

    async function expectFits(page: Page): Promise<void> {
      const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
      expect(width, `${page.url()} is ${width}px wide`).toBeLessThanOrEqual(viewport.width);
    }

    /** Wholly inside the first screen, without scrolling. */
    async function expectAboveTheFold(page: Page, selector: string): Promise<void> {
      expect(Number(await page.evaluate("window.scrollY"))).toBe(0);
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
      expect((box?.y ?? 0) + (box?.height ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(viewport.height);
    }

    async function submit(page: Page, button: string): Promise<number> {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.getByRole("button", { name: button }).click(),
      ]);
      await page.waitForLoadState();
      return response.status();
    }

    /** After a refused submit: the field is focused, marked invalid, described by the visible error. */
    async function expectFocusedRefusal(page: Page, field: string, error: RegExp): Promise<void> {
      // The page focuses the field once it has loaded; wait for that (a slow machine is slower), then look.
      await page
        .waitForFunction(
          `document.activeElement && document.activeElement.getAttribute("aria-invalid") === "true"`,
          null,
          {
            timeout: 5_000,
          },
        )
        .catch(() => undefined);
      const focused = (await page.evaluate(
        `(() => { const el = document.activeElement; return { name: el.getAttribute("name"), invalid: el.getAttribute("aria-invalid"), describedBy: el.getAttribute("aria-describedby") }; })()`,
      )) as { name: string | null; invalid: string | null; describedBy: string | null };
      expect(focused).toEqual({ name: field, invalid: "true", describedBy: "gift-error" });
      const message = page.locator("#gift-error");
      expect(await message.textContent()).toMatch(error);
      const box = await message.boundingBox();
      const scrollY = Number(await page.evaluate("window.scrollY"));
      expect(box, "the error is on the page").not.toBeNull();
      // boundingBox is relative to the viewport: the error is on screen, not above or below it.
      expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport.height);
      expect(scrollY).toBeGreaterThanOrEqual(0);
    }

    async function expectStartsTheBot(page: Page): Promise<void> {
      expect(await page.getByTestId("start-telegram").getAttribute("href")).toBe(`https://t.me/${BOT}`);
    }

    it("item 4: the Claim button is in the first screen of every open room, and nothing errs on load", async () => {
      const { telegram } = sites;
      const [plan] = await listDataPlans({ ctx: telegram.ctx, network: "mtn" });
      const long = "Happy new month! ".repeat(16).trim();
      const rooms = [
        await openGiftRoom(telegram.ctx, { capacity: 2, message: long }),
        await openGiftRoom(telegram.ctx, { capacity: 2, mode: "quiz", quiz: QUIZ, message: long }),
        await openGiftRoom(telegram.ctx, {
          capacity: 2,
          kind: "data",
          planId: plan?.id,
          amountKobo: undefined,
          mode: "quiz",
          quiz: QUIZ,
        }),
        await openGiftRoom(telegram.ctx, {
          capacity: 2,
          mode: "random_draw",
          drawAt: new Date(Date.now() + 3_600_000).toISOString(),
          message: long,
        }),
      ];
      const { page, problems, close } = await open();
      for (const { room } of rooms) {
        const response = await page.goto(`${telegram.origin}/gift/${room.token}`);
        expect(response?.status()).toBe(200);
        expect(response?.headers()["content-security-policy"]).toContain("img-src data:");
        await expectAboveTheFold(page, "form button.primary");
        await expectFits(page);
        await expectAccessible(page);
      }
      expect(problems).toEqual([]);
      await close();
    });

    it("item 4: a bad submit focuses the field, marks it invalid and ties the message to it; every field is kept", async () => {
      const { telegram } = sites;
      const { room } = await openGiftRoom(telegram.ctx, { capacity: 2, mode: "quiz", quiz: QUIZ });
      const { page, problems, close } = await open();
      await page.goto(`${telegram.origin}/gift/${room.token}`);
      await page.getByLabel("Your phone number").fill("12345");
      await page.getByLabel(QUIZ.question).fill("Abuja");
      expect(await submit(page, "Claim my gift")).toBe(422);
      await expectFocusedRefusal(page, "phone", /not a Nigerian mobile number/);
      expect(await page.getByLabel(QUIZ.question).inputValue()).toBe("Abuja");
      await expectAccessible(page);

      const phone = sandboxPhone();
      await page.getByLabel("Your phone number").fill(phone);
      await page.getByLabel(QUIZ.question).fill("Lagos");
      expect(await submit(page, "Claim my gift")).toBe(422);
      await expectFocusedRefusal(page, "answer", /not the answer/);
      expect(await page.getByLabel("Your phone number").inputValue()).toBe(phone);
      expect(await page.getByLabel(QUIZ.question).inputValue()).toBe("Lagos");
      await expectFits(page);
      expect(problems).toEqual([]);
      await close();
      await expectLedgerConsistent(tdb.db);
    });

    it("item 2: an MTN data gift claimed with an 0805 number asks in plain words, keeps the quiz answer, and goes through once confirmed", async () => {
      const { telegram } = sites;
      const [plan] = await listDataPlans({ ctx: telegram.ctx, network: "mtn" });
      const { room } = await openGiftRoom(telegram.ctx, {
        capacity: 1,
        kind: "data",
        planId: plan?.id,
        amountKobo: undefined,
        mode: "quiz",
        quiz: QUIZ,
      });
      const phone = sandboxPhone(undefined, "0805");
      const { page, problems, close } = await open();
      await page.goto(`${telegram.origin}/gift/${room.token}`);
      expect(await page.locator('[name="network"]').count()).toBe(0); // asked only when it matters
      await page.getByLabel("Your phone number").fill(phone);
      await page.getByLabel(QUIZ.question).fill("Abuja");
      expect(await submit(page, "Claim my gift")).toBe(422);
      await expectFocusedRefusal(page, "network", /Your number looks like Glo\. This gift is MTN data/);
      const body = (await page.locator("main").textContent()) ?? "";
      expect(body).not.toMatch(/"network"|before you pay/);
      expect(await page.getByLabel(QUIZ.question).inputValue()).toBe("Abuja");
      expect(await page.getByLabel("Your phone number").inputValue()).toBe(phone);
      await expectAccessible(page);

      await page.getByLabel("Yes, my number is on MTN").check();
      expect(await submit(page, "Claim my gift")).toBe(200);
      expect(await page.locator("h1").textContent()).toBe("Claimed!");
      expect(await page.getByTestId("gift-outcome").textContent()).toContain(
        `${plan?.name} data is on its way`,
      );
      await expectAccessible(page);
      await harness.drain();
      await page.getByRole("link", { name: "Check status" }).click();
      expect(await page.getByTestId("gift-badge").textContent()).toBe("Delivered");
      await expectAccessible(page);
      const order = await tdb.db
        .selectFrom("vtu_orders")
        .select(["network", "state"])
        .where("recipient", "=", phone)
        .executeTakeFirstOrThrow();
      expect(order).toEqual({ network: "mtn", state: "delivered" });
      expect(problems).toEqual([]);
      await close();
      await expectLedgerConsistent(tdb.db);
    });

    it("item 1: a draw winner whose order failed is told so, where the money went, and gets the status link", async () => {
      const { telegram } = sites;
      const drawAt = new Date(Date.now() + 3_600_000);
      const { room, creator } = await openGiftRoom(telegram.ctx, {
        capacity: 1,
        mode: "random_draw",
        drawAt: drawAt.toISOString(),
      });
      const phone = sandboxPhone("0001"); // the sandbox provider refuses it outright
      const { page, problems, close } = await open();
      await page.goto(`${telegram.origin}/gift/${room.token}`);
      await page.getByLabel("Your phone number").fill(phone);
      expect(await submit(page, "Join the draw")).toBe(200);
      expect(await page.locator("h1").textContent()).toBe("You are in the draw");
      await expectAccessible(page);

      const later = makeCtx(tdb.db, {
        config: telegram.config,
        now: () => new Date(drawAt.getTime() + 60_000),
      });
      expect((await runDraw({ ctx: later, vtu: harness.vtu, roomId: room.id })).winners).toBe(1);
      await harness.drain();

      await page.goto(`${telegram.origin}/gift/${room.token}`);
      expect(await page.getByTestId("gift-state").textContent()).not.toMatch(/Enter your number|Open until/);
      await expectStartsTheBot(page);
      await page.getByLabel("Number you joined with").fill(phone);
      expect(await submit(page, "Check my draw result")).toBe(200);
      expect(await page.locator("h1").textContent()).toBe("You won, but the gift did not go through");
      expect(await page.getByTestId("gift-badge").textContent()).toBe("Not delivered");
      const said = (await page.getByTestId("gift-outcome").textContent()) ?? "";
      expect(said).not.toMatch(/has been sent|was delivered|on its way/);
      expect(said).toContain("The money went back to the person who sent the gift.");
      await expectAccessible(page);
      await page.getByTestId("draw-status-link").click();
      expect(await page.locator("h1").textContent()).toBe("The gift did not go through");
      await expectAccessible(page);
      expect(problems).toEqual([]);
      await close();

      // What the page says is what happened: the escrow is empty and the creator has the money back.
      const wallet = await tdb.db
        .selectFrom("accounts")
        .select(["balance", "held"])
        .where("user_id", "=", creator.id)
        .executeTakeFirstOrThrow();
      expect(wallet).toEqual({ balance: 10_000_000, held: 0 });
      await expectLedgerConsistent(tdb.db);
    });

    it("items 3–4: full, closed, expired and unknown rooms and refusals invite no number and link to the bot", async () => {
      const { telegram, whatsapp } = sites;
      const full = await openGiftRoom(telegram.ctx, { capacity: 1 });
      const closed = await openClosedGiftRoom(telegram.ctx);
      const expired = await openExpiredGiftRoom(telegram.ctx);
      const { page, problems, close } = await open();
      // One claim fills the first room; the same browser's second claim is refused.
      await page.goto(`${telegram.origin}/gift/${full.room.token}`);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      expect(await submit(page, "Claim my gift")).toBe(200);
      await expectAccessible(page);

      const states = [
        [full.room.token, "All the gifts have been claimed"],
        [closed.room.token, "This gift room has closed"],
        [expired.room.token, "This gift room has expired"],
      ] as const;
      for (const [token, heading] of states) {
        const response = await page.goto(`${telegram.origin}/gift/${token}`);
        expect(response?.status()).toBe(200);
        expect(await page.getByTestId("gift-state").locator("h2").textContent()).toBe(heading);
        const text = (await page.locator("main").textContent()) ?? "";
        expect(text).not.toMatch(/Enter your number|Open until|Join with your number/);
        expect(await page.locator('input[name="phone"]').count()).toBe(0);
        await expectStartsTheBot(page);
        await expectFits(page);
        await expectAccessible(page);
      }
      expect(await page.getByTestId("gift-state").textContent()).toMatch(/It closed at .+ \(Lagos time\)/);

      // A refusal (this browser already claimed from the room) and an unknown link.
      const again = await openGiftRoom(telegram.ctx, { capacity: 3 });
      await page.goto(`${telegram.origin}/gift/${again.room.token}`);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      expect(await submit(page, "Claim my gift")).toBe(200);
      await page.goto(`${telegram.origin}/gift/${again.room.token}`);
      await page.getByLabel("Your phone number").fill(sandboxPhone());
      expect(await submit(page, "Claim my gift")).toBe(409);
      expect(await page.locator("h1").textContent()).toBe("You have already claimed this gift");
      await expectStartsTheBot(page);
      await expectAccessible(page);

      const unknown = await page.goto(`${whatsapp.origin}/gift/${"x".repeat(32)}`);
      expect(unknown?.status()).toBe(404);
      expect(await page.locator("h1").textContent()).toBe("This gift link is not valid");
      expect(await page.getByTestId("start-whatsapp").getAttribute("href")).toBe(`https://wa.me/${WHATSAPP}`);
      expect(await page.getByTestId("start-telegram").count()).toBe(0);
      await expectAccessible(page);
      expect(problems).toEqual([]);
      await close();
      await harness.drain();
      await expectLedgerConsistent(tdb.db);
    });

    /** A customer's top-up started from a chat, through the real service, on one deployment. */
    async function topUp(site: Site, channel: string) {
      const user = await createFundedUser(site.ctx, 0);
      const intent = await createFundingIntent({
        ctx: site.ctx,
        payments: site.payments,
        userId: user.id,
        channel,
        input: { amountKobo: 250_000 },
      });
      return { user, intent };
    }

    async function walletOf(userId: string) {
      return tdb.db
        .selectFrom("accounts")
        .select(["balance", "held"])
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
    }

    it("item 3: a declined payment offers Try again on the same checkout; paid, the link says so; back goes to the Telegram bot", async () => {
      const { telegram } = sites;
      const { user, intent } = await topUp(telegram, "telegram");
      const { page, problems, close } = await open();
      await page.goto(intent.checkoutUrl ?? "");
      await expectAccessible(page);
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/fund/callback"),
        page.getByRole("button", { name: "Fail the payment" }).click(),
      ]);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment failed");
      expect(await page.getByTestId("back-to-chat").getAttribute("href")).toBe(`https://t.me/${BOT}`);
      await expectAccessible(page);
      await expectFits(page);

      await page.getByTestId("try-again").click();
      expect(await page.getByTestId("last-attempt-failed").isVisible()).toBe(true);
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/fund/callback"),
        page.getByRole("button", { name: "Pay ₦2,500", exact: true }).click(),
      ]);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
      expect(await page.getByTestId("try-again").count()).toBe(0);
      expect(await page.getByTestId("back-to-chat").textContent()).toBe("Back to the chat on Telegram");
      await expectAccessible(page);

      // The checkout link again, after paying: what happened, nothing to pay, where to go.
      await page.goto(intent.checkoutUrl ?? "");
      const paid = (await page.getByTestId("already-paid").textContent()) ?? "";
      expect(paid).toContain("This payment is complete: ₦2,500 went to your TADA VTU wallet.");
      expect(await page.getByRole("button").count()).toBe(0);
      expect(await page.getByTestId("back-to-chat").getAttribute("href")).toBe(`https://t.me/${BOT}`);
      await expectAccessible(page);
      expect(problems).toEqual([]);
      await close();
      expect(await walletOf(user.id)).toEqual({ balance: 250_000, held: 0 });
      await expectLedgerConsistent(tdb.db);
    });

    it("item 3: back goes to the WhatsApp bot when only WhatsApp is configured, and nowhere false with neither", async () => {
      const { whatsapp, bare } = sites;
      const { page, problems, close } = await open();
      const onWhatsApp = await topUp(whatsapp, "whatsapp");
      await page.goto(onWhatsApp.intent.checkoutUrl ?? "");
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/fund/callback"),
        page.getByRole("button", { name: "Pay ₦2,500", exact: true }).click(),
      ]);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
      const back = page.getByTestId("back-to-chat");
      expect(await back.count()).toBe(1);
      expect(await back.getAttribute("href")).toBe(`https://wa.me/${WHATSAPP}`);
      expect(await back.textContent()).toBe("Back to the chat on WhatsApp");

      const neither = await topUp(bare, "api");
      await page.goto(neither.intent.checkoutUrl ?? "");
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/fund/callback"),
        page.getByRole("button", { name: "Pay ₦2,500", exact: true }).click(),
      ]);
      expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
      expect(await page.getByTestId("back-to-chat").count()).toBe(0);
      expect(await page.getByTestId("close-page").textContent()).toBe("You can close this page.");
      // Never the developer page it used to fall back to.
      expect(await page.locator('a[href="/"]').count()).toBe(0);
      await expectAccessible(page);
      expect(problems).toEqual([]);
      await close();
      expect(await walletOf(onWhatsApp.user.id)).toEqual({ balance: 250_000, held: 0 });
      expect(await walletOf(neither.user.id)).toEqual({ balance: 250_000, held: 0 });
      await expectLedgerConsistent(tdb.db);
    });

    it("the PIN page, its expired-link page and the schedules page pass the scan and load cleanly", async () => {
      const { telegram } = sites;
      const user = await createFundedUser(telegram.ctx, 0);
      const pin = await createPinLink({
        ctx: telegram.ctx,
        channel: "telegram",
        userRef: user.id,
        userId: user.id,
        confirmId: "c1",
        purpose: "set_pin",
        title: "Choose your PIN",
      });
      const schedules = await createScheduleLink({ ctx: telegram.ctx, userId: user.id });
      const { page, problems, close } = await open();

      expect((await page.goto(pin.url))?.status()).toBe(200);
      expect(await page.getByTestId("pin-title").textContent()).toBe("Choose your PIN");
      await expectFits(page);
      await expectAccessible(page);

      expect((await page.goto(`${telegram.origin}/pin/pin_${"x".repeat(30)}`))?.status()).toBe(410);
      expect(await page.getByTestId("back-to-chat").getAttribute("href")).toBe(`https://t.me/${BOT}`);
      await expectAccessible(page);

      expect((await page.goto(schedules.url))?.status()).toBe(200);
      await expectFits(page);
      await expectAccessible(page);
      expect((await page.goto(`${telegram.origin}/schedules/skl_${"x".repeat(30)}`))?.status()).toBe(410);
      expect(await page.getByTestId("back-to-chat").getAttribute("href")).toBe(`https://t.me/${BOT}`);
      await expectAccessible(page);
      expect(problems).toEqual([]);
      await close();
    });
  });
});
