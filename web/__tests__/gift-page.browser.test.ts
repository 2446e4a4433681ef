import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { freePort } from "../../scripts/lib/free-port";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { openGiftRoom } from "../../test/helpers/gift-page";
import { makeTestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue } from "../../test/helpers/vtu";

/**
 * The gift claim page in a real headless Chromium on a phone-sized screen, as a recipient meets it:
 * open the link from a chat, type a number, tap the one button. Every page must fit the screen and
 * load nothing from another origin.
 */
const MOBILE = { width: 360, height: 740 };

describe.skipIf(skipBrowserSuites)("gift claim page in Chromium (360×740)", () => {
  let tdb: TestDatabase;
  let ctx: ServiceContext;
  let harness: ReturnType<typeof makeVtu>;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  const requests: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config = testConfig({ PORT: String(port), PUBLIC_BASE_URL: origin });
    ctx = makeCtx(tdb.db, { config });
    harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    const { app } = makeTestApp(tdb.db, { config, vtu: harness.vtu });
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  /** A new phone: its own cookies; every request it makes is recorded. */
  async function phone(): Promise<{ context: BrowserContext; page: Page }> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const context = await browser.newContext({ viewport: MOBILE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    page.on("request", (request) => requests.push(request.url()));
    return { context, page };
  }

  async function expectFits(page: Page) {
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(width).toBeLessThanOrEqual(MOBILE.width);
  }

  async function submit(page: Page, button: string) {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: button }).click(),
    ]);
    await page.waitForLoadState();
    await expectFits(page);
    return response.status();
  }

  it("claims from the link, follows the status, and a second claim from the same phone is refused", async () => {
    const { room } = await openGiftRoom(ctx, { capacity: 3 });
    const link = `${origin}/gift/${room.token}`;
    const { context, page } = await phone();
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(await page.getByTestId("gift-title").textContent()).toBe("Ada sent you a gift");
    await expectFits(page);

    await page.getByLabel("Your phone number").fill(sandboxPhone());
    expect(await submit(page, "Claim my gift")).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Claimed!");
    await harness.drain();
    await page.getByRole("link", { name: "Check status" }).click();
    expect(await page.getByTestId("gift-badge").textContent()).toBe("Delivered");
    await expectFits(page);

    await page.goto(link);
    await page.getByLabel("Your phone number").fill(sandboxPhone());
    expect(await submit(page, "Claim my gift")).toBe(409);
    expect(await page.locator("h1").textContent()).toBe("You have already claimed this gift");
    await context.close();
    await expectLedgerConsistent(tdb.db);
  });

  it("shows a full room and an expired room instead of the form", async () => {
    const full = await openGiftRoom(ctx, { capacity: 1 });
    const first = await phone();
    await first.page.goto(`${origin}/gift/${full.room.token}`);
    await first.page.getByLabel("Your phone number").fill(sandboxPhone());
    expect(await submit(first.page, "Claim my gift")).toBe(200);
    await first.context.close();

    const { context, page } = await phone();
    await page.goto(`${origin}/gift/${full.room.token}`);
    expect(await page.getByTestId("gift-state").locator("h2").textContent()).toBe(
      "All the gifts have been claimed",
    );
    expect(await page.getByRole("button").count()).toBe(0);
    await expectFits(page);

    const expired = await openGiftRoom(ctx, { capacity: 2 });
    await tdb.db
      .updateTable("gift_rooms")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("id", "=", expired.room.id)
      .execute();
    await page.goto(`${origin}/gift/${expired.room.token}`);
    expect(await page.getByTestId("gift-state").locator("h2").textContent()).toBe(
      "This gift room has expired",
    );
    await expectFits(page);
    await context.close();
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("quiz: a wrong answer keeps the number and asks again; the right answer claims", async () => {
    const { room } = await openGiftRoom(ctx, {
      capacity: 2,
      mode: "quiz",
      quiz: { question: "Which city is the capital of Nigeria?", answers: ["Abuja"] },
    });
    const { context, page } = await phone();
    await page.goto(`${origin}/gift/${room.token}`);
    await page.getByLabel("Your phone number").fill(sandboxPhone());
    await page.getByLabel("Which city is the capital of Nigeria?").fill("Lagos");
    expect(await submit(page, "Claim my gift")).toBe(422);
    expect(await page.getByTestId("gift-error").textContent()).toMatch(/not the answer/);

    await page.getByLabel("Which city is the capital of Nigeria?").fill("Abuja");
    expect(await submit(page, "Claim my gift")).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Claimed!");
    await context.close();
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("never asked another origin for anything", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.startsWith(`${origin}/`))).toEqual([]);
  });
});
