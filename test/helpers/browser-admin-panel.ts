import type { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import type { AdminRole } from "../../db/database";
import { freePort } from "../../scripts/lib/free-port";
import { createHttpApp } from "../../scripts/runtime/http";
import { sandboxPayments } from "./analytics";
import { closeBrowserServer, launchBrowser, serveForBrowser } from "./browser";
import { captureLogger, makeCtx, testConfig } from "./context";
import { createTestDatabase, type TestDatabase } from "./db";
import { makeVtu, sandboxRegistry, seedCatalogue } from "./vtu";

/** The password every admin of a browser suite signs in with. */
export const PANEL_PASSWORD = "correct-horse-battery-9";

export type PanelAdmin = readonly [email: string, name: string, role: AdminRole];

export type AdminPanel = {
  tdb: TestDatabase;
  ctx: ServiceContext;
  origin: string;
  browser: Browser;
  /** A fresh desktop-sized page that records uncaught page errors. */
  newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
};

/**
 * The admin panel of a browser suite: an embedded database with the sandbox catalogue, the given
 * admins (password PANEL_PASSWORD), the whole HTTP app on a free port and a headless Chromium.
 */
export async function startAdminPanel(options: {
  admins: readonly PanelAdmin[];
  config?: Record<string, string>;
}): Promise<AdminPanel> {
  const tdb = await createTestDatabase();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = testConfig({ PORT: String(port), PUBLIC_BASE_URL: origin, ...options.config });
  const captured = captureLogger();
  const ctx = makeCtx(tdb.db, { config, logger: captured.logger });
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  for (const [email, name, role] of options.admins) {
    await createAdmin({ ctx, input: { email, name, password: PANEL_PASSWORD, role } });
  }
  const app = createHttpApp({
    db: tdb.db,
    config,
    logger: captured.logger,
    vtu: harness.vtu,
    payments: sandboxPayments(ctx),
    jobs: { kind: "postgres", check: async () => {} },
  });
  let server: ReturnType<typeof serve> | undefined;
  let browser: Browser | undefined;
  try {
    server = await serveForBrowser(app.fetch, port);
    browser = await launchBrowser();
  } catch (error) {
    await closeBrowserServer(server);
    await tdb.destroy();
    throw error;
  }
  const started = browser;
  return {
    tdb,
    ctx,
    origin,
    browser: started,
    async newPage() {
      const context = await started.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(5_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(String(error)));
      return { context, page, errors };
    },
    async close() {
      await started.close();
      await closeBrowserServer(server);
      await tdb.destroy();
    },
  };
}
