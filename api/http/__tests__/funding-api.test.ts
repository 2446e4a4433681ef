import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { queuedPayments } from "../../../test/helpers/payments";
import { createPaymentGateway } from "../../providers/payment-gateway";
import { listPaymentsForAdmin } from "../../services/admins/payments";
import { type PaymentsRuntime, reconcileFunding, webhookSecretHash } from "../../services/funding";

/** The funding and withdrawal API and pages over HTTP, on the sandbox gateway (the embedded default). */
let tdb: TestDatabase;
let app: TestApp;
let payments: PaymentsRuntime;
let jobs: ReturnType<typeof queuedPayments>;
const config = testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000", SANDBOX_PENDING_SECONDS: "0" });

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  jobs = queuedPayments(createPaymentGateway({ config, db: tdb.db }), webhookSecretHash(config));
  payments = jobs.payments;
  app = makeTestApp(tdb.db, { config, payments }).app;
});
afterAll(() => tdb.destroy());

const drain = () => jobs.drain(makeCtx(tdb.db, { config }));

async function userWithPin() {
  const token = await registerAndLogin(app, uniquePhone());
  const pin = await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } });
  expect(pin.status).toBe(200);
  return token;
}

async function fund(token: string, amountKobo: number, action: "pay" | "fail" = "pay") {
  const res = await call(app, "POST", "/api/wallet/fund", { token, body: { amountKobo } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const intent = res.body.data.intent;
  const path = new URL(intent.checkoutUrl).pathname;
  const page = await app.request(path);
  expect(page.status).toBe(200);
  const submit = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `action=${action}`,
  });
  expect(submit.status).toBe(303);
  const location = submit.headers.get("location") ?? "";
  expect(location).toMatch(/^\/fund\/callback\?/);
  return { intent, location };
}

const balanceOf = async (token: string) =>
  (await call(app, "GET", "/api/wallet/balance", { token })).body.data;

describe("funding over HTTP (sandbox gateway)", () => {
  it("checkout page → pay → result page; the balance grows by exactly the intent amount", async () => {
    const token = await userWithPin();
    const { intent, location } = await fund(token, 250_000);
    await drain();
    const result = await app.request(location);
    const html = await result.text();
    expect(html).toContain("Payment received");
    expect(html).toContain("₦2,500");
    expect((await balanceOf(token)).balanceKobo).toBe(250_000);
    const status = await call(app, "GET", `/api/wallet/fund/${intent.txRef}`, { token });
    expect(status.body.data.intent.status).toBe("credited");
    await expectLedgerConsistent(tdb.db);
  });

  it("a failure while the redirect confirms shows 'not confirmed yet' (never a 500); the webhook still credits", async () => {
    const captured = captureLogger();
    const broken: PaymentsRuntime = {
      ...payments,
      gateway: {
        ...payments.gateway,
        verifyById: async () => {
          throw new Error("Connection terminated unexpectedly");
        },
      },
    };
    const flaky = makeTestApp(tdb.db, { config, payments: broken, logger: captured.logger }).app;
    const token = await userWithPin();
    const { intent, location } = await fund(token, 150_000);
    const page = await flaky.request(location);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Your bank has not confirmed it yet");
    expect(html).not.toContain("Something went wrong");
    expect(captured.text()).toContain("payment redirect could not confirm");
    expect((await balanceOf(token)).balanceKobo).toBe(0);
    await drain(); // the webhook's job, which is how the money moves
    expect((await balanceOf(token)).balanceKobo).toBe(150_000);
    const status = await call(app, "GET", `/api/wallet/fund/${intent.txRef}`, { token });
    expect(status.body.data.intent.status).toBe("credited");
    await expectLedgerConsistent(tdb.db);
  });

  it("an old result link shows the balance after that payment, not today's; a tampered link shows nothing", async () => {
    const token = await userWithPin();
    const first = await fund(token, 100_000);
    await drain();
    const second = await fund(token, 200_000);
    await drain();
    expect((await balanceOf(token)).balanceKobo).toBe(300_000);
    const old = await (await app.request(first.location)).text();
    expect(old).toContain("₦1,000");
    expect(old).not.toContain("₦3,000");
    // The second payment's transaction id under the first payment's tx_ref.
    const tampered = new URL(first.location, "http://x");
    tampered.searchParams.set(
      "transaction_id",
      new URL(second.location, "http://x").searchParams.get("transaction_id") ?? "",
    );
    const html = await (await app.request(`${tampered.pathname}${tampered.search}`)).text();
    expect(html).toContain("We are checking this payment");
    expect(html).not.toContain('data-testid="balance"');
    expect(html).not.toContain(first.intent.txRef);
  });

  it("a failed checkout credits nothing and says so", async () => {
    const token = await userWithPin();
    const { location } = await fund(token, 100_000, "fail");
    await drain();
    expect(await (await app.request(location)).text()).toContain("Payment failed");
    expect((await balanceOf(token)).balanceKobo).toBe(0);
  });

  it("declined, then paid on the same checkout with the webhook lost: reconciliation credits once (issue 13 #4)", async () => {
    const token = await userWithPin();
    const { intent, location } = await fund(token, 250_000, "fail");
    await drain();
    const declinedPage = await (await app.request(location)).text();
    expect(declinedPage).toContain("Payment failed");
    // "Try again" is the same checkout (open for another try), never a dead end.
    expect(declinedPage).toContain(`href="${intent.checkoutUrl}" data-testid="try-again"`);
    // Not only chats start top-ups: the page points back to wherever this one began.
    expect(declinedPage).toContain("start a new top-up where you began this one (the chat, or your app)");
    const status = async () =>
      (await call(app, "GET", `/api/wallet/fund/${intent.txRef}`, { token })).body.data.intent.status;
    expect(await status()).toBe("failed");

    // Like Flutterwave's hosted page, the checkout stays open for another try after a declined card.
    const checkoutPath = new URL(intent.checkoutUrl).pathname;
    const reopened = await (await app.request(checkoutPath)).text();
    expect(reopened).toContain("The last attempt was declined");
    expect(reopened).toContain("Pay ₦2,500");

    // Attempt 2 is paid at the gateway, but its webhook is lost and the payer never comes back.
    const sandbox = payments.gateway.sandbox;
    if (!sandbox) {
      throw new Error("the sandbox gateway has its checkout");
    }
    const retry = await sandbox.settleCheckout(intent.txRef, "pay");
    expect(retry.status).toBe("successful");
    const attempts = await payments.gateway.listPayments(intent.txRef);
    expect(attempts.found === true && attempts.attempts.map((a) => a.status)).toEqual([
      "successful",
      "failed",
    ]);
    expect((await balanceOf(token)).balanceKobo).toBe(0);

    const ctx = makeCtx(tdb.db, { config });
    await reconcileFunding({ ctx, payments });
    expect((await balanceOf(token)).balanceKobo).toBe(250_000);
    expect(await status()).toBe("credited");
    await reconcileFunding({ ctx, payments });
    expect((await balanceOf(token)).balanceKobo).toBe(250_000);

    // Everyone sees the truth: the paid checkout is closed, the result link says paid, the admin list too.
    const paidCheckout = await (await app.request(checkoutPath)).text();
    expect(paidCheckout).toContain("This payment is complete: ₦2,500 went to your TADA VTU wallet.");
    expect(paidCheckout).not.toContain("Pay ₦2,500");
    const paidLink = new URLSearchParams({
      status: "successful",
      tx_ref: intent.txRef,
      transaction_id: retry.transactionId,
    });
    expect(await (await app.request(`/fund/callback?${paidLink}`)).text()).toContain("Payment received");
    const [row] = await listPaymentsForAdmin(ctx, { kind: "funding", status: "credited", limit: 1000 }).then(
      (rows) => rows.filter((r) => r.reference === intent.txRef),
    );
    expect(row).toMatchObject({ status: "credited", amountKobo: 250_000 });
    await expectLedgerConsistent(tdb.db);
  });

  it("refuses amounts outside the limits, unknown fields, and strangers' intents", async () => {
    const token = await userWithPin();
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/fund", { token, body: { amountKobo: 500 } }),
      400,
      "AMOUNT_OUT_OF_RANGE",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/fund", { token, body: { amountKobo: 100_000, bonus: 1 } }),
      400,
      "VALIDATION_ERROR",
    );
    const mine = await call(app, "POST", "/api/wallet/fund", { token, body: { amountKobo: 100_000 } });
    const other = await userWithPin();
    expectErrorEnvelope(
      await call(app, "GET", `/api/wallet/fund/${mine.body.data.intent.id}`, { token: other }),
      404,
      "FUNDING_NOT_FOUND",
    );
    expect((await app.request("/fund/sandbox/TADA-NOPE")).status).toBe(404);
  });

  it("the webhook route answers 401 to a wrong hash and 200 to the sandbox's signed event", async () => {
    const body = JSON.stringify({
      event: "charge.completed",
      data: { id: 1, tx_ref: "TADA-X", status: "successful" },
    });
    const wrong = await app.request("/api/webhooks/flutterwave", {
      method: "POST",
      headers: { "verif-hash": "nope" },
      body,
    });
    expect(wrong.status).toBe(401);
    const right = await app.request("/api/webhooks/flutterwave", {
      method: "POST",
      headers: { "verif-hash": payments.webhookSecretHash },
      body,
    });
    expect(right.status).toBe(200);
  });
});

describe("withdrawals over HTTP (sandbox gateway)", () => {
  const A = { bankCode: "058", accountNumber: "0123456789" };
  const NAME = "ADAEZE OKAFOR (SANDBOX)";

  it("resolve → confirm the name → withdraw; amount + fee leave the wallet once", async () => {
    const token = await userWithPin();
    await fund(token, 500_000);
    await drain();
    const banks = (await call(app, "GET", "/api/wallet/banks", { token })).body.data;
    expect(banks.items).toContainEqual({ code: "058", name: "Guaranty Trust Bank" });
    expect(banks).toEqual({ items: banks.items, nextCursor: null, banks: banks.items });
    const resolved = await call(app, "POST", "/api/wallet/withdraw/resolve", { token, body: A });
    expect(resolved.body.data.account).toMatchObject({ accountName: NAME, bankName: "Guaranty Trust Bank" });
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/withdraw", {
        token,
        body: { ...A, amountKobo: 100_000, pin: "2580" },
      }),
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
    );
    const headers = { "idempotency-key": "wd-http-1" };
    const unconfirmed = await call(app, "POST", "/api/wallet/withdraw", {
      token,
      headers,
      body: { ...A, amountKobo: 100_000, pin: "2580" },
    });
    expectErrorEnvelope(unconfirmed, 400, "ACCOUNT_NAME_CONFIRMATION_REQUIRED");
    expect(unconfirmed.body.details).toMatchObject({ accountName: NAME });
    const body = { ...A, amountKobo: 100_000, pin: "2580", accountName: NAME };
    const created = await call(app, "POST", "/api/wallet/withdraw", { token, headers, body });
    expect(created.status).toBe(201);
    const again = await call(app, "POST", "/api/wallet/withdraw", { token, headers, body });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    await drain();
    const done = await call(app, "GET", `/api/wallet/withdrawals/${created.body.data.withdrawal.id}`, {
      token,
    });
    expect(done.body.data.withdrawal.state).toBe("successful");
    expect(await balanceOf(token)).toMatchObject({ balanceKobo: 500_000 - 105_000, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("a transfer to an account ending 0001 fails and is refunded; 0000 does not resolve", async () => {
    const token = await userWithPin();
    await fund(token, 500_000);
    await drain();
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/withdraw/resolve", {
        token,
        body: { bankCode: "058", accountNumber: "0123450000" },
      }),
      422,
      "ACCOUNT_NOT_FOUND",
    );
    const created = await call(app, "POST", "/api/wallet/withdraw", {
      token,
      headers: { "idempotency-key": "wd-http-2" },
      body: {
        bankCode: "058",
        accountNumber: "0123450001",
        amountKobo: 100_000,
        pin: "2580",
        accountName: NAME,
      },
    });
    expect(created.status).toBe(201);
    await drain();
    const done = await call(app, "GET", `/api/wallet/withdrawals/${created.body.data.withdrawal.id}`, {
      token,
    });
    expect(done.body.data.withdrawal.state).toBe("failed");
    expect(await balanceOf(token)).toMatchObject({ balanceKobo: 500_000, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("the same Idempotency-Key with a different body is a 409 and moves nothing; the same body is replayed", async () => {
    const token = await userWithPin();
    await fund(token, 500_000);
    await drain();
    const headers = { "idempotency-key": "wd-http-reuse" };
    const body = { ...A, amountKobo: 100_000, pin: "2580", accountName: NAME };
    const created = await call(app, "POST", "/api/wallet/withdraw", { token, headers, body });
    expect(created.status).toBe(201);
    const first = created.body.data.withdrawal;

    // Each field that changes where money goes, or how much, makes it another request.
    for (const changed of [
      { amountKobo: 100_001 },
      { bankCode: "044" }, // the same account number at another bank
      { accountNumber: "0123456788" },
      { accountName: "SOMEONE ELSE" },
    ]) {
      const reused = await call(app, "POST", "/api/wallet/withdraw", {
        token,
        headers,
        body: { ...body, ...changed },
      });
      expectErrorEnvelope(reused, 409, "IDEMPOTENCY_KEY_REUSED");
      expect(reused.body.error).toMatch(/already used for a different request.*new key/i);
      expect(reused.headers.get("idempotent-replayed")).toBeNull();
    }

    // The PIN is not part of the request's identity: a replay moves nothing, so it is not asked
    // again (as for VTU purchases), and a wrong one neither counts nor changes the answer.
    const replay = await call(app, "POST", "/api/wallet/withdraw", {
      token,
      headers,
      body: { ...body, pin: "1357" },
    });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.data.withdrawal.id).toBe(first.id);
    // The confirmed name is compared as the service compares it (case and punctuation aside).
    const sameName = await call(app, "POST", "/api/wallet/withdraw", {
      token,
      headers,
      body: { ...body, accountName: "adaeze okafor sandbox" },
    });
    expect(sameName.status).toBe(200);
    expect(sameName.body.data.withdrawal.id).toBe(first.id);

    await drain();
    const { user_id: owner } = await tdb.db
      .selectFrom("withdrawals")
      .select("user_id")
      .where("id", "=", first.id)
      .executeTakeFirstOrThrow();
    const all = await tdb.db.selectFrom("withdrawals").select("id").where("user_id", "=", owner).execute();
    expect(all).toEqual([{ id: first.id }]);
    expect(await balanceOf(token)).toMatchObject({ balanceKobo: 500_000 - 105_000, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("a wrong PIN moves no money", async () => {
    const token = await userWithPin();
    await fund(token, 500_000);
    await drain();
    const res = await call(app, "POST", "/api/wallet/withdraw", {
      token,
      headers: { "idempotency-key": "wd-http-3" },
      body: { ...A, amountKobo: 100_000, pin: "1357", accountName: NAME },
    });
    expectErrorEnvelope(res, 422, "INCORRECT_PIN");
    expect(await balanceOf(token)).toMatchObject({ balanceKobo: 500_000, heldKobo: 0 });
  });
});
