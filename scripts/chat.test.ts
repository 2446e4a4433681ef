import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";
import { TEST_PEPPER, testConfig } from "../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { uniquePhone } from "../test/helpers/fixtures";
import { call, makeTestApp, registerAndLogin, type TestApp } from "../test/helpers/http";
import { expectLedgerConsistent } from "../test/helpers/ledger";

/**
 * `npm run chat` as a person runs it after the README's curl sign-up: the real entry
 * (scripts/chat.ts) and its composition (scripts/runtime/console.ts) in a child process, on the
 * database the API wrote to. The console channel's own cases are bot/console/session.test.ts.
 */

let tdb: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ({ app } = makeTestApp(tdb.db, { config: testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000" }) }));
});
afterAll(() => tdb.destroy());

/** `npm run chat -- --as <phone>` with `lines` piped in; resolves with its exit code and output. */
function runChat(phone: string, lines: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/chat.ts", "--as", phone], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATABASE_URL: tdb.url,
      // The API above hashed the PIN with the test pepper; the chat must check it with the same.
      PIN_PEPPER: TEST_PEPPER,
      LOG_LEVEL: "warn",
      CHAT_FLUSH_SECONDS: "1",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += String(d);
  });
  child.stderr.on("data", (d) => {
    output += String(d);
  });
  child.stdin.end(lines.map((line) => `${line}\n`).join(""));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("npm run chat after a curl sign-up (sandbox)", () => {
  it("uses the registered account: its balance, its PIN, said once", async () => {
    const phone = uniquePhone();
    const token = await registerAndLogin(app, phone);
    expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } })).status).toBe(200);
    const funded = await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 500_000 } });
    expect(funded.status, JSON.stringify(funded.body)).toBe(200);

    const { code, output } = await runChat(phone, ["balance", "change pin", "2580 1357"]);

    expect(code, output).toBe(0);
    expect(output).toContain(`This chat uses the account registered for ${phone}: the same wallet and PIN.`);
    expect(output).toMatch(/Your balance is ₦5,000\./);
    expect(output).toMatch(/Your PIN is set\./);
    const changed = await call(app, "POST", "/api/auth/pin", {
      token,
      body: { currentPin: "1357", pin: "2580" },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    // The chat starts and ends without error lines or raw stack traces (the job queues log through
    // the chat's logger, and its own close is a stop, not a fault).
    expect(output).not.toMatch(/^\s+at \S|"level":[56]0/m);
    await expectLedgerConsistent(tdb.db);
  }, 120_000);
});
