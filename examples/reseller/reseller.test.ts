import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../api/config";
import { freePort } from "../../scripts/lib/free-port";
import { TEST_PEPPER } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { spawnApp } from "../../test/helpers/spawn-app";

/**
 * The example reseller client (issue 20 "Done when") against the live app: `scripts/start.ts` as
 * `npm start` runs it (sandbox, ROLE=all: API and worker, so callbacks are sent), and the client as
 * its own process — `npm run example:reseller` — which must exit 0 after receiving and verifying
 * the signed callback of the data it bought with its key.
 */
const dataDir = path.join(os.tmpdir(), `tada-reseller-${process.pid}-${Date.now()}`);
let tdb: TestDatabase;
let app: ChildProcess | undefined;
let base = "";

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const started = await spawnApp(
    {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      NODE_ENV: "test",
      SANDBOX_MODE: "on",
      DATABASE_URL: tdb.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      LOG_LEVEL: "warn",
      PIN_PEPPER: TEST_PEPPER,
    },
    { readyWithinMs: 90_000 },
  );
  app = started.child;
}, 120_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    app.kill("SIGTERM");
    await new Promise((resolve) => app?.once("exit", resolve));
  }
  await expectLedgerConsistent(tdb.db);
  await tdb?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

function runClient(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "example:reseller"], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TADA_BASE_URL: base, TADA_CALLBACK_WAIT_MS: "45000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += String(d);
    });
    child.stderr.on("data", (d) => {
      output += String(d);
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

it("signs up, makes a scoped key, funds, buys data with the key and verifies the signed callback", async () => {
  const { code, output } = await runClient();
  expect(output).toMatch(/API key tvk_\S*… with scopes read, purchase/);
  expect(output).toMatch(/callback order\.delivered for ord_\S+ — signature verified/);
  expect(output).toContain("delivery log: delivered");
  expect(code, output).toBe(0);

  // What the client saw is what the database holds: one delivered order, its callback delivered once.
  const deliveries = await tdb.db
    .selectFrom("callback_deliveries")
    .select(["status", "attempts", "event"])
    .execute();
  expect(deliveries).toEqual([
    expect.objectContaining({ status: "delivered", attempts: 1, event: "order.delivered" }),
  ]);
}, 180_000);
