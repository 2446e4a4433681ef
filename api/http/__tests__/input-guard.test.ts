import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminBrowser, adminSignIn } from "../../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { giftVisitor, openGiftRoom } from "../../../test/helpers/gift-page";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import { PAYMENT_JOBS } from "../../jobs/definitions";
import { createPaymentGateway } from "../../providers/payment-gateway";
import { createAdmin } from "../../services/admins";
import type { ServiceContext } from "../../services/context";
import { type PaymentJob, type PaymentsRuntime, webhookSecretHash } from "../../services/funding";
import { SYSTEM_ACCOUNTS } from "../../services/ledger";
import { creditWallet } from "../../services/wallet";

/**
 * Issue 13 §5: the HTTP edge refuses NUL, lone surrogates and text that is not UTF-8 in paths,
 * queries, JSON bodies and forms with a 400 that names the field (the API's envelope, or a page), so
 * no such value reaches PostgreSQL; the Idempotency-Key header is checked; and a signed payment
 * webhook is never refused for its characters: it is stored escaped and still credits.
 */
const WEBHOOK_TOKEN = "guard-webhook-token-0123456789abcdef";
const config = testConfig({
  SANDBOX_MODE: "on",
  PROVIDER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
  GIFT_CLAIMS_PER_MINUTE_PER_IP: "100000",
  VTU_RESPONSE_WAIT_MS: "0",
});
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let payments: PaymentsRuntime;
let token: string;
const queued: PaymentJob[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  payments = {
    gateway: createPaymentGateway({ config, db: tdb.db }),
    webhookSecretHash: webhookSecretHash(config),
    async dispatch(job) {
      queued.push(job);
    },
  };
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu, payments }).app;
  token = await registerAndLogin(app, uniquePhone());
  await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } });
  const me = await call(app, "GET", "/api/auth/me", { token });
  await creditWallet({
    ctx,
    input: {
      userId: me.body.data.id as string,
      amountKobo: 1_000_000,
      counterparty: SYSTEM_ACCOUNTS.paymentClearing,
      description: "test funding",
      idempotencyKey: "guard-funding",
      actor: "system:test",
    },
  });
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

/** Run the payment jobs the webhook queued, as the worker would. */
async function drain() {
  const byName = new Map(PAYMENT_JOBS.map((d) => [d.name, d]));
  for (let job = queued.shift(); job; job = queued.shift()) {
    const definition = byName.get(job.name);
    const { name: _n, ...rest } = job;
    const { dedupe: _d, ...data } = rest as Record<string, unknown>;
    await definition?.handle(
      { ctx: () => ctx, payments, logger: ctx.logger },
      definition.payload.parse(data),
    );
  }
}

function expectRefused(res: Awaited<ReturnType<typeof call>>, field: string, where: string, what: RegExp) {
  expectErrorEnvelope(res, 400, "INVALID_CHARACTERS");
  expect(res.body.details).toEqual([
    { field, in: where, message: expect.stringMatching(/^contains .+, which is not allowed$/) },
  ]);
  expect(String(res.body.error)).toMatch(what);
}

describe("the API answers 400 naming the field", () => {
  it("a NUL in a path parameter: GET /api/vtu/orders/%00", async () => {
    const res = await call(app, "GET", "/api/vtu/orders/%00", { token });
    expectRefused(res, "id", "path", /NUL \(U\+0000\)/);
    expect(res.body.error).toBe(
      'The path parameter "id" contains a character that is not allowed: NUL (U+0000). Remove it and send the request again.',
    );
  });

  it("a NUL in a query value and in a query name", async () => {
    expectRefused(
      await call(app, "GET", "/api/wallet/transactions?cursor=a%00b", { token }),
      "cursor",
      "query",
      /"cursor" contains .*NUL/,
    );
    expectRefused(
      await call(app, "GET", "/api/vtu/networks?%00=1"),
      "(query)",
      "query",
      /query parameter name/,
    );
  });

  it("a NUL in a JSON field at register: nothing is created", async () => {
    const phone = uniquePhone();
    const res = await call(app, "POST", "/api/auth/register", {
      body: { phone, password: "correct-horse-9", name: "Ada\u0000" },
    });
    expectRefused(res, "name", "body", /^"name" contains a character that is not allowed: NUL/);
    const users = await tdb.db.selectFrom("users").select("id").where("phone", "=", phone).execute();
    expect(users).toEqual([]);
  });

  it("a lone surrogate in a nested value and in an object key; a real emoji passes", async () => {
    const room = (quiz: object) =>
      call(app, "POST", "/api/gift-rooms/create", {
        token,
        headers: { "idempotency-key": `guard-room-${Math.random()}` },
        body: { kind: "airtime", amountKobo: 10_000, capacity: 1, mode: "quiz", quiz, pin: TEST_PIN },
      });
    expectRefused(
      await room({ question: "Capital of Nigeria?", answers: ["Abuja", "x\ud800"] }),
      "quiz.answers[1]",
      "body",
      /unpaired UTF-16 surrogate \(U\+D800\)/,
    );
    expectRefused(
      await room({ question: "Capital?", answers: ["Abuja"], "\udc00": 1 }),
      "quiz",
      "body",
      /^A field name inside "quiz" contains .*U\+DC00/,
    );
    const ok = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "correct-horse-9", name: "Ada 😀" },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.data.displayName).toBe("Ada 😀");
  });

  it("a body that is not UTF-8, a body nested too deep, a provider webhook with a NUL", async () => {
    const bytes = Buffer.concat([Buffer.from('{"phone":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const notUtf8 = await app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bytes,
    });
    expect(notUtf8.status).toBe(400);
    expect(await notUtf8.json()).toMatchObject({ code: "INVALID_CHARACTERS", error: /not valid UTF-8/ });

    const deep = await call(app, "POST", "/api/auth/login", {
      raw: `${'{"a":'.repeat(40)}1${"}".repeat(40)}`,
    });
    expectErrorEnvelope(deep, 400, "VALIDATION_ERROR");
    expect(deep.body.error).toMatch(/nested more than 32 levels/);

    // Provider webhooks only trigger a requery, so refusing one loses nothing.
    expectRefused(
      await call(app, "POST", `/api/webhooks/inlomax/${WEBHOOK_TOKEN}`, {
        body: { reference: "x", status: "success", message: "ok\u0000" },
      }),
      "message",
      "body",
      /NUL/,
    );
  });
});

describe("a body declared in a charset other than UTF-8 is a 415", () => {
  const login = (contentType: string, body: string | Buffer) =>
    app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
  const json = JSON.stringify({ phone: uniquePhone(), password: "wrong-password" });

  it("UTF-16, labelled as it is or over UTF-8 bytes, quoted or not, in any case", async () => {
    for (const [type, body] of [
      ["application/json;charset=UTF-16", json],
      ["application/json; charset=utf-16le", Buffer.from(json, "utf16le")],
      ['application/json; charset="ISO-8859-1"', json],
    ] as const) {
      const res = await login(type, body);
      expect(res.status, type).toBe(415);
      const answer = (await res.json()) as Record<string, unknown>;
      expect(answer).toMatchObject({
        success: false,
        code: "UNSUPPORTED_MEDIA_TYPE",
        error: expect.stringMatching(/we accept UTF-8 only/),
        details: [{ field: "Content-Type", in: "header", message: expect.stringMatching(/only utf-8/) }],
      });
    }
  });

  it("UTF-8, said in any case or quoted, or no charset at all, is read", async () => {
    for (const type of [
      "application/json",
      "application/json; charset=UTF-8",
      'application/json;charset="utf-8"',
    ]) {
      const res = await login(type, json);
      expect(res.status, type).toBe(401); // read, and the password is wrong
    }
  });
});

describe("pages answer with a page that says what was wrong", () => {
  it("GET /fund/callback?tx_ref=%00, unauthenticated, is a 400 page, not a 500", async () => {
    const res = await app.request("/fund/callback?tx_ref=%00");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("That request could not be used");
    expect(html).toContain(
      "The query parameter &quot;tx_ref&quot; contains a character that is not allowed: NUL",
    );
  });

  it("a gift claim form with a NUL answer claims nothing", async () => {
    const { room } = await openGiftRoom(ctx, {
      capacity: 2,
      mode: "quiz",
      quiz: { question: "Capital of Nigeria?", answers: ["Abuja"] },
    });
    const visitor = giftVisitor(app);
    const page = await visitor.get(`/gift/${room.token}`);
    const res = await visitor.post(room.token, {
      csrf: page.csrf ?? "",
      action: "claim",
      phone: sandboxPhone(),
      answer: "Abuja\u0000",
    });
    expect(res.res.status).toBe(400);
    expect(res.html).toContain("The form field &quot;answer&quot; contains a character that is not allowed");
    const claims = await tdb.db
      .selectFrom("gift_claims")
      .select("id")
      .where("room_id", "=", room.id)
      .execute();
    expect(claims).toEqual([]);
  });

  it("an unreadable multipart form at the admin sign-in is a 400 page", async () => {
    await createAdmin({
      ctx,
      input: { email: "guard@tada.test", name: "Guard", password: "correct-horse-battery-9", role: "admin" },
    });
    const b = adminBrowser(app);
    const signed = await adminSignIn(b, "guard@tada.test", "correct-horse-battery-9");
    expect(signed.res.status).toBe(303);
    const res = await app.request("/admin/login", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zz" },
      body: "--zz\r\ngarbage",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The form could not be read");
    const nul = await app.request("/admin/users?q=%00", {
      headers: { cookie: `tada_admin=${b.jar.get("tada_admin")}` },
    });
    expect(nul.status).toBe(400);
    expect(await nul.text()).toContain("The query parameter &quot;q&quot;");
  });
});

describe("Idempotency-Key", () => {
  const buy = (key: string) =>
    call(app, "POST", "/api/vtu/airtime", {
      token,
      headers: { "idempotency-key": key },
      body: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });

  it("is 1-255 visible ASCII characters; anything else is a 400 that says so", async () => {
    const long = await buy("k".repeat(10_000));
    expectErrorEnvelope(long, 400, "INVALID_IDEMPOTENCY_KEY");
    expect(long.body.error).toMatch(/1–255 visible ASCII characters.*got 10000 characters/);
    expectErrorEnvelope(await buy("k".repeat(256)), 400, "INVALID_IDEMPOTENCY_KEY");
    const odd = await buy("caf\u00e9 1");
    expectErrorEnvelope(odd, 400, "INVALID_IDEMPOTENCY_KEY");
    expect(odd.body.error).toMatch(/non-ASCII/);
    expectErrorEnvelope(await buy("a\u0001b"), 400, "INVALID_IDEMPOTENCY_KEY");
    const fine = await buy("k".repeat(255));
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    const orders = await tdb.db.selectFrom("vtu_orders").select("id").execute();
    expect(orders).toHaveLength(1);
  });
});

describe("a signed Flutterwave webhook is never refused for its characters", () => {
  async function paidIntent(amountKobo: number) {
    const res = await call(app, "POST", "/api/wallet/fund", { token, body: { amountKobo } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const intent = res.body.data.intent as { txRef: string };
    // The payer pays; the gateway's own webhook is lost, ours below is the only one.
    const tx = await payments.gateway.sandbox?.settleCheckout(intent.txRef, "pay");
    return { intent, transactionId: Number(tx?.transactionId) };
  }

  const signedWebhook = (rawBody: string) =>
    app.request("/api/webhooks/flutterwave", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "flutterwave-signature": createHmac("sha256", payments.webhookSecretHash)
          .update(rawBody)
          .digest("base64"),
      },
      body: rawBody,
    });

  it("stores a NUL and a lone surrogate escaped, verifies the raw bytes, and credits once", async () => {
    const before = (await call(app, "GET", "/api/wallet/balance", { token })).body.data.balanceKobo as number;
    const { intent, transactionId } = await paidIntent(150_000);
    // Raw JSON text, exactly as signed: the escapes are what a sender's JSON encoder writes.
    const rawBody = `{"event":"charge.completed","data":{"id":${transactionId},"tx_ref":"${intent.txRef}","status":"successful","amount":1500,"currency":"NGN","customer":{"name":"Ada\\u0000Obi","email":"ada@tada.test"},"narration":"top-up \\ud800","meta":{"\\u0000":"x"}}}`;
    const res = await signedWebhook(rawBody);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ data: { received: true, outcome: "stored" } });
    const stored = await tdb.db
      .selectFrom("payment_webhook_events")
      .select("payload")
      .where("event_key", "=", `charge.completed:${transactionId}`)
      .executeTakeFirstOrThrow();
    const payload = stored.payload as {
      data: { customer: { name: string }; narration: string; meta: object };
    };
    expect(payload.data.customer.name).toBe("Ada\\u0000Obi");
    expect(payload.data.narration).toBe("top-up \\ud800");
    expect(payload.data.meta).toEqual({ "\\u0000": "x" });

    // The same event again is a duplicate, not a second credit.
    expect((await signedWebhook(rawBody)).status).toBe(200);
    await drain();
    const status = await call(app, "GET", `/api/wallet/fund/${intent.txRef}`, { token });
    expect(status.body.data.intent.status).toBe("credited");
    const after = (await call(app, "GET", "/api/wallet/balance", { token })).body.data.balanceKobo as number;
    expect(after - before).toBe(150_000);
  });

  it("still refuses a bad signature with 401 before reading anything", async () => {
    const res = await app.request("/api/webhooks/flutterwave", {
      method: "POST",
      headers: { "content-type": "application/json", "flutterwave-signature": "bad" },
      body: '{"event":"charge.completed","data":{"id":1,"tx_ref":"\\u0000"}}',
    });
    expect(res.status).toBe(401);
  });
});

describe("ids a URL can carry but no bigint column can hold", () => {
  it("are 'not found' pages, not 500s", async () => {
    await createAdmin({
      ctx,
      input: {
        email: "ids@tada.test",
        name: "Ids",
        password: "correct-horse-battery-9",
        role: "super_admin",
      },
    });
    const b = adminBrowser(app);
    await adminSignIn(b, "ids@tada.test", "correct-horse-battery-9");
    // One CSRF token per session (the sign-out form on the home page carries it).
    const { csrf } = await b.request("GET", "/admin");
    for (const path of ["/admin/approvals/abc", "/admin/approvals/99999999999999999999"]) {
      const res = await b.request("POST", path, { csrf, decision: "approve" });
      expect(res.res.status, path).toBe(404);
      expect(res.html).toContain("Approval request was not found");
    }
    const res = await b.request("POST", "/admin/alerts/99999999999999999999/resolve", {
      csrf,
      reason: "checked",
    });
    expect(res.res.status).toBe(404);
    expect(res.html).toContain("That alert was not found");
  });
});
