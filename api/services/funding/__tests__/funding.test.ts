import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FlutterwaveEmulator,
  startFlutterwaveEmulator,
} from "../../../../test/emulators/flutterwave-emulator";
import { captureLogger, makeCtx, testConfig } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { createTestUser } from "../../../../test/helpers/fixtures";
import { call, makeTestApp, type TestApp } from "../../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { PAYMENT_JOBS } from "../../../jobs/definitions";
import { createFlutterwaveGateway } from "../../../providers/flutterwave/client";
import type { ServiceContext } from "../../context";
import { setOrChangePin } from "../../pins";
import { getWalletBalance } from "../../wallet";
import {
  confirmPayment,
  createFundingIntent,
  createWithdrawal,
  type PaymentJob,
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
const queued: PaymentJob[] = [];

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
  payments = {
    gateway: createFlutterwaveGateway({ baseUrl: flw.url, secretKey: flw.secretKey, timeoutMs: 500 }),
    webhookSecretHash: SECRET_HASH,
    async dispatch(job) {
      queued.push(job);
    },
  };
  app = makeTestApp(tdb.db, { config, logger: captured.logger, payments }).app;
});
afterAll(async () => {
  await flw?.close();
  await tdb?.destroy();
});

/** Run queued payment jobs through the same definitions the worker uses. */
async function drain(): Promise<void> {
  const byName = new Map(PAYMENT_JOBS.map((d) => [d.name, d]));
  const deps = { ctx: () => ctx, payments, logger: ctx.logger };
  for (let job = queued.shift(); job; job = queued.shift()) {
    const definition = byName.get(job.name);
    const { name: _name, ...payload } = job;
    const { dedupe: _dedupe, ...data } = payload as Record<string, unknown>;
    await definition?.handle(deps, definition.payload.parse(data));
  }
}

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
    flw.setPathMode("/transactions/verify_by_reference", "http_500");
    expect(
      (await confirmPayment({ ctx, payments, txRef: down.intent.txRef, source: "reconcile" })).outcome,
    ).toBe("unknown");
    flw.setPathMode("/transactions/verify_by_reference", undefined);
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

  it("POST /api/wallet/fund needs a signed-in user", async () => {
    const res = await call(app, "POST", "/api/wallet/fund", { body: { amountKobo: 50 } });
    expect(res.status).toBe(401);
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
