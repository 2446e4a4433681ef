import type { serve } from "@hono/node-server";
import type { Browser, ConsoleMessage } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port";
import { axeViolations, describeViolations } from "../../test/helpers/axe";
import {
  closeBrowserServer,
  launchBrowser,
  serveForBrowser,
  skipBrowserSuites,
} from "../../test/helpers/browser";
import { testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp } from "../../test/helpers/http";

/**
 * /docs in a real headless Chromium (issue 20 "Done when"): Swagger UI, served from this origin under
 * its CSP, shows every operation of /openapi.json, with the request example of a purchase, and in
 * sandbox mode "Try it out" sends a real request to this server and shows its answer.
 */
describe.skipIf(skipBrowserSuites)("API docs page in Chromium", () => {
  let tdb: TestDatabase;
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  let origin: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    const { app } = makeTestApp(tdb.db, {
      config: testConfig({ SANDBOX_MODE: "on", PUBLIC_BASE_URL: origin }),
    });
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await closeBrowserServer(server);
    await tdb?.destroy();
  });

  it("shows every documented operation, with examples, and runs Try it out against the sandbox", async () => {
    const document = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      webhooks?: Record<string, Record<string, unknown>>;
    };
    // Webhooks (the order callback, DECISIONS §71) are operations the page shows too, by name.
    const operations = Object.entries({ ...document.paths, ...document.webhooks }).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method, path })),
    );
    expect(operations.length).toBeGreaterThan(10);

    const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on("console", (message: ConsoleMessage) => {
      if (message.type() === "error") {
        problems.push(message.text());
      }
    });
    page.on("pageerror", (error) => problems.push(error.message));
    const response = await page.goto(`${origin}/docs`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector(".opblock", { timeout: 20_000 });

    // Every operation is on the page (Swagger UI renders one .opblock per method + path).
    const shown = await page.$$eval(".opblock", (blocks) =>
      blocks.map((b) => ({
        method: (b.querySelector(".opblock-summary-method")?.textContent ?? "").toLowerCase(),
        path: (b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ?? "").replace(
          /\u200b/g,
          "",
        ),
      })),
    );
    const key = (o: { method: string; path: string }) => `${o.method} ${o.path}`;
    expect(shown.map(key).sort()).toEqual(operations.map(key).sort());
    await expect(page.textContent("#mode-banner")).resolves.toMatch(/Sandbox/);

    // A purchase shows its request example.
    await page.click('.opblock-post .opblock-summary-path[data-path="/api/vtu/data"]');
    await page.waitForSelector(".opblock.is-open .body-param__example, .opblock.is-open .microlight", {
      timeout: 10_000,
    });
    const opened = (await page.textContent(".opblock.is-open")) ?? "";
    expect(opened).toContain("planId");
    expect(opened).toContain("Idempotency-Key");

    // Try it out on a public GET runs against this server and shows the answer.
    await page.click('.opblock-get .opblock-summary-path[data-path="/api/vtu/network-guess"]');
    const block = page.locator(".opblock.is-open", { hasText: "/api/vtu/network-guess" });
    // Sandbox mode opens every operation in "Try it out" already (tryItOutEnabled).
    await expect(block.locator("button.try-out__btn").textContent()).resolves.toMatch(/Cancel/);
    await block.locator('input[placeholder="phone"]').fill("08031234567");
    await block.locator("button.execute").click();
    await block.locator(".responses-wrapper .live-responses-table").waitFor({ timeout: 10_000 });
    const answer = (await block.locator(".live-responses-table").textContent()) ?? "";
    expect(answer).toContain('"confidence"');
    expect(answer).toContain("200");

    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it("the axe-core scan of /docs finds no serious or critical violation in our own page", async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${origin}/docs`);
    await page.waitForSelector(".opblock", { timeout: 20_000 });
    const violations = (await axeViolations(page)).filter((v) =>
      v.targets.some((t) => t.includes("#mode-banner")),
    );
    expect(violations, describeViolations(violations)).toEqual([]);
    await page.close();
  }, 90_000);
});
