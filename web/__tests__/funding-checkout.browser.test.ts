import type { AddressInfo } from "node:net";
import type { serve } from "@hono/node-server";
import type { Worker } from "bullmq";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../api/config";
import { createJobBackend, type JobBackend } from "../../api/jobs/backend";
import { startPaymentWorkers } from "../../api/jobs/payments";
import { formatNaira } from "../../api/services/money";
import { createProviderRegistry } from "../../api/services/vtu";
import { freePort } from "../../scripts/lib/free-port";
import { createHttpApp } from "../../scripts/runtime/http";
import { setUpPayments } from "../../scripts/runtime/services";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { uniquePhone } from "../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../test/helpers/ledger";

/**
 * The sandbox funding checkout in a real headless Chromium, as a payer on a phone sees it: the real
 * app over HTTP on a local port, the sandbox payment gateway, and the real payments worker on
 * BullMQ's PostgreSQL backend (the "Pay" button's webhook is enqueued and processed by the worker,
 * while the redirect runs the same verify; whichever comes first credits, once).
 */

const MOBILE = { width: 360, height: 740 };
const PIN = "2580";
const FUND_KOBO = 250_000; // ₦2,500
const STARTING_KOBO = 12_345; // sandbox test money first, so "before" is not zero

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely and assert on them.
type Api = { status: number; body: { success?: boolean; data?: any; [key: string]: unknown } };

describe.skipIf(skipBrowserSuites)("sandbox funding checkout in Chromium (360×740)", () => {
  let tdb: TestDatabase;
  let jobs: JobBackend | undefined;
  let worker: Worker | undefined;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;
  let token: string;
  const captured = captureLogger();

  async function api(method: string, path: string, body?: unknown): Promise<Api> {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Api["body"] };
  }

  async function balanceKobo(): Promise<number> {
    const res = await api("GET", "/api/wallet/balance");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data.balanceKobo as number;
  }

  async function newIntent(): Promise<{ txRef: string; checkoutUrl: string; totalKobo: number }> {
    const res = await api("POST", "/api/wallet/fund", { amountKobo: FUND_KOBO });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const intent = res.body.data.intent;
    expect(intent).toMatchObject({ status: "pending", amountKobo: FUND_KOBO, feeKobo: 0 });
    expect(intent.checkoutUrl).toBe(`${origin}/fund/sandbox/${encodeURIComponent(intent.txRef)}`);
    return intent;
  }

  /** A fresh phone-sized page that records every URL it requests and every script error. */
  async function mobilePage(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    if (!browser) {
      throw new Error("the browser did not start");
    }
    const context = await browser.newContext({ viewport: MOBILE, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => errors.push(String(error)));
    return { page, requests, errors };
  }

  async function expectNoHorizontalOverflow(page: Page): Promise<void> {
    // A string, evaluated in the page: this project compiles without the DOM types.
    const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
    expect(width, `the page is ${width}px wide on a ${MOBILE.width}px screen`).toBeLessThanOrEqual(
      MOBILE.width,
    );
  }

  function expectOnlyOwnOrigin(requests: string[]): void {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
  }

  /** The worker took the "Pay"/"Fail" webhook in and decided it (it runs beside the redirect's verify). */
  async function webhookOutcome(txRef: string): Promise<string | null> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const rows = await tdb.db
        .selectFrom("payment_webhook_events")
        .select(["payload", "outcome", "processed_at"])
        .execute();
      const row = rows.find((r) => (r.payload as { data?: { tx_ref?: unknown } }).data?.tx_ref === txRef);
      if (row?.processed_at) {
        return row.outcome;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  }

  beforeAll(async () => {
    const started = performance.now();
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const config: Config = testConfig({ PORT: String(port), PUBLIC_BASE_URL: origin });
    const { logger } = captured;
    const ctx = () => makeCtx(tdb.db, { config, logger });

    jobs = createJobBackend({ databaseUrl: tdb.url, prefix: `fc${Date.now()}` });
    const payments = setUpPayments({ config, db: tdb.db, logger, jobs, ctx });
    worker = await startPaymentWorkers({
      jobs,
      ctx,
      payments,
      logger,
      sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
      reconcileEveryMinutes: config.FUNDING_RECONCILE_INTERVAL_MINUTES,
    });
    const app = createHttpApp({
      db: tdb.db,
      config,
      logger,
      jobs,
      vtu: { providers: createProviderRegistry([]), dispatch: async () => {} },
      payments,
    });
    server = await serveForBrowser(app.fetch, port);
    expect((server.address() as AddressInfo).port).toBe(port);
    browser = await launchBrowser();

    // README "Try it": register, log in, set a PIN — all over HTTP.
    const phone = uniquePhone();
    const password = "correct-horse-9";
    token = "";
    const reg = await api("POST", "/api/auth/register", { phone, password, name: "Ada" });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const login = await api("POST", "/api/auth/login", { phone, password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    token = login.body.data.token as string;
    const pin = await api("POST", "/api/auth/pin", { pin: PIN });
    expect(pin.status, JSON.stringify(pin.body)).toBe(200);
    const seed = await api("POST", "/api/sandbox/fund", { amountKobo: STARTING_KOBO });
    expect(seed.status, JSON.stringify(seed.body)).toBe(200);
    console.log(`[funding-checkout.browser] setup ${Math.round(performance.now() - started)} ms`);
  });

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await worker?.close();
    await jobs?.close();
    await tdb?.destroy();
  });

  it("pays ₦2,500: checkout page → Pay → callback shows 'Payment received' and the new balance, credited once", async () => {
    const before = await balanceKobo();
    expect(before).toBe(STARTING_KOBO);
    const intent = await newIntent();
    const { page, requests, errors } = await mobilePage();

    const checkout = await page.goto(intent.checkoutUrl);
    expect(checkout?.status()).toBe(200);
    await expect.poll(() => page.locator("h1.amount").textContent()).toBe("₦2,500");
    const pay = page.getByRole("button", { name: "Pay ₦2,500", exact: true });
    expect(await pay.isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Fail the payment" }).isVisible()).toBe(true);
    expect(await page.locator("body").textContent()).toContain(intent.txRef);
    await expectNoHorizontalOverflow(page);

    const [landing] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === "/fund/callback"),
      pay.click(),
    ]);
    expect(landing.status()).toBe(200);
    await page.waitForURL((url) => url.pathname === "/fund/callback");
    const landed = new URL(page.url());
    expect(landed.origin).toBe(origin);
    expect(landed.searchParams.get("tx_ref")).toBe(intent.txRef);

    const expected = before + FUND_KOBO;
    expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
    expect(await page.getByTestId("balance").textContent()).toBe(formatNaira(expected));
    expect(formatNaira(expected)).toBe("₦2,623.45");
    await expectNoHorizontalOverflow(page);
    expect(await balanceKobo()).toBe(expected);

    // The webhook the sandbox sent went through the queue and the worker: it found the payment
    // credited by the redirect (or credited it itself first) — never a second credit.
    expect(["credited", "already_credited"]).toContain(await webhookOutcome(intent.txRef));
    // Reloading the result page and reopening the checkout change nothing.
    await page.reload();
    expect(await page.getByTestId("funding-status").textContent()).toBe("Payment received");
    expect(await page.getByTestId("balance").textContent()).toBe(formatNaira(expected));
    await page.goto(intent.checkoutUrl);
    expect(await page.getByTestId("already-paid").textContent()).toContain(
      "This payment is complete: ₦2,500 went to your TADA VTU wallet.",
    );
    expect(await page.getByRole("button").count()).toBe(0);

    const after = await api("GET", `/api/wallet/fund/${intent.txRef}`);
    expect(after.body.data.intent).toMatchObject({ status: "credited", amountKobo: FUND_KOBO });
    expect(await balanceKobo()).toBe(expected);
    expectOnlyOwnOrigin(requests);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("fails a payment: 'Fail the payment' → callback shows 'Payment failed' and the balance is unchanged", async () => {
    const before = await balanceKobo();
    const intent = await newIntent();
    const { page, requests, errors } = await mobilePage();

    await page.goto(intent.checkoutUrl);
    await expectNoHorizontalOverflow(page);
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/fund/callback"),
      page.getByRole("button", { name: "Fail the payment" }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get("tx_ref")).toBe(intent.txRef);
    expect(await page.getByTestId("funding-status").textContent()).toBe("Payment failed");
    expect(await page.getByTestId("balance").count()).toBe(0);
    expect(await page.locator("main").textContent()).toContain("nothing was added");
    await expectNoHorizontalOverflow(page);

    expect(await webhookOutcome(intent.txRef)).toBe("failed");
    const after = await api("GET", `/api/wallet/fund/${intent.txRef}`);
    expect(after.body.data.intent).toMatchObject({ status: "failed" });
    expect(await balanceKobo()).toBe(before);
    expectOnlyOwnOrigin(requests);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("leaves the ledger consistent and raised no alert", async () => {
    await expectLedgerConsistent(tdb.db);
    const alerts = captured.lines.filter(
      (line) => line.includes('"alert":true') || /"level":"(error|fatal)"/.test(line),
    );
    expect(alerts).toEqual([]);
  });
});
