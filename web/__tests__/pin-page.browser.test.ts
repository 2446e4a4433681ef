import type { AddressInfo } from "node:net";
import type { serve } from "@hono/node-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { expectNoPin } from "../../test/helpers/sentinel";
import { pinPath, whatsAppHarness } from "../../test/helpers/whatsapp";

/**
 * The WhatsApp PIN page in a real headless Chromium on a phone-sized screen: the chat (a fake
 * whatsapp-web.js client in front of the real engine) sends the link, the person opens it, types
 * the PIN, and sees the outcome; the chat gets the same answer.
 */
const MOBILE = { width: 360, height: 740 };
const NUMBER = "2348039990001";

describe.skipIf(skipBrowserSuites)("one-time PIN page in Chromium (360×740)", () => {
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
      VTU_RESPONSE_WAIT_MS: "300",
    });
    const ctx = makeCtx(tdb.db, { config, logger: captured.logger });
    wa = await whatsAppHarness(ctx, captured.logger);
    const app = wa.app;
    server = await serveForBrowser(app.fetch, port);
    expect((server.address() as AddressInfo).port).toBe(port);
    browser = await launchBrowser();

    await wa.say(NUMBER, "hi");
    const [ask] = await wa.say(NUMBER, "set pin");
    expect(await (await wa.submitPin(pinPath(ask), { pin: "9137" })).text()).toMatch(/Your PIN is set/);
    await wa.fund(NUMBER, 300_000);
  });

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await wa?.close();
    await tdb?.destroy();
  });

  it("opens the link from the chat, takes the PIN, shows the outcome; the PIN is nowhere", async () => {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    await wa.say(NUMBER, "airtime 200 08031234567");
    await wa.say(NUMBER, "1");
    const [ask] = await wa.say(NUMBER, "1");
    const url = /Enter your PIN: (\S+)/.exec(ask ?? "")?.[1] ?? "";
    expect(url.startsWith(`${origin}/pin/`)).toBe(true);

    const context = await browser.newContext({ viewport: MOBILE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()["cache-control"]).toBe("no-store");
    expect(await page.getByTestId("pin-title").textContent()).toMatch(/Pay ₦\d.* for airtime/);
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(width).toBeLessThanOrEqual(MOBILE.width);

    const before = wa.client.to(NUMBER).length;
    await page.getByLabel("Transaction PIN").fill("9137");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Pay" }).click(),
    ]);
    expect(response.status()).toBe(200);
    const outcome = await page.getByTestId("pin-outcome").textContent();
    expect(outcome).toMatch(/Order placed|Delivered/);
    const html = await page.content();
    expectNoPin(html, "9137");
    await wa.settled(NUMBER);
    const inChat = wa.client.to(NUMBER).slice(before);
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toMatch(/Order placed|Delivered/);
    // Only our own origin: no CDN, no font, no analytics.
    expect(requests.filter((r) => !r.startsWith(`${origin}/`))).toEqual([]);

    // Back to the link: it is spent.
    const again = await page.goto(url);
    expect(again?.status()).toBe(410);
    expect(await page.locator("h1").textContent()).toMatch(/expired or was already used/);
    await context.close();

    await wa.vtu.drain();
    await expectLedgerConsistent(tdb.db);
    await wa.settled();
    expectNoPin(JSON.stringify(wa.client.sent), "9137");
    expectNoPin(JSON.stringify(await tdb.db.selectFrom("chat_outbox").selectAll().execute()), "9137");
    expectNoPin(JSON.stringify(await tdb.db.selectFrom("chat_updates").selectAll().execute()), "9137");
    expectNoPin(captured.text(), "9137");
  });
});
