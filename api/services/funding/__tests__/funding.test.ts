import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FlutterwaveEmulator,
  startFlutterwaveEmulator,
} from "../../../../test/emulators/flutterwave-emulator";
import { captureLogger, makeCtx, testConfig } from "../../../../test/helpers/context";
import { countingDb } from "../../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { createTestUser } from "../../../../test/helpers/fixtures";
import { call, makeTestApp, type TestApp } from "../../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { queuedPayments } from "../../../../test/helpers/payments";
import { createFlutterwaveGateway } from "../../../providers/flutterwave/client";
import { adminPaymentDetail, listPaymentsForAdmin } from "../../admins/payments";
import type { ServiceContext } from "../../context";
import { isUniqueViolation } from "../../db-errors";
import { getSystemAccountId, getWalletAccountId, postEntry, SYSTEM_ACCOUNTS } from "../../ledger";
import { setOrChangePin } from "../../pins";
import { getWalletBalance } from "../../wallet";
import {
  confirmPayment,
  createFundingIntent,
  createWithdrawal,
  type PaymentsRuntime,
  reconcileFunding,
  requeryWithdrawal,
  showFundingResult,
  sweepPayments,
} from "..";

/**
 * Funding and withdrawals against a local server speaking Flutterwave v3, through the real client
 * and the real HTTP webhook route (raw bytes, both header styles). reliability.md §3: W1–W7, W9.
 */
const SECRET_HASH = "test-secret-hash-0123456789";
let tdb: TestDatabase;
let ctx: ServiceContext;
let logs: () => string;
let flw: FlutterwaveEmulator;
let payments: PaymentsRuntime;
let app: TestApp;
let jobs: ReturnType<typeof queuedPayments>;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 30 });
  const captured = captureLogger();
  logs = captured.text;
  flw = await startFlutterwaveEmulator({ secretKey: "FLWSECK_TEST-emulator", secretHash: SECRET_HASH });
  const config = testConfig({
    FLUTTERWAVE_SECRET_KEY: flw.secretKey,
    FLUTTERWAVE_SECRET_HASH: SECRET_HASH,
    FLUTTERWAVE_BASE_URL: flw.url,
    WITHDRAWAL_FEE_KOBO: "5000",
  });
  ctx = makeCtx(tdb.db, { config, logger: captured.logger });
  jobs = queuedPayments(
    createFlutterwaveGateway({ baseUrl: flw.url, secretKey: flw.secretKey, timeoutMs: 500 }),
    SECRET_HASH,
  );
  payments = jobs.payments;
  app = makeTestApp(tdb.db, { config, logger: captured.logger, payments }).app;
});
afterAll(async () => {
  await flw?.close();
  await tdb?.destroy();
});

const drain = () => jobs.drain(ctx);

async function newIntent(amountKobo = 250_000) {
  const user = await createTestUser(tdb.db);
  const intent = await createFundingIntent({
    ctx,
    payments,
    userId: user.id,
    channel: "api",
    input: { amountKobo },
  });
  return { user, intent };
}

const balance = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;
const credits = async (txRef: string) =>
  (
    await tdb.db
      .selectFrom("journal_entries")
      .select("id")
      .where((eb) => eb(eb.fn("jsonb_extract_path_text", [eb.ref("metadata"), eb.val("txRef")]), "=", txRef))
      .execute()
  ).length;

function postWebhook(delivery: { rawBody: string; headers: Record<string, string> }) {
  return app.request("/api/webhooks/flutterwave", {
    method: "POST",
    headers: { "content-type": "application/json", ...delivery.headers },
    body: delivery.rawBody,
  });
}

describe("funding through Flutterwave", () => {
  it("creates a checkout at the gateway for intent + fee, with our tx_ref", async () => {
    const { intent } = await newIntent(250_000);
    expect(intent.checkoutUrl).toContain(intent.txRef);
    const checkout = flw.checkouts.find((c) => c.txRef === intent.txRef);
    expect(checkout).toBeDefined();
    expect(intent).toMatchObject({ status: "pending", amountKobo: 250_000, feeKobo: 0, totalKobo: 250_000 });
  });

  it("W3 + W4: the same webhook 50× concurrently plus the redirect verify → exactly one credit", async () => {
    const { user, intent } = await newIntent(250_000);
    const txId = flw.pay(intent.txRef);
    const delivery = flw.webhookPayloadFor(intent.txRef);
    const responses = await Promise.all(Array.from({ length: 50 }, () => postWebhook(delivery)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const events = await tdb.db
      .selectFrom("payment_webhook_events")
      .select(["deliveries"])
      .where("event_key", "=", `charge.completed:${txId}`)
      .execute();
    expect(events).toEqual([{ deliveries: 50 }]);
    await Promise.all([
      drain(),
      showFundingResult({ ctx, payments, txRef: intent.txRef, transactionId: txId }),
      drain(),
    ]);
    expect(await balance(user.id)).toBe(250_000);
    expect(await credits(intent.txRef)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("W9: flutterwave-signature over the raw bytes is accepted; the same JSON re-serialised is not", async () => {
    const { user, intent } = await newIntent(100_000);
    flw.pay(intent.txRef);
    const signed = flw.webhookPayloadFor(intent.txRef, { scheme: "flutterwave-signature" });
    const reformatted = JSON.stringify(JSON.parse(signed.rawBody), null, 2);
    const bad = await postWebhook({ rawBody: reformatted, headers: signed.headers });
    expect(bad.status).toBe(401);
    expect((await postWebhook(signed)).status).toBe(200);
    await drain();
    expect(await balance(user.id)).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("W1: a forged or missing hash is a 401, writes only an audit row, credits nothing", async () => {
    const { user, intent } = await newIntent(100_000);
    flw.pay(intent.txRef);
    const eventsBefore = (await tdb.db.selectFrom("payment_webhook_events").select("id").execute()).length;
    for (const scheme of ["forged", "none"] as const) {
      const res = await postWebhook(flw.webhookPayloadFor(intent.txRef, { scheme }));
      expect(res.status).toBe(401);
    }
    expect((await tdb.db.selectFrom("payment_webhook_events").select("id").execute()).length).toBe(
      eventsBefore,
    );
    const audits = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "webhook.rejected")
      .execute();
    expect(audits.length).toBeGreaterThanOrEqual(2);
    await drain();
    expect(await balance(user.id)).toBe(0);
  });

  it("W2 + W5: a correctly signed webhook with an altered amount credits the intent's amount; a short payment credits nothing and alerts", async () => {
    // The webhook lies about the amount; our verify call knows the truth (the full amount was paid).
    const honest = await newIntent(300_000);
    flw.pay(honest.intent.txRef);
    await postWebhook(flw.webhookPayloadFor(honest.intent.txRef, { data: { amount: 9_999_999 } }));
    await drain();
    expect(await balance(honest.user.id)).toBe(300_000);

    // The payer really paid less than asked: no credit, manual review, an alert line.
    const short = await newIntent(300_000);
    flw.pay(short.intent.txRef, { amountKobo: 100_000 });
    await postWebhook(flw.webhookPayloadFor(short.intent.txRef));
    await drain();
    expect(await balance(short.user.id)).toBe(0);
    const row = await tdb.db
      .selectFrom("funding_intents")
      .select(["status", "failure_reason"])
      .where("tx_ref", "=", short.intent.txRef)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("manual_review");
    expect(logs()).toMatch(/ALERT: verified payment does not match its funding intent/);
    await expectLedgerConsistent(tdb.db);
  });

  it("W5: a signed webhook pointing our intent at someone else's transaction credits nothing", async () => {
    const mine = await newIntent(200_000);
    const other = await newIntent(200_000);
    const otherTxId = flw.pay(other.intent.txRef);
    // Claims: "your tx_ref was paid by transaction <otherTxId>". Verify by id says that is other's.
    const forged = flw.webhookPayloadFor(other.intent.txRef, {
      data: { tx_ref: mine.intent.txRef, id: Number(otherTxId) },
    });
    expect((await postWebhook(forged)).status).toBe(200);
    await drain();
    expect(await balance(mine.user.id)).toBe(0);
    expect(logs()).toMatch(/ALERT: webhook tx_ref and verified tx_ref differ/);
  });

  it("W6 + W7: a payment whose webhook never came, on an expired intent, is credited by the reconciliation", async () => {
    const { user, intent } = await newIntent(150_000);
    await tdb.db
      .updateTable("funding_intents")
      .set({ expires_at: new Date(Date.now() - 3_600_000) })
      .where("tx_ref", "=", intent.txRef)
      .execute();
    flw.pay(intent.txRef); // no webhook is sent
    const before = await reconcileFunding({ ctx, payments });
    expect(before.outcomes.credited).toBeGreaterThanOrEqual(1);
    expect(await balance(user.id)).toBe(150_000);
    await reconcileFunding({ ctx, payments }); // again: nothing more
    expect(await credits(intent.txRef)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("a declined payment marks the intent failed; the gateway being down changes nothing", async () => {
    const { user, intent } = await newIntent(100_000);
    const txId = flw.fail(intent.txRef);
    expect(
      (await confirmPayment({ ctx, payments, txRef: intent.txRef, transactionId: txId, source: "redirect" }))
        .outcome,
    ).toBe("failed");
    const down = await newIntent(100_000);
    flw.pay(down.intent.txRef);
    flw.setPathMode("/transactions", "http_500");
    expect(
      (await confirmPayment({ ctx, payments, txRef: down.intent.txRef, source: "reconcile" })).outcome,
    ).toBe("unknown");
    flw.setPathMode("/transactions", undefined);
    expect(
      (await confirmPayment({ ctx, payments, txRef: down.intent.txRef, source: "reconcile" })).outcome,
    ).toBe("credited");
    expect(await balance(user.id)).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("a configured fee is charged on top, credited to revenue, and not to the wallet", async () => {
    const feeCtx = makeCtx(tdb.db, {
      config: testConfig({
        FUNDING_FEE_BPS: "150",
        FUNDING_FEE_FLAT_KOBO: "1000",
        FUNDING_FEE_CAP_KOBO: "200000",
      }),
      logger: ctx.logger,
    });
    const user = await createTestUser(tdb.db);
    const intent = await createFundingIntent({
      ctx: feeCtx,
      payments,
      userId: user.id,
      channel: "api",
      input: { amountKobo: 1_000_000 },
    });
    // 1.5 % of ₦10,000 = ₦150, + ₦10 flat.
    expect(intent).toMatchObject({ amountKobo: 1_000_000, feeKobo: 16_000, totalKobo: 1_016_000 });
    expect(flw.checkouts.find((c) => c.txRef === intent.txRef)?.amountKobo).toBe(1_016_000);
    flw.pay(intent.txRef);
    expect((await confirmPayment({ ctx, payments, txRef: intent.txRef, source: "redirect" })).outcome).toBe(
      "credited",
    );
    expect(await balance(user.id)).toBe(1_000_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("credits in one call: intent checked and locked, entry, intent credited and the notification together", async () => {
    const { user, intent } = await newIntent(300_000);
    flw.pay(intent.txRef);
    const counting = countingDb(tdb.url);
    try {
      const result = await confirmPayment({
        ctx: { ...ctx, db: counting.db },
        payments,
        txRef: intent.txRef,
        source: "redirect",
      });
      expect(result.outcome).toBe("credited");
      expect(result.intent?.status).toBe("credited");
      // Find the intent, credit it (one call), read it back for the answer: no transaction around them.
      expect(counting.sent.filter((q) => /funding_credit_intent\(/.test(q))).toHaveLength(1);
      expect(counting.sent.some((q) => /^begin/i.test(q))).toBe(false);
    } finally {
      await counting.db.destroy();
    }
    expect(await balance(user.id)).toBe(300_000);
    const told = await tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", user.id)
      .where("kind", "=", "wallet.funded")
      .execute();
    expect(told.map((n) => n.body)).toEqual(["₦3,000 has been added to your wallet."]);
    await expectLedgerConsistent(tdb.db);
  });

  it("POST /api/wallet/fund needs a signed-in user", async () => {
    const res = await call(app, "POST", "/api/wallet/fund", { body: { amountKobo: 50 } });
    expect(res.status).toBe(401);
  });
});

describe("a paid retry on a tx_ref whose first attempt failed (issue 13 #4)", () => {
  const intentRow = (txRef: string) =>
    tdb.db
      .selectFrom("funding_intents")
      .select(["status", "gateway_tx_id", "failure_reason"])
      .where("tx_ref", "=", txRef)
      .executeTakeFirstOrThrow();

  /** Attempt 1 is declined and its webhook marks the intent failed, as it does in production. */
  async function failedFirstAttempt(amountKobo = 200_000) {
    const { user, intent } = await newIntent(amountKobo);
    const declined = flw.fail(intent.txRef);
    await postWebhook(flw.webhookPayloadFor(intent.txRef, { chargeId: declined }));
    await drain();
    expect((await intentRow(intent.txRef)).status).toBe("failed");
    return { user, intent, declined };
  }

  it("attempt 2 succeeds, its webhook is lost and the payer never returns: reconciliation credits it once", async () => {
    const { user, intent } = await failedFirstAttempt(200_000);
    const paid = flw.pay(intent.txRef); // no webhook, no redirect

    const summary = await reconcileFunding({ ctx, payments });
    expect(await balance(user.id)).toBe(200_000);
    expect(summary.credited).toBeGreaterThanOrEqual(1);
    expect(await intentRow(intent.txRef)).toMatchObject({
      status: "credited",
      gateway_tx_id: paid,
      failure_reason: null,
    });
    // The decision was made by verifying attempt 2 by its id.
    expect(flw.countRequests({ path: `/transactions/${paid}/verify` })).toBeGreaterThanOrEqual(1);

    await reconcileFunding({ ctx, payments }); // again: nothing more
    expect(await credits(intent.txRef)).toBe(1);
    expect(await balance(user.id)).toBe(200_000);

    // What people see: the admin list and the payment's page tell the truth.
    const [listed] = await listPaymentsForAdmin(ctx, { kind: "funding", userId: user.id });
    expect(listed).toMatchObject({ reference: intent.txRef, status: "credited" });
    const detail = await adminPaymentDetail(ctx, intent.id);
    expect(Object.fromEntries(detail.fields)).toMatchObject({
      Status: "credited",
      "Failure / review reason": "—",
      "Gateway transaction id": paid,
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("the webhook for attempt 2, arriving after attempt 1 failed the intent, credits (verified by the event's id)", async () => {
    const { user, intent, declined } = await failedFirstAttempt(150_000);
    const paid = flw.pay(intent.txRef);
    await postWebhook(flw.webhookPayloadFor(intent.txRef, { chargeId: paid }));
    await drain();
    expect(await balance(user.id)).toBe(150_000);
    expect(flw.countRequests({ path: `/transactions/${paid}/verify` })).toBeGreaterThanOrEqual(1);
    expect((await intentRow(intent.txRef)).status).toBe("credited");

    // Attempt 1's webhook once more, late (its inbox row cleared so it is processed again): a
    // declined attempt changes nothing on a credited intent.
    await tdb.db
      .deleteFrom("payment_webhook_events")
      .where("event_key", "=", `charge.completed:${declined}`)
      .execute();
    await postWebhook(flw.webhookPayloadFor(intent.txRef, { chargeId: declined }));
    await drain();
    expect(await intentRow(intent.txRef)).toMatchObject({ status: "credited", gateway_tx_id: paid });
    expect(await credits(intent.txRef)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("the redirect for attempt 2 after the intent failed credits through verify by id, and the page says so", async () => {
    const { user, intent } = await failedFirstAttempt(120_000);
    const paid = flw.pay(intent.txRef);
    const query = new URLSearchParams({ status: "successful", tx_ref: intent.txRef, transaction_id: paid });
    const page = await app.request(`/fund/callback?${query}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Payment received");
    expect(html).toContain("₦1,200");
    expect(await balance(user.id)).toBe(120_000);
    expect((await intentRow(intent.txRef)).status).toBe("credited");
    await expectLedgerConsistent(tdb.db);
  });

  it("webhook and reconciliation racing on the same paid retries credit each intent once", async () => {
    const runs = await Promise.all(Array.from({ length: 5 }, () => failedFirstAttempt(100_000)));
    const deliveries = runs.map(({ intent }) => {
      const paid = flw.pay(intent.txRef);
      return flw.webhookPayloadFor(intent.txRef, { chargeId: paid });
    });
    await Promise.all([
      (async () => {
        await Promise.all(deliveries.map((d) => postWebhook(d)));
        await drain();
      })(),
      reconcileFunding({ ctx, payments }),
      reconcileFunding({ ctx, payments }),
      ...runs.map(({ intent }) => confirmPayment({ ctx, payments, txRef: intent.txRef, source: "redirect" })),
    ]);
    await drain();
    for (const { user, intent } of runs) {
      expect(await credits(intent.txRef)).toBe(1);
      expect(await balance(user.id)).toBe(100_000);
    }
    await expectLedgerConsistent(tdb.db);
  });

  it("the database refuses a second credit entry for one intent or one gateway transaction", async () => {
    const { user, intent } = await newIntent(100_000);
    const paid = flw.pay(intent.txRef);
    await confirmPayment({ ctx, payments, txRef: intent.txRef, transactionId: paid, source: "redirect" });
    // A second credit written past the intent's row lock (a bug, a hand-run script): the UNIQUE
    // indexes on the ledger refuse it, whichever way it names the payment.
    const secondCredit = (metadata: Record<string, unknown>) =>
      tdb.db.transaction().execute(async (trx) =>
        postEntry(trx, {
          type: "wallet_credit",
          description: "a second credit for the same payment",
          actor: "test",
          postings: [
            { accountId: await getSystemAccountId(trx, SYSTEM_ACCOUNTS.paymentClearing), amount: -100_000 },
            { accountId: await getWalletAccountId(trx, user.id), amount: 100_000 },
          ],
          metadata,
        }),
      );
    for (const metadata of [
      { fundingIntentId: intent.id, txRef: intent.txRef },
      { fundingIntentId: "fnd_not_this_one", gatewayTxId: paid },
    ]) {
      const refused = await secondCredit(metadata).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isUniqueViolation(refused)).toBe(true);
    }
    expect(await balance(user.id)).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("an intent whose checkout expired longer ago than the window is not asked about; a pending one is closed", async () => {
    const windowHours = ctx.config.FUNDING_RECONCILE_WINDOW_HOURS;
    expect(windowHours).toBe(48);
    const longAgo = new Date(Date.now() - (windowHours + 2) * 3_600_000);
    const { user, intent } = await failedFirstAttempt(100_000);
    const unpaid = await newIntent(100_000);
    for (const txRef of [intent.txRef, unpaid.intent.txRef]) {
      await tdb.db
        .updateTable("funding_intents")
        .set({ expires_at: longAgo })
        .where("tx_ref", "=", txRef)
        .execute();
    }
    flw.pay(intent.txRef);
    const asked = (txRef: string) =>
      flw.countRequests((r) => r.path === "/transactions" && r.query.tx_ref === txRef);

    await reconcileFunding({ ctx, payments });

    expect(asked(intent.txRef)).toBe(0);
    expect(await balance(user.id)).toBe(0);
    expect((await intentRow(intent.txRef)).status).toBe("failed");
    // A pending intent is asked one last time, then closed (a later webhook or redirect still credits).
    expect(asked(unpaid.intent.txRef)).toBe(1);
    expect(await intentRow(unpaid.intent.txRef)).toMatchObject({
      status: "failed",
      failure_reason: "no payment received",
    });

    // Just inside the window it is asked, and credited.
    await tdb.db
      .updateTable("funding_intents")
      .set({ expires_at: new Date(Date.now() - (windowHours - 1) * 3_600_000) })
      .where("tx_ref", "=", intent.txRef)
      .execute();
    await reconcileFunding({ ctx, payments });
    expect(asked(intent.txRef)).toBe(1);
    expect(await balance(user.id)).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("an intent that throws, or whose gateway answers 500, does not stop the run: the next one is credited", async () => {
    // B throws: its paid attempt's id is already recorded on another, credited intent (bad data).
    const b = await failedFirstAttempt(100_000);
    const bPaid = flw.pay(b.intent.txRef);
    const other = await newIntent(100_000);
    const otherPaid = flw.pay(other.intent.txRef);
    await confirmPayment({
      ctx,
      payments,
      txRef: other.intent.txRef,
      transactionId: otherPaid,
      source: "redirect",
    });
    const setOtherGatewayId = (id: string) =>
      tdb.db
        .updateTable("funding_intents")
        .set({ gateway_tx_id: id })
        .where("id", "=", other.intent.id)
        .execute();
    await setOtherGatewayId(bPaid);
    // D cannot be verified: the gateway answers 500 for its paid attempt.
    const d = await failedFirstAttempt(100_000);
    const dPaid = flw.pay(d.intent.txRef);
    flw.setPathMode(`/transactions/${dPaid}/verify`, "http_500");
    // C comes after both and is fine.
    const c = await failedFirstAttempt(100_000);
    flw.pay(c.intent.txRef);

    try {
      const summary = await reconcileFunding({ ctx, payments });

      expect(await balance(c.user.id)).toBe(100_000);
      expect(await balance(b.user.id)).toBe(0);
      expect(await balance(d.user.id)).toBe(0);
      expect(summary.errors).toBe(1);
      expect(summary.credited).toBeGreaterThanOrEqual(1);
      expect(summary.outcomes.unknown).toBeGreaterThanOrEqual(1);
      expect(summary.checked).toBeGreaterThanOrEqual(3);
      expect(logs()).toContain("funding reconciliation: this intent failed; going on with the others");
      expect(logs()).toMatch(/ALERT: a credit for this payment already exists/);
    } finally {
      await setOtherGatewayId(otherPaid);
      flw.setPathMode(`/transactions/${dPaid}/verify`, undefined);
    }
    // Once the data is right and the gateway answers, the next run credits them.
    const next = await reconcileFunding({ ctx, payments });
    expect(next.errors).toBe(0);
    expect(await balance(b.user.id)).toBe(100_000);
    expect(await balance(d.user.id)).toBe(100_000);
    expect(await credits(b.intent.txRef)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("a paid retry below the intent's amount or in another currency is not credited; it goes to review", async () => {
    const short = await failedFirstAttempt(200_000);
    flw.pay(short.intent.txRef, { amountKobo: 199_999 });
    const dollars = await failedFirstAttempt(200_000);
    flw.pay(dollars.intent.txRef, { currency: "USD" });

    await reconcileFunding({ ctx, payments });

    for (const { user, intent } of [short, dollars]) {
      expect(await balance(user.id)).toBe(0);
      expect(await credits(intent.txRef)).toBe(0);
      expect((await intentRow(intent.txRef)).status).toBe("manual_review");
    }
    expect(logs()).toMatch(/ALERT: verified payment does not match its funding intent/);

    // A short attempt does not hide a full one on the same tx_ref (the payer paid twice): the full
    // one is credited and the other is flagged for a refund.
    const twice = await failedFirstAttempt(200_000);
    flw.pay(twice.intent.txRef, { amountKobo: 100_000 });
    const full = flw.pay(twice.intent.txRef);
    await reconcileFunding({ ctx, payments });
    expect(await balance(twice.user.id)).toBe(200_000);
    expect((await intentRow(twice.intent.txRef)).gateway_tx_id).toBe(full);
    expect(logs()).toMatch(/ALERT: more than one paid attempt on one tx_ref/);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("withdrawals to a bank account", () => {
  async function fundedUser(kobo: number) {
    const { user, intent } = await newIntent(kobo);
    flw.pay(intent.txRef);
    await confirmPayment({ ctx, payments, txRef: intent.txRef, source: "redirect" });
    await setOrChangePin({ ctx, userId: user.id, input: { pin: "2580" } });
    return user;
  }
  const withdraw = (
    userId: string,
    accountNumber: string,
    amountKobo: number,
    key: string,
    accountName?: string,
  ) =>
    createWithdrawal({
      ctx,
      payments,
      userId,
      idempotencyKey: key,
      input: { bankCode: "058", accountNumber, amountKobo, pin: "2580", accountName },
    });

  it("asks to confirm the resolved name before any money moves", async () => {
    const user = await fundedUser(200_000);
    await expect(withdraw(user.id, "0690000031", 100_000, "w-name")).rejects.toMatchObject({
      code: "ACCOUNT_NAME_CONFIRMATION_REQUIRED",
    });
    await expect(withdraw(user.id, "0690000031", 100_000, "w-name2", "SOMEONE ELSE")).rejects.toMatchObject({
      code: "ACCOUNT_NAME_MISMATCH",
    });
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(0);
  });

  it("a successful transfer posts the hold: amount + fee leave the wallet once", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000032", "successful");
    const { withdrawal } = await withdraw(user.id, "0690000032", 100_000, "w-ok", "CHIOMA ADAEZE OKONKWO");
    expect(withdrawal.state).toBe("held");
    await drain();
    expect(await balance(user.id)).toBe(200_000 - 105_000);
    const replay = await withdraw(user.id, "0690000032", 100_000, "w-ok", "CHIOMA ADAEZE OKONKWO");
    expect(replay.replayed).toBe(true);
    await drain();
    expect(flw.transfers.filter((t) => t.accountNumber === "0690000032")).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("L12: a withdrawal locks its accounts in id order, so a settlement locking them in order cannot deadlock it", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000035", "successful");
    const walletId = await getWalletAccountId(tdb.db, user.id);
    const clearingId = await getSystemAccountId(tdb.db, SYSTEM_ACCOUNTS.withdrawalsClearing);
    expect(clearingId).toBeLessThan(walletId);
    // A settlement (void or post of another withdrawal's hold) holds the clearing account and is about
    // to lock the wallet, as lockAccounts does: in ascending id order.
    const settlement = await tdb.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`SELECT id FROM accounts WHERE id = ${clearingId} FOR UPDATE`.execute(conn);
      const pending = withdraw(user.id, "0690000035", 50_000, "w-l12", "CHIOMA ADAEZE OKONKWO");
      pending.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400)); // the withdrawal is now waiting on a lock
      let settled = "committed";
      try {
        await sql`SET LOCAL lock_timeout = '5s'`.execute(conn);
        await sql`SELECT id FROM accounts WHERE id = ${walletId} FOR UPDATE`.execute(conn);
        await sql`COMMIT`.execute(conn);
      } catch (error) {
        settled = (error as Error).message;
        await sql`ROLLBACK`.execute(conn);
      }
      return {
        settled,
        withdrawal: await pending.then(
          () => "created",
          (e: Error) => e.message,
        ),
      };
    });
    expect(settlement).toEqual({ settled: "committed", withdrawal: "created" });
    await drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a transfer that fails later is voided exactly once, however many webhooks and requeries", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000033", "pending");
    const { withdrawal } = await withdraw(user.id, "0690000033", 100_000, "w-fail", "CHIOMA ADAEZE OKONKWO");
    await drain();
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(105_000);
    flw.completeTransfer(withdrawal.reference, "failed");
    const delivery = flw.transferWebhookPayloadFor(withdrawal.reference);
    await Promise.all(Array.from({ length: 10 }, () => postWebhook(delivery)));
    await Promise.all([drain(), requeryWithdrawal({ ctx, payments, withdrawalId: withdrawal.id }), drain()]);
    const wallet = await getWalletBalance({ ctx, userId: user.id });
    expect(wallet).toMatchObject({ balanceKobo: 200_000, heldKobo: 0 });
    const hold = await tdb.db
      .selectFrom("withdrawals as w")
      .innerJoin("holds as h", "h.id", "w.hold_id")
      .select(["h.status", "w.state"])
      .where("w.id", "=", withdrawal.id)
      .executeTakeFirstOrThrow();
    expect(hold).toEqual({ status: "voided", state: "failed" });
    await expectLedgerConsistent(tdb.db);
  });

  it("a transfer call that times out stays held and is settled by the sweeper's requery", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000034", "timeout");
    flw.setHangMs(1_000);
    const { withdrawal } = await withdraw(
      user.id,
      "0690000034",
      50_000,
      "w-timeout",
      "CHIOMA ADAEZE OKONKWO",
    );
    await drain();
    const row = await tdb.db
      .selectFrom("withdrawals")
      .select("state")
      .where("id", "=", withdrawal.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe("unknown");
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(55_000);
    flw.completeTransfer(withdrawal.reference, "successful");
    await tdb.db
      .updateTable("withdrawals")
      .set({ next_check_at: new Date(Date.now() - 1000) })
      .where("id", "=", withdrawal.id)
      .execute();
    await sweepPayments({ ctx, payments });
    await drain();
    expect(await balance(user.id)).toBe(200_000 - 55_000);
    await expectLedgerConsistent(tdb.db);
  });

  /** Time passes for one withdrawal: its last send was `seconds` ago and its next step is due. */
  async function rewindSend(withdrawalId: string, seconds: number) {
    await tdb.db
      .updateTable("withdrawals")
      .set({ sent_at: new Date(Date.now() - seconds * 1000), next_check_at: new Date(Date.now() - 1000) })
      .where("id", "=", withdrawalId)
      .execute();
  }
  const withdrawalRow = (id: string) =>
    tdb.db.selectFrom("withdrawals").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const transfersFor = (reference: string) => flw.transfers.filter((t) => t.reference === reference);

  it("a send that never reached the gateway is sent again with the same reference after the grace period", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000036", "lost");
    flw.setHangMs(1_000);
    const { withdrawal } = await withdraw(user.id, "0690000036", 50_000, "w-lost", "CHIOMA ADAEZE OKONKWO");
    await drain();
    expect((await withdrawalRow(withdrawal.id)).state).toBe("unknown");
    expect(transfersFor(withdrawal.reference)).toHaveLength(0);
    // Inside the grace period "not found" may be lag: no resend.
    await requeryWithdrawal({ ctx, payments, withdrawalId: withdrawal.id });
    expect(await withdrawalRow(withdrawal.id)).toMatchObject({ state: "unknown", send_count: 1 });
    expect(transfersFor(withdrawal.reference)).toHaveLength(0);
    // After it, the sweeper's requery sends it again, and this time it arrives.
    flw.setTransferOutcome("0690000036", "successful");
    await rewindSend(withdrawal.id, ctx.config.WITHDRAWAL_NOT_FOUND_GRACE_SECONDS + 1);
    await sweepPayments({ ctx, payments });
    await drain();
    expect(await withdrawalRow(withdrawal.id)).toMatchObject({ state: "successful", send_count: 2 });
    expect(transfersFor(withdrawal.reference)).toHaveLength(1);
    expect(await balance(user.id)).toBe(200_000 - 55_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a process that died between 'submitting' and the call: the lease ends and the withdrawal is sent once", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000037", "successful");
    const { withdrawal } = await withdraw(user.id, "0690000037", 50_000, "w-died", "CHIOMA ADAEZE OKONKWO");
    jobs.queued.length = 0; // the submit job died with the process
    await tdb.db
      .updateTable("withdrawals")
      .set({ state: "submitting", send_count: 1 })
      .where("id", "=", withdrawal.id)
      .execute();
    await rewindSend(withdrawal.id, ctx.config.VTU_SUBMIT_LEASE_SECONDS + 1);
    await sweepPayments({ ctx, payments });
    await drain();
    expect(await withdrawalRow(withdrawal.id)).toMatchObject({ state: "successful", send_count: 2 });
    expect(transfersFor(withdrawal.reference)).toHaveLength(1);
    expect(await balance(user.id)).toBe(200_000 - 55_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a transfer a lagging list hides is never paid twice: resends are refused, then an alert, then the requery settles it", async () => {
    const user = await fundedUser(200_000);
    flw.setTransferOutcome("0690000038", "timeout");
    flw.setHangMs(1_000);
    flw.setTransferListLag(10 * 60_000);
    const { withdrawal } = await withdraw(user.id, "0690000038", 50_000, "w-lag", "CHIOMA ADAEZE OKONKWO");
    await drain();
    expect(transfersFor(withdrawal.reference)).toHaveLength(1);
    for (let round = 0; round < 4; round += 1) {
      await rewindSend(withdrawal.id, ctx.config.WITHDRAWAL_NOT_FOUND_GRACE_SECONDS + 1);
      await requeryWithdrawal({ ctx, payments, withdrawalId: withdrawal.id });
    }
    const row = await withdrawalRow(withdrawal.id);
    expect(row).toMatchObject({ state: "unknown", send_count: 3 });
    expect(transfersFor(withdrawal.reference)).toHaveLength(1);
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(55_000);
    const alertKey = `withdrawal_unresolved:${withdrawal.id}`;
    const alert = () =>
      tdb.db
        .selectFrom("admin_alerts")
        .select(["resolved_at", "title"])
        .where("key", "=", alertKey)
        .executeTakeFirst();
    expect((await alert())?.title).toMatch(/unknown to the gateway after 3 sends/);
    flw.setTransferListLag(0);
    flw.completeTransfer(withdrawal.reference, "successful");
    await requeryWithdrawal({ ctx, payments, withdrawalId: withdrawal.id });
    expect((await withdrawalRow(withdrawal.id)).state).toBe("successful");
    expect((await alert())?.resolved_at).not.toBeNull();
    expect(await balance(user.id)).toBe(200_000 - 55_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("enforces the daily limit of the user's verification level", async () => {
    const user = await fundedUser(5_000_000);
    // Level 0: ₦20,000 a day by default.
    await expect(
      withdraw(user.id, "0690000035", 2_000_001, "w-limit", "CHIOMA ADAEZE OKONKWO"),
    ).rejects.toMatchObject({
      code: "WITHDRAWAL_LIMIT",
    });
    expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(0);
  });
});
