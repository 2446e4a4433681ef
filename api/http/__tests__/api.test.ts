import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../../db/client";
import { captureLogger, makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { conformanceOf } from "../../../test/helpers/openapi-conformance";
import { expectNoPin } from "../../../test/helpers/sentinel";
import { SYSTEM_ACCOUNTS } from "../../services/ledger";
import { creditWallet, debitWallet } from "../../services/wallet";

let tdb: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = makeTestApp(tdb.db).app;
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

describe("happy path: register → login → PIN → balance", () => {
  it("walks the README flow and answers in the success envelope", async () => {
    const phone = uniquePhone();
    const reg = await call(app, "POST", "/api/auth/register", {
      body: {
        phone: `+234 ${phone.slice(1, 4)} ${phone.slice(4)}`,
        password: "correct-horse-9",
        name: "Ada",
      },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ success: true, data: { phone, displayName: "Ada", status: "active" } });
    expect(reg.headers.get("x-request-id")).toBe(reg.body.requestId);
    expect(JSON.stringify(reg.body)).not.toMatch(/password|hash/i);

    const login = await call(app, "POST", "/api/auth/login", {
      body: { phone, password: "correct-horse-9" },
    });
    expect(login.body.data).toMatchObject({ tokenType: "Bearer", token: expect.stringMatching(/^tvs_/) });
    const token = login.body.data.token as string;

    const pin = await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } });
    expect(pin.body).toMatchObject({ success: true, data: { pinSet: true, changed: false } });

    const balance = await call(app, "GET", "/api/wallet/balance", { token });
    expect(balance.body).toMatchObject({
      success: true,
      data: { balanceKobo: 0, heldKobo: 0, availableKobo: 0, currency: "NGN" },
    });
    const me = await call(app, "GET", "/api/auth/me", { token });
    expect(me.body.data.identities).toEqual([
      { channel: "api", externalId: phone, linkedAt: expect.any(String) },
    ]);
  });

  it("pages the wallet statement with a cursor, money as integer kobo", async () => {
    const phone = uniquePhone();
    const token = await registerAndLogin(app, phone);
    const me = await call(app, "GET", "/api/auth/me", { token });
    const ctx = makeCtx(tdb.db);
    const userId = me.body.data.id as string;
    await creditWallet({
      ctx,
      input: {
        userId,
        amountKobo: 500_000,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "Funding",
        idempotencyKey: "f1",
        actor: "system",
      },
    });
    for (let i = 1; i <= 4; i++) {
      await debitWallet({
        ctx,
        input: {
          userId,
          amountKobo: 10_000 * i,
          counterparty: SYSTEM_ACCOUNTS.vtuClearing,
          description: `Airtime ${i}`,
          idempotencyKey: `d${i}`,
          actor: "system",
        },
      });
    }
    const first = await call(app, "GET", "/api/wallet/transactions?limit=3", { token });
    expect(first.body.data.items.map((t: { amountKobo: number }) => t.amountKobo)).toEqual([
      -40_000, -30_000, -20_000,
    ]);
    expect(first.body.data.items[0].balanceAfterKobo).toBe(400_000);
    const second = await call(
      app,
      "GET",
      `/api/wallet/transactions?limit=3&cursor=${first.body.data.nextCursor}`,
      { token },
    );
    expect(second.body.data.items.map((t: { amountKobo: number }) => t.amountKobo)).toEqual([
      -10_000, 500_000,
    ]);
    expect(second.body.data.nextCursor).toBeNull();
    const bad = await call(app, "GET", "/api/wallet/transactions?cursor=nonsense", { token });
    expectErrorEnvelope(bad, 400, "VALIDATION_ERROR");
    await expectLedgerConsistent(tdb.db);
  });

  it("gives a login session (not an API key) a code to link another chat; logs out: the token stops working", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const link = await call(app, "POST", "/api/auth/link-code", { token });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    expect(link.body.data.linkCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(Date.parse(link.body.data.expiresAt)).toBeGreaterThan(Date.now());
    const key = await call(app, "POST", "/api/api-keys", { token, body: { name: "Shop" } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    expectErrorEnvelope(
      await call(app, "POST", "/api/auth/link-code", { token: key.body.data.key }),
      401,
      "SESSION_REQUIRED",
    );
    expect((await call(app, "POST", "/api/auth/logout", { token })).status).toBe(200);
    expectErrorEnvelope(await call(app, "GET", "/api/wallet/balance", { token }), 401, "INVALID_TOKEN");
  });

  it("reports health of the database and the job backend", async () => {
    const res = await call(app, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: "ok",
      checks: { database: { ok: true }, jobs: { ok: true, backend: "postgres" } },
    });
    const down = makeTestApp(tdb.db, { jobsOk: false }).app;
    const degraded = await call(down, "GET", "/healthz");
    expectErrorEnvelope(degraded, 503, "UNHEALTHY");
    expect(degraded.body.details).toMatchObject({ status: "degraded", checks: { jobs: { ok: false } } });
    // call() checks /api answers only; /healthz is held to its documented 200 and 503 bodies here.
    const document = await conformanceOf(app);
    expect(document.check("GET", "/healthz", 200, res.body)).toEqual([]);
    expect(document.check("GET", "/healthz", 503, degraded.body)).toEqual([]);
    const undescribed = { ...degraded.body, details: { status: "down" } };
    expect(document.check("GET", "/healthz", 503, undescribed).join()).toMatch(/details/);
  });
});

describe("API keys", () => {
  it("creates, lists, authenticates with, and revokes a reseller key", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const created = await call(app, "POST", "/api/api-keys", { token, body: { name: "My shop" } });
    expect(created.status).toBe(201);
    const key = created.body.data.key as string;
    expect(key).toMatch(/^tvk_/);
    const list = await call(app, "GET", "/api/api-keys", { token });
    expect(list.body.data.items).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(key);

    expect((await call(app, "GET", "/api/wallet/balance", { token: key })).status).toBe(200);
    // A key cannot mint more keys.
    expectErrorEnvelope(
      await call(app, "POST", "/api/api-keys", { token: key, body: { name: "x" } }),
      401,
      "SESSION_REQUIRED",
    );

    const revoked = await call(app, "DELETE", `/api/api-keys/${created.body.data.id}`, { token });
    expect(revoked.body.data.revokedAt).toEqual(expect.any(String));
    expectErrorEnvelope(
      await call(app, "GET", "/api/wallet/balance", { token: key }),
      401,
      "INVALID_API_KEY",
    );
  });
});

describe("errors use the envelope", () => {
  it("404 for an unknown route", async () => {
    expectErrorEnvelope(await call(app, "GET", "/api/nope"), 404, "NOT_FOUND");
  });

  it("an unknown page is an HTML 404 for a browser; API clients and API paths keep the envelope", async () => {
    const browser = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const page = await app.request("/giftt/abc", { headers: browser });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<h1>Page not found</h1>");
    const script = await app.request("/giftt/abc", { headers: { accept: "application/json" } });
    expect(script.status).toBe(404);
    expect(((await script.json()) as { code: string }).code).toBe("NOT_FOUND");
    const api = await app.request("/api/nope", { headers: browser });
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("405 with Allow for a wrong method on a real route", async () => {
    const res = await call(app, "DELETE", "/api/wallet/balance");
    expectErrorEnvelope(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("allow")).toContain("GET");
  });

  it("400 for invalid JSON", async () => {
    expectErrorEnvelope(
      await call(app, "POST", "/api/auth/login", { raw: "{not json" }),
      400,
      "INVALID_JSON",
    );
  });

  it("415 for a body that is not JSON", async () => {
    const res = await call(app, "POST", "/api/auth/login", {
      raw: "phone=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectErrorEnvelope(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("413 for an oversize body", async () => {
    const res = await call(app, "POST", "/api/auth/login", {
      raw: JSON.stringify({ phone: "x".repeat(70_000), password: "y" }),
    });
    expectErrorEnvelope(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("400 with field details for validation errors and unknown fields (S8)", async () => {
    const res = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "correct-horse-9", role: "admin", balanceKobo: 100 },
    });
    expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
    expect(JSON.stringify(res.body.details)).toContain("role");
    const phone = await call(app, "POST", "/api/auth/register", {
      body: { phone: "12345", password: "correct-horse-9" },
    });
    expectErrorEnvelope(phone, 400, "INVALID_PHONE");
  });

  it("401 without credentials or with a bad token", async () => {
    expectErrorEnvelope(await call(app, "GET", "/api/wallet/balance"), 401, "UNAUTHENTICATED");
    expectErrorEnvelope(
      await call(app, "GET", "/api/wallet/balance", { token: "tvs_forged" }),
      401,
      "INVALID_TOKEN",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/auth/login", {
        body: { phone: uniquePhone(), password: "wrong-password" },
      }),
      401,
      "INVALID_CREDENTIALS",
    );
  });

  it("409 for a duplicate registration", async () => {
    const phone = uniquePhone();
    await registerAndLogin(app, phone);
    expectErrorEnvelope(
      await call(app, "POST", "/api/auth/register", { body: { phone, password: "correct-horse-9" } }),
      409,
      "PHONE_TAKEN",
    );
  });

  it("429 past the auth rate limit", async () => {
    const strict = makeTestApp(tdb.db, { config: testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "3" }) }).app;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (
          await call(strict, "POST", "/api/auth/login", {
            body: { phone: uniquePhone(), password: "wrong-password" },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("500 for an unexpected error, logged but never echoed", async () => {
    const broken = createDb(tdb.url.replace(/\/[^/]+$/, "/no_such_database"), { poolSize: 1 });
    try {
      const { app: brokenApp, logs } = makeTestApp(broken);
      const res = await call(brokenApp, "POST", "/api/auth/login", {
        body: { phone: uniquePhone(), password: "x-password" },
      });
      expectErrorEnvelope(res, 500, "INTERNAL_ERROR");
      expect(String(res.body.error)).not.toMatch(/no_such_database|database|pg/i);
      expect(logs()).toContain("unhandled error");
      expect(logs()).toContain("no_such_database");
    } finally {
      await broken.destroy();
    }
  });
});

describe("S6: one user never sees another's resources", () => {
  it("answers 404 for user A's API key to user B, and B's balance is B's own", async () => {
    const tokenA = await registerAndLogin(app, uniquePhone());
    const tokenB = await registerAndLogin(app, uniquePhone());
    const keyA = await call(app, "POST", "/api/api-keys", { token: tokenA, body: { name: "A" } });
    expectErrorEnvelope(
      await call(app, "DELETE", `/api/api-keys/${keyA.body.data.id}`, { token: tokenB }),
      404,
      "NOT_FOUND",
    );
    expect((await call(app, "GET", "/api/api-keys", { token: tokenB })).body.data.items).toEqual([]);

    const meA = await call(app, "GET", "/api/auth/me", { token: tokenA });
    await creditWallet({
      ctx: makeCtx(tdb.db),
      input: {
        userId: meA.body.data.id,
        amountKobo: 70_000,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "Funding",
        idempotencyKey: "s6",
        actor: "system",
      },
    });
    expect((await call(app, "GET", "/api/wallet/balance", { token: tokenA })).body.data.balanceKobo).toBe(
      70_000,
    );
    expect((await call(app, "GET", "/api/wallet/balance", { token: tokenB })).body.data.balanceKobo).toBe(0);
    expect((await call(app, "GET", "/api/wallet/transactions", { token: tokenB })).body.data.items).toEqual(
      [],
    );
    await expectLedgerConsistent(tdb.db);
  });
});

describe("S11: a PIN never reaches the logs", () => {
  it("keeps the sentinel PIN 9137 out of every log line across the PIN flows", async () => {
    const sentinel = "9137";
    const captured = captureLogger();
    const { app: logged } = makeTestApp(tdb.db, { logger: captured.logger });
    const phone = uniquePhone();
    const token = await registerAndLogin(logged, phone);
    await call(logged, "POST", "/api/auth/pin", { token, body: { pin: sentinel } });
    await call(logged, "POST", "/api/auth/pin", { token, body: { pin: "4826", currentPin: sentinel } });
    await call(logged, "POST", "/api/auth/pin", { token, body: { pin: sentinel, currentPin: "0000" } });
    for (let i = 0; i < 5; i++) {
      await call(logged, "POST", "/api/auth/pin", { token, body: { pin: "5173", currentPin: sentinel } });
    }
    const forgot = await call(logged, "POST", "/api/auth/forgot-pin", { token });
    expect(forgot.status).toBe(202);
    const code = /sandboxResetCode":"(\d{6})/.exec(captured.text())?.[1];
    expect(code).toBeDefined();
    await call(logged, "POST", "/api/auth/reset-pin", { token, body: { resetCode: code, newPin: sentinel } });
    await call(logged, "POST", "/api/auth/pin", { token, body: { pin: "bad", currentPin: sentinel } });
    // Also when the logger is handed a PIN directly, by mistake.
    captured.logger.info({ pin: sentinel, body: { newPin: sentinel, currentPin: sentinel } }, "accidental");

    const text = captured.text();
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toContain("[REDACTED]");
    expectNoPin(text, sentinel);
    // Phone numbers are masked in logs.
    expect(text).not.toContain(phone);
  });
});

describe("forgot PIN: the code is in the answer in sandbox mode only", () => {
  it("answers sandboxResetCode in sandbox mode (it resets the PIN), and never in live mode", async () => {
    // Its own app: the file's other tests spend the shared app's per-address sign-up allowance.
    const app = makeTestApp(tdb.db, { config: testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000" }) }).app;
    const token = await registerAndLogin(app, uniquePhone());
    await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } });
    const forgot = await call(app, "POST", "/api/auth/forgot-pin", { token });
    expect(forgot.status).toBe(202);
    expect(forgot.body).toMatchObject({
      success: true,
      data: { sandboxResetCode: expect.stringMatching(/^\d{6}$/), expiresAt: expect.any(String) },
      message: expect.stringContaining("SANDBOX"),
    });
    const reset = await call(app, "POST", "/api/auth/reset-pin", {
      token,
      body: { resetCode: forgot.body.data.sandboxResetCode, newPin: "4826" },
    });
    expect(reset.body).toMatchObject({ success: true, data: { pinSet: true } });
    const changed = await call(app, "POST", "/api/auth/pin", {
      token,
      body: { pin: "2580", currentPin: "4826" },
    });
    expect(changed.body).toMatchObject({ success: true, data: { changed: true } });

    const live = makeTestApp(tdb.db, {
      config: testConfig({
        SANDBOX_MODE: "off",
        INLOMAX_API_KEY: "inlomax-live-key",
        FLUTTERWAVE_SECRET_KEY: "FLWSECK-live",
        FLUTTERWAVE_SECRET_HASH: "a-secret-hash-0123456789",
      }),
    }).app;
    const phone = uniquePhone();
    const liveToken = await registerAndLogin(live, phone);
    const liveForgot = await call(live, "POST", "/api/auth/forgot-pin", { token: liveToken });
    expect(liveForgot.status).toBe(202);
    expect(liveForgot.body.data).not.toHaveProperty("sandboxResetCode");
    expect(liveForgot.body.message).not.toContain("SANDBOX");
    const note = await tdb.db
      .selectFrom("notifications as n")
      .innerJoin("users as u", "u.id", "n.user_id")
      .select("n.body")
      .where("u.phone", "=", phone)
      .where("n.kind", "=", "pin_reset_code")
      .executeTakeFirstOrThrow();
    const code = /\b(\d{6})\b/.exec(note.body)?.[1] ?? "";
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(liveForgot.body)).not.toContain(code);
  });
});
