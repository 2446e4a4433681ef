import type { AddressInfo } from "node:net";
import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSchedule, formatLagosDate, lagosDate } from "../../api/services/schedules";
import { freePort } from "../../scripts/lib/free-port";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectNoPin } from "../../test/helpers/sentinel";
import { pinPath, whatsAppHarness } from "../../test/helpers/whatsapp";

/**
 * The customer's "My schedules" page in a real headless Chromium on a 360×640 phone: the chat gives
 * the link ("my schedules"), the customer creates a daily airtime schedule with the PIN (a wrong
 * PIN first: refused, focused, counted), sees it listed, pauses and resumes it, skips the next run,
 * changes the amount (PIN again) and deletes it. An old or expired link is refused clearly.
 */
const PHONE_SCREEN = { width: 360, height: 640 };
const NUMBER = "2348039990077";
const PIN = "9137";

describe.skipIf(skipBrowserSuites)("My schedules page in Chromium (360×640)", () => {
  let tdb: TestDatabase;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let wa: Awaited<ReturnType<typeof whatsAppHarness>>;
  const captured = captureLogger();

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config = testConfig({
      PORT: String(port),
      PUBLIC_BASE_URL: origin,
      WHATSAPP_CHAT_SENDS_PER_SECOND: "20",
    });
    const ctx = makeCtx(tdb.db, { config, logger: captured.logger });
    wa = await whatsAppHarness(ctx, captured.logger);
    server = await serveForBrowser(wa.app.fetch, port);
    expect((server.address() as AddressInfo).port).toBe(port);
    browser = await launchBrowser();

    await wa.say(NUMBER, "hi");
    const [ask] = await wa.say(NUMBER, "set pin");
    expect(await (await wa.submitPin(pinPath(ask), { pin: PIN })).text()).toMatch(/Your PIN is set/);
    await wa.fund(NUMBER, 500_000);
  });

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await wa?.close();
    await tdb?.destroy();
  });

  async function linkFromChat(): Promise<string> {
    const [reply] = await wa.say(NUMBER, "my schedules");
    const url = /(?:Manage them|Or create one) on the web: (\S+)/.exec(reply ?? "")?.[1] ?? "";
    expect(url.startsWith(`${origin}/schedules/`), reply).toBe(true);
    return url;
  }

  async function phonePage(): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const context = await browser.newContext({ viewport: PHONE_SCREEN, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    return { context, page, requests };
  }

  /**
   * Submit a form and wait for the page it leads to: after a success the redirect (303) to the list,
   * after a refusal the form again. Returns the POST's status.
   */
  async function submit(page: Page, click: () => Promise<void>): Promise<number> {
    const redirected = page
      .waitForResponse((r) => r.request().method() === "GET" && r.url().includes("done="))
      .catch(() => undefined);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      click(),
    ]);
    if (response.status() === 303) {
      await redirected;
    }
    await page.waitForLoadState();
    return response.status();
  }

  const fitsTheScreen = async (page: Page) =>
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(
      PHONE_SCREEN.width,
    );

  it("creates, lists, pauses, resumes, skips, changes and deletes a schedule from the chat's link", async () => {
    const url = await linkFromChat();
    const { context, page, requests } = await phonePage();
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()["cache-control"]).toBe("no-store");
    expect(opened?.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("My schedules");
    expect(await page.getByTestId("no-schedules").textContent()).toMatch(/no schedules yet/);
    expect(await page.getByTestId("expires").textContent()).toMatch(
      /until (\w{3} \d+ \w{3} \d{4}, )?\d\d:\d\d Lagos time/,
    );
    await fitsTheScreen(page);

    // Every control of the create form has a label.
    const unlabelled =
      await page.evaluate(`[...document.querySelectorAll("form input:not([type=hidden]), form select")]
      .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.name)`);
    expect(unlabelled).toEqual([]);

    const recipient = "08031234567";
    await page.getByLabel("What to buy").selectOption("airtime");
    await page.getByLabel("Network").selectOption("mtn");
    await page.getByLabel("Phone number").fill(recipient);
    await page.getByLabel("Airtime amount each run (₦)").fill("500");
    await page.getByLabel("Repeats").selectOption("daily");

    // A wrong PIN: refused on the PIN field, focused, counted; the rest of the form is kept.
    await page.getByTestId("create-form").getByLabel("Transaction PIN").fill("1111");
    expect(await submit(page, () => page.getByRole("button", { name: "Create schedule" }).click())).toBe(422);
    const pinField = page.locator("#new-pin");
    expect(await pinField.getAttribute("aria-invalid")).toBe("true");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("new-pin");
    expect(await page.locator("#new-pin-error").textContent()).toMatch(/Incorrect PIN\. \d attempts? left/);
    expect(await pinField.getAttribute("aria-describedby")).toContain("new-pin-error");
    expect(await page.getByLabel("Phone number").inputValue()).toBe(recipient);
    const userId = await wa.userIdOf(NUMBER);
    const counted = await tdb.db
      .selectFrom("user_pins")
      .select("failed_attempts")
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    expect(counted.failed_attempts).toBe(1);

    // The right PIN: created and listed.
    await page.getByLabel("Airtime amount each run (₦)").fill("500");
    await pinField.fill(PIN);
    expect(await submit(page, () => page.getByRole("button", { name: "Create schedule" }).click())).toBe(303);
    expect(await page.getByTestId("done").textContent()).toMatch(/Schedule created/);
    const card = page.getByTestId("schedule");
    expect(await card.count()).toBe(1);
    expect(await card.getByRole("heading").textContent()).toMatch(
      /MTN airtime ₦500 for 0803\*\*\*4567, every day/,
    );
    expect(await card.getByTestId("status").textContent()).toBe("Active");
    expect(await card.getByTestId("next-run").textContent()).toMatch(/^Today .*, from 08:00 Lagos time$/);
    expect(await card.getByTestId("last-run").textContent()).toBe("No run yet");
    expect(await card.getByTestId("per-run-cap").textContent()).toMatch(/^₦\d/);
    await fitsTheScreen(page);

    // Pause, resume.
    expect(await submit(page, () => card.getByRole("button", { name: "Pause" }).click())).toBe(303);
    expect(await card.getByTestId("status").textContent()).toBe("Paused (by you)");
    expect(await card.getByTestId("next-run").textContent()).toBe("None while paused");
    expect(await submit(page, () => card.getByRole("button", { name: "Resume" }).click())).toBe(303);
    expect(await card.getByTestId("status").textContent()).toBe("Active");

    // Skip next: today's run is skipped, the next is tomorrow.
    const today = lagosDate(new Date());
    const tomorrow = lagosDate(new Date(Date.parse(`${today}T12:00:00Z`) + 86_400_000));
    expect(await submit(page, () => card.getByRole("button", { name: "Skip next run" }).click())).toBe(303);
    expect(await page.getByTestId("done").textContent()).toMatch(/next run is skipped/);
    expect(await card.getByTestId("next-run").textContent()).toBe(
      `${formatLagosDate(tomorrow)}, from 08:00 Lagos time`,
    );
    expect(await card.getByTestId("last-run").textContent()).toMatch(/^Skipped \(skipped by customer\)/);

    // Change the amount: the PIN again.
    await card.getByText("Change amount or caps").click();
    await card.getByLabel("New amount each run (₦)").fill("700");
    await card.getByLabel("Transaction PIN").fill(PIN);
    expect(await submit(page, () => card.getByRole("button", { name: "Save changes" }).click())).toBe(303);
    expect(await page.getByTestId("done").textContent()).toMatch(/Saved/);
    expect(await card.getByRole("heading").textContent()).toMatch(/MTN airtime ₦700/);

    // Delete: the box must be ticked (the browser will not send the form without it).
    await card.getByText("Delete…").click();
    await card.getByRole("button", { name: "Delete schedule" }).click();
    expect(await card.count()).toBe(1);
    await card.getByLabel(/Yes, delete this schedule/).check();
    expect(await submit(page, () => card.getByRole("button", { name: "Delete schedule" }).click())).toBe(303);
    expect(await page.getByTestId("done").textContent()).toMatch(/deleted/);
    expect(await page.getByTestId("schedule").count()).toBe(0);

    const rows = await tdb.db
      .selectFrom("schedules")
      .select(["status", "amount_kobo"])
      .where("user_id", "=", userId)
      .execute();
    expect(rows).toEqual([{ status: "deleted", amount_kobo: 70_000 }]);
    // Only our own origin: no CDN, no font, no analytics; the PIN is nowhere.
    expect(requests.filter((r) => !r.startsWith(`${origin}/`))).toEqual([]);
    expect(requests.join("\n")).not.toContain(PIN);
    expectNoPin(await page.content(), PIN);
    expectNoPin(captured.text(), PIN);
    expect(captured.text()).not.toContain(new URL(url).pathname.split("/").pop());
    await context.close();
  });

  it("refuses an older link and an expired one, clearly", async () => {
    const userId = await wa.userIdOf(NUMBER);
    await createSchedule({
      ctx: wa.engine.ctx(),
      vtu: wa.vtu.vtu,
      userId,
      input: {
        service: "airtime",
        recipient: "08031234567",
        network: "mtn",
        amountKobo: 20_000,
        recurrence: { kind: "monthly", day: 1 },
        pin: PIN,
      },
    });
    const [list] = await wa.say(NUMBER, "my schedules");
    expect(list).toMatch(/every month on the 1st.*\n\nManage them on the web: \S+\nPick one to manage it\./s);
    const older = await linkFromChat();
    const newer = await linkFromChat();
    const { context, page } = await phonePage();
    const old = await page.goto(older);
    expect(old?.status()).toBe(410);
    expect(await page.locator("h1").textContent()).toBe("This link has expired");
    expect(await page.getByTestId("link-gone").textContent()).toMatch(/write "my schedules" in the chat/i);

    expect((await page.goto(newer))?.status()).toBe(200);
    // The page stays open while the link runs out; its next form is refused, nothing changes.
    await tdb.db
      .updateTable("schedule_links")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("revoked_at", "is", null)
      .execute();
    const create = page.getByTestId("create-form");
    await create.getByLabel("Phone number").fill("08031234567");
    await create.getByLabel("Airtime amount each run (₦)").fill("500");
    await create.getByLabel("Transaction PIN").fill(PIN);
    expect(await submit(page, () => page.getByRole("button", { name: "Create schedule" }).click())).toBe(410);
    expect(await page.locator("h1").textContent()).toBe("This link has expired");
    const live = await tdb.db
      .selectFrom("schedules")
      .select("amount_kobo")
      .where("user_id", "=", userId)
      .where("status", "<>", "deleted")
      .execute();
    expect(live).toEqual([{ amount_kobo: 20_000 }]);
    await context.close();
  });
});
