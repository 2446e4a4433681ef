import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminBrowser, adminSignIn } from "../../../test/helpers/admin-browser";
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
import { createAdmin, createAdminApiKey } from "../../services/admins";
import { type PaymentsRuntime, sweepPayments, webhookSecretHash } from "../../services/funding";
import { getWalletBalance } from "../../services/wallet";

/**
 * Bank-transfer funding over HTTP (issue 17), on the sandbox gateway: the transfer-account API, the
 * one-time KYC page (the BVN in no answer and no log line), the sandbox bank page, and the admin's
 * held-transfer decisions (panel forms and JSON API).
 */
const BVN = "22212345678";
const ADMIN_PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let app: TestApp;
let payments: PaymentsRuntime;
const captured = captureLogger();
let jobs: ReturnType<typeof queuedPayments>;
const config = testConfig({
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
  SANDBOX_PENDING_SECONDS: "0",
  // A fee, so a credit after review is visibly "less the transfer fee": 1%, at most ₦200.
  TRANSFER_FEE_BPS: "100",
  TRANSFER_FEE_CAP_KOBO: "20000",
});
const ctx = () => makeCtx(tdb.db, { config, logger: captured.logger });

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  jobs = queuedPayments(createPaymentGateway({ config, db: tdb.db }), webhookSecretHash(config));
  payments = jobs.payments;
  app = makeTestApp(tdb.db, { config, payments, logger: captured.logger }).app;
});
afterAll(() => tdb.destroy());

const drain = () => jobs.drain(ctx());

async function customer() {
  const token = await registerAndLogin(app, uniquePhone());
  const me = await call(app, "GET", "/api/auth/me", { token });
  return { token, userId: me.body.data.id as string };
}

async function kycPath(token: string): Promise<string> {
  const res = await call(app, "POST", "/api/wallet/transfer-account/kyc-link", { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const url = new URL(res.body.data.url as string);
  expect(url.origin).toBe(config.publicBaseUrl);
  expect(url.pathname).toMatch(/^\/kyc\/kyc_[A-Za-z0-9_-]+$/);
  expect(Date.parse(res.body.data.expiresAt as string)).toBeGreaterThan(Date.now());
  return url.pathname;
}

function postForm(path: string, fields: Record<string, string>) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

const balanceOf = async (userId: string) => (await getWalletBalance({ ctx: ctx(), userId })).balanceKobo;

describe("transfer account API", () => {
  it("GET /api/wallet/transfer-account: no account yet, level basic, the fee in words and numbers; needs a sign-in", async () => {
    const { token } = await customer();
    const res = await call(app, "GET", "/api/wallet/transfer-account", { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.transferAccount).toMatchObject({
      account: null,
      pending: false,
      bvnLast3: null,
      refusedReason: null,
      level: { level: 0, name: "basic", permanentAccount: true },
      fee: "a fee of 1% (at most ₦200)",
      feeRule: { bps: 100, flatKobo: 0, capKobo: 20000 },
    });
    expectErrorEnvelope(await call(app, "GET", "/api/wallet/transfer-account"), 401, "UNAUTHENTICATED");
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/transfer-account/kyc-link"),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("POST /api/wallet/transfer-account/dynamic: 201 with a one-time account; the amount is checked", async () => {
    const { token } = await customer();
    const res = await call(app, "POST", "/api/wallet/transfer-account/dynamic", {
      token,
      body: { amountKobo: 500_000 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.account).toMatchObject({
      kind: "dynamic",
      status: "active",
      accountNumber: expect.stringMatching(/^\d{10}$/),
      bankName: "TADA Sandbox Bank",
      amountKobo: 500_000,
      expiresAt: expect.any(String),
    });
    // The payer sends the amount plus the fee, so the wallet gets exactly ₦5,000.
    const { totalKobo, feeKobo } = res.body.data.account;
    expect(feeKobo).toBeGreaterThan(0);
    expect(totalKobo - feeKobo).toBe(500_000);
    const low = await call(app, "POST", "/api/wallet/transfer-account/dynamic", {
      token,
      body: { amountKobo: 1 },
    });
    expectErrorEnvelope(low, 400, "AMOUNT_OUT_OF_RANGE");
    expect(low.body.error).toContain("₦100");
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/transfer-account/dynamic", {
        token,
        body: { amountKobo: "5000" },
      }),
      400,
      "VALIDATION_ERROR",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/transfer-account/dynamic", {
        token,
        body: { amountKobo: 500_000, bvn: BVN },
      }),
      400,
      "VALIDATION_ERROR",
    );
  });
});

describe("KYC page /kyc/:token", () => {
  it("GET shows the form (no-store, no referrer, a CSP) without using the link; a wrong BVN keeps it", async () => {
    const { token } = await customer();
    const path = await kycPath(token);
    for (let i = 0; i < 2; i++) {
      const page = await app.request(path);
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect(page.headers.get("referrer-policy")).toBe("no-referrer");
      expect(page.headers.get("content-security-policy")).toMatch(
        /default-src 'none'.*script-src 'sha256-[A-Za-z0-9+/=]+'/,
      );
      const html = await page.text();
      expect(html).toContain("Dial *565*0# to see your BVN");
      expect(html).toMatch(/<input[^>]*id="bvn"[^>]*inputmode="numeric"/);
      expect(html).toMatch(/<input[^>]*id="bvn"[^>]*autocomplete="off"/);
      expect(html).toMatch(/<label for="bvn">/);
    }
    const typed = "2221234567"; // 10 digits
    const wrong = await postForm(path, { bvn: typed, first_name: "Ada", last_name: "Okafor" });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).not.toContain(typed);
    expect(html).toMatch(
      /<input[^>]*id="bvn"[^>]*aria-invalid="true"[^>]*aria-describedby="bvn-hint bvn-error"/,
    );
    expect(html).toContain('id="bvn-error"');
    expect(html).toContain("A BVN is 11 digits");
    expect(html).toContain('value="Okafor"');
    // A wrong name is tied to its own field; the BVN typed with it does not come back either.
    const name = await postForm(path, { bvn: BVN, first_name: "Ada", last_name: "<b>" });
    expect(name.status).toBe(400);
    const nameHtml = await name.text();
    expect(nameHtml).toMatch(/<input[^>]*id="lastName"[^>]*aria-invalid="true"/);
    expect(nameHtml).not.toContain(BVN);
    expect(nameHtml).not.toContain("<b>");
    expect((await app.request(path)).status).toBe(200);
  });

  it("a right form opens the account: bank, number, name, masked BVN; used once; the BVN in no answer or log", async () => {
    const { token, userId } = await customer();
    const path = await kycPath(token);
    const res = await postForm(path, { bvn: "222 1234 5678", first_name: "Ada", last_name: "Okafor" });
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
    const html = await res.text();
    expect(html).not.toContain(BVN);
    expect(html).not.toContain("222 1234 5678");
    expect(html).toContain("•••••••• 678");
    expect(html).toContain("TADA Sandbox Bank");
    expect(html).toContain("Go back to the chat");
    const funding = (await call(app, "GET", "/api/wallet/transfer-account", { token })).body.data
      .transferAccount;
    expect(funding).toMatchObject({
      pending: false,
      bvnLast3: "678",
      level: { level: 1, name: "verified" },
      account: { kind: "static", status: "active", accountNumber: expect.stringMatching(/^\d{10}$/) },
    });
    expect(html).toContain(funding.account.accountNumber);
    expect(html).toContain(funding.account.accountName);
    // The link is spent: GET and POST both say so.
    expect((await app.request(path)).status).toBe(410);
    const again = await postForm(path, { bvn: BVN, first_name: "Ada", last_name: "Okafor" });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("expired or was already used");
    // Another customer with the same BVN: refused, in words.
    const other = await customer();
    const duplicate = await postForm(await kycPath(other.token), {
      bvn: BVN,
      first_name: "Ada",
      last_name: "Okafor",
    });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.text()).toContain("This BVN is already in use");
    // The access log has the path without its token; nothing anywhere has the BVN.
    expect(captured.text()).toContain("/kyc/[REDACTED]");
    expect(captured.text()).not.toContain(path.slice(5));
    expect(captured.text()).not.toContain(BVN);
    expect(
      JSON.stringify(
        await tdb.db.selectFrom("chat_outbox").selectAll().where("user_id", "=", userId).execute(),
      ),
    ).not.toContain(BVN);
  });

  it("a BVN the bank refuses (sandbox: ending 000) says so and what to do", async () => {
    const { token } = await customer();
    const res = await postForm(await kycPath(token), {
      bvn: "22212345000",
      first_name: "Ada",
      last_name: "Okafor",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("The bank did not accept this BVN");
    expect(html).toContain("ask for your account number in the chat again");
    expect(html).not.toContain("22212345000");
    const funding = await call(app, "GET", "/api/wallet/transfer-account", { token });
    expect(funding.body.data.transferAccount).toMatchObject({ account: null, bvnLast3: null });
  });

  it("an unknown token is 410 and the form too large is 413, never a 5xx", async () => {
    expect((await app.request("/kyc/kyc_nope")).status).toBe(410);
    expect((await postForm("/kyc/kyc_nope", { bvn: BVN, first_name: "A", last_name: "B" })).status).toBe(410);
    const big = await postForm("/kyc/kyc_nope", { bvn: "1".repeat(20_000) });
    expect(big.status).toBe(413);
  });
});

describe("sandbox bank page /sandbox/bank", () => {
  it("lists issued accounts; '5,000' to a static account credits ₦5,000 less the fee, once", async () => {
    const { token, userId } = await customer();
    await postForm(await kycPath(token), { bvn: "22299988877", first_name: "Bola", last_name: "Ade" });
    const account = (await call(app, "GET", "/api/wallet/transfer-account", { token })).body.data
      .transferAccount.account;
    const list = await app.request("/sandbox/bank");
    expect(list.status).toBe(200);
    const listed = await list.text();
    expect(listed).toContain(account.accountNumber);
    expect(listed).toContain("SANDBOX");
    expect(listed).toContain("the same webhook three times at once");

    const sent = await postForm("/sandbox/bank", {
      account_number: account.accountNumber,
      amount: "5,000",
      sender_name: "Chidi Obi",
      delivery: "duplicate",
    });
    expect(sent.status).toBe(200);
    const html = await sent.text();
    expect(html).toContain("Sent <strong>₦5,000</strong> from Chidi Obi");
    expect(html).toContain("delivered 3 times at once");
    await drain();
    expect(await balanceOf(userId)).toBe(500_000 - 5_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a late webhook is a row the payments sweeper delivers when due, once (no timer to lose)", async () => {
    const { token, userId } = await customer();
    await postForm(await kycPath(token), { bvn: "22299988866", first_name: "Ife", last_name: "Ola" });
    const account = (await call(app, "GET", "/api/wallet/transfer-account", { token })).body.data
      .transferAccount.account;
    const sent = await postForm("/sandbox/bank", {
      account_number: account.accountNumber,
      amount: "2000",
      sender_name: "Late Payer",
      delivery: "late",
    });
    expect(sent.status).toBe(200);
    await drain();
    expect(await balanceOf(userId)).toBe(0); // nothing delivered yet
    // SANDBOX_PENDING_SECONDS is 0 here: due at once. Two sweeps racing deliver it once.
    const sweeps = await Promise.all([
      sweepPayments({ ctx: ctx(), payments }),
      sweepPayments({ ctx: ctx(), payments }),
    ]);
    expect(sweeps.map((s) => s.lateWebhooks).sort()).toEqual([0, 1]);
    await drain();
    expect(await balanceOf(userId)).toBe(200_000 - 2_000);
    expect((await sweepPayments({ ctx: ctx(), payments })).lateWebhooks).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("says what is wrong in words: an amount that is not naira, a number it never issued, no delivery", async () => {
    const cases: [Record<string, string>, number, string][] = [
      [
        { account_number: "8000000001", amount: "5.555", delivery: "normal" },
        400,
        "is not an amount in naira",
      ],
      [{ account_number: "8000000001", amount: "0", delivery: "normal" }, 400, "Send between ₦1 and"],
      [{ account_number: "1234567890", amount: "5000", delivery: "normal" }, 404, "never issued 1234567890"],
      [{ account_number: "12", amount: "5000", delivery: "normal" }, 400, "An account number is 10 digits"],
      [{ account_number: "8000000001", amount: "5000", delivery: "carrier pigeon" }, 400, "Choose how"],
    ];
    for (const [fields, status, words] of cases) {
      const res = await postForm("/sandbox/bank", fields);
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect(await res.text(), JSON.stringify(fields)).toContain(words);
    }
  });
});

describe("held transfers: the admin panel's decisions and the admin API", () => {
  let payers = 0;
  /** A dynamic account for ₦1,000 paid ₦1,234: held (wrong amount). */
  async function heldTransfer() {
    const owner = await customer();
    const dynamic = await call(app, "POST", "/api/wallet/transfer-account/dynamic", {
      token: owner.token,
      body: { amountKobo: 100_000 },
    });
    expect(dynamic.status, JSON.stringify(dynamic.body)).toBe(201);
    const payer = `Wrong Amount ${++payers}`;
    const res = await postForm("/sandbox/bank", {
      account_number: dynamic.body.data.account.accountNumber,
      amount: "1234",
      sender_name: payer,
      delivery: "normal",
    });
    expect(res.status).toBe(200);
    await drain();
    const row = await tdb.db
      .selectFrom("bank_transfers")
      .select(["id", "status", "suspense_reason", "user_id"])
      .where("payer_name", "=", payer)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "suspense", suspense_reason: "wrong_amount", user_id: owner.userId });
    return row;
  }

  it("panel: support looks; an admin must tick the confirmation, then credits; deciding again is refused", async () => {
    const ctx0 = ctx();
    await createAdmin({
      ctx: ctx0,
      input: { email: "ops@tada.test", name: "Ops", password: ADMIN_PASSWORD, role: "admin" },
    });
    await createAdmin({
      ctx: ctx0,
      input: { email: "help@tada.test", name: "Help", password: ADMIN_PASSWORD, role: "support" },
    });
    const held = await heldTransfer();
    const owner = held.user_id ?? "";

    const support = adminBrowser(app);
    await adminSignIn(support, "help@tada.test", ADMIN_PASSWORD);
    const seen = await support.request("GET", "/admin/transfers");
    expect(seen.res.status).toBe(200);
    expect(seen.html).toContain(held.id);
    expect(seen.html).toContain("not the amount this one-time account number was for");
    expect(seen.html).not.toContain("Credit to customer");
    const forged = await support.request("POST", `/admin/transfers/${held.id}/credit`, {
      csrf: (await support.request("GET", "/admin")).csrf,
      reason: "support tries",
      confirm: "yes",
    });
    expect(forged.res.status).toBe(403);

    const b = adminBrowser(app);
    await adminSignIn(b, "ops@tada.test", ADMIN_PASSWORD);
    const page = await b.request("GET", "/admin/transfers");
    expect(page.html).toContain("Credit to customer");
    expect(page.html).toContain("Return to payer");
    const unconfirmed = await b.request("POST", `/admin/transfers/${held.id}/credit`, {
      csrf: page.csrf,
      reason: "payer called us",
    });
    expect(unconfirmed.res.status).toBe(400);
    expect(unconfirmed.html).toContain("tick the box to confirm");
    expect(await balanceOf(owner)).toBe(0);
    const nobody = await b.request("POST", `/admin/transfers/${held.id}/credit`, {
      csrf: page.csrf,
      userId: "usr_nobody",
      reason: "payer called us",
      confirm: "yes",
    });
    expect(nobody.res.status).toBe(404);
    expect(nobody.html).toContain("That customer was not found.");

    const done = await b.request("POST", `/admin/transfers/${held.id}/credit`, {
      csrf: page.csrf,
      reason: "payer called us",
      confirm: "yes",
    });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get("location")).toBe("/admin/transfers?status=all&done=credit");
    // ₦1,234 less 1% (₦12.34).
    expect(await balanceOf(owner)).toBe(123_400 - 1_234);
    const again = await b.request("POST", `/admin/transfers/${held.id}/return`, {
      csrf: page.csrf,
      reason: "changed my mind",
      confirm: "yes",
    });
    expect(again.res.status).toBe(409);
    expect(again.html).toContain("already decided");
    const after = await b.request("GET", "/admin/transfers?status=all");
    expect(after.html).toContain("payer called us");

    // The customer's page: the level by name and number, no BVN, no account number.
    const detail = await b.request("GET", `/admin/users/${owner}`);
    expect(detail.html).toContain("basic (level 0)");
    expect(detail.html).toMatch(/<option value="1">verified \(1\)<\/option>/);
    await expectLedgerConsistent(tdb.db);
  });

  it("admin API: lists held transfers and returns one to the payer; a support key may only look", async () => {
    const ctx0 = ctx();
    const boss = await createAdmin({
      ctx: ctx0,
      input: { email: "api-admin@tada.test", name: "Api", password: ADMIN_PASSWORD, role: "admin" },
    });
    const helper = await createAdmin({
      ctx: ctx0,
      input: { email: "api-help@tada.test", name: "Help", password: ADMIN_PASSWORD, role: "support" },
    });
    const adminKey = (await createAdminApiKey({ ctx: ctx0, admin: boss, input: { name: "t" } })).key;
    const supportKey = (await createAdminApiKey({ ctx: ctx0, admin: helper, input: { name: "t" } })).key;
    const held = await heldTransfer();

    const list = await call(app, "GET", "/api/admin/transfers?status=suspense", { token: supportKey });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.data.items).toContainEqual(
      expect.objectContaining({ id: held.id, status: "suspense", reason: "wrong_amount", paidKobo: 123_400 }),
    );
    expectErrorEnvelope(
      await call(app, "GET", "/api/admin/transfers?status=lost", { token: supportKey }),
      400,
      "VALIDATION_ERROR",
    );
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/transfers/${held.id}/resolve`, {
        token: supportKey,
        body: { action: "return", reason: "support tries" },
      }),
      403,
      "ROLE_REQUIRED",
    );
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/transfers/${held.id}/resolve`, {
        token: adminKey,
        body: { action: "return" },
      }),
      400,
      "VALIDATION_ERROR",
    );
    const returned = await call(app, "POST", `/api/admin/transfers/${held.id}/resolve`, {
      token: adminKey,
      body: { action: "return", reason: "refunded on the dashboard" },
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.data.transfer).toMatchObject({
      id: held.id,
      status: "returned",
      resolvedBy: boss.id,
      resolution: "refunded on the dashboard",
    });
    expect(await balanceOf(held.user_id ?? "")).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });
});
