import { accessSync, constants } from "node:fs";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core drives it, nothing is downloaded. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Whether this machine can run the browser suites. */
export function hasChromium(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Skip the browser suites where Chromium is missing — except under TADA_FAIL_ON_SKIP=1 (CI), where
 * they run and fail with a clear message instead of passing silently.
 */
export const skipBrowserSuites = !hasChromium() && process.env.TADA_FAIL_ON_SKIP !== "1";

/** Headless Chromium for one test file; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium); the browser suites need it.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Root in a container: no user-namespace sandbox; a small /dev/shm; no GPU.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** Serve an app on 127.0.0.1:`port` for a browser test; resolves once it listens. */
export function serveForBrowser(fetch: (request: Request) => Response | Promise<Response>, port: number) {
  return new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, hostname: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Stop it: in-flight requests finish, idle keep-alive sockets (the browser's) are dropped. */
export function closeBrowserServer(server: ReturnType<typeof serve> | undefined): Promise<void> {
  if (!server) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if ("closeIdleConnections" in server) {
      server.closeIdleConnections();
    }
  });
}

/** Sign in to the admin panel in a real page, as a person would; resolves on the dashboard. */
export async function signInToAdminPanel(
  page: Page,
  origin: string,
  credentials: { email: string; password: string },
): Promise<void> {
  await page.goto(`${origin}/admin/login`);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/admin"),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** The two screens customer pages are checked on (issue 21): a small phone and a desktop. */
export const PHONE_AND_DESKTOP = [
  { name: "phone 360×640", viewport: { width: 360, height: 640 }, mobile: true },
  { name: "desktop 1280×800", viewport: { width: 1280, height: 800 }, mobile: false },
] as const;
