import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type FlutterwaveEmulator,
  startFlutterwaveEmulator,
} from "../../../../test/emulators/flutterwave-emulator";
import { captureLogger, makeCtx, testConfig } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { createTestUser } from "../../../../test/helpers/fixtures";
import { makeTestApp, type TestApp } from "../../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { queuedPayments } from "../../../../test/helpers/payments";
import { createFlutterwaveGateway } from "../../../providers/flutterwave/client";
import { applyUserAction } from "../../admins/user-actions";
import { checkAlertConditions } from "../../alerts/conditions";
import type { ServiceContext } from "../../context";
import { systemAccountTotal } from "../../ledger";
import { getWalletBalance } from "../../wallet";
import {
  bvnFingerprint,
  confirmTransfer,
  createDynamicAccount,
  createFundingIntent,
  createKycLink,
  getTransferFunding,
  type PaymentsRuntime,
  reconcileTransfers,
  requestStaticAccount,
  resolveSuspenseTransfer,
  sealBvn,
  submitKyc,
  sweepPayments,
} from "..";

/**
 * Funding by bank transfer (issue 17) against a local server speaking Flutterwave v3, through the
 * real client and the real webhook route: a BVN page → a static account; transfers in by webhook
 * (50 copies at once), by reconciliation (a missed webhook), for accounts that are not ours; fees
 * and limits by level; dynamic accounts paid wrong; the suspense queue. Every test ends with the
 * ledger checks, T1 (suspense) and T2 (transfers) included.
 */
const SECRET_HASH = "test-secret-hash-0123456789";
const BVN = "22212345678";
let tdb: TestDatabase;
let ctx: ServiceContext;
let logs: () => string;
let flw: FlutterwaveEmulator;
let payments: PaymentsRuntime;
let app: TestApp;
let jobs: ReturnType<typeof queuedPayments>;
const admin = { id: "adm_test", role: "admin" as const };

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 30 });
  const captured = captureLogger();
  logs = captured.text;
  flw = await startFlutterwaveEmulator({ secretKey: "FLWSECK_TEST-emulator", secretHash: SECRET_HASH });
  const config = testConfig({
    FLUTTERWAVE_SECRET_KEY: flw.secretKey,
    FLUTTERWAVE_SECRET_HASH: SECRET_HASH,
    FLUTTERWAVE_BASE_URL: flw.url,
    // ₦100,000 a day at basic, ₦300,000 verified, more above.
    FUNDING_DAILY_LIMITS_KOBO: "10000000,30000000,500000000,5000000000",
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
beforeEach(() => flw.resetModes());

const drain = () => jobs.drain(ctx);

const balance = async (userId: string) => (await getWalletBalance({ ctx, userId })).balanceKobo;

/** A customer with a static account, through the KYC page's service. */
async function customerWithAccount(bvn = BVN) {
  const user = await createTestUser(tdb.db);
  const link = await createKycLink({ ctx, userId: user.id, channel: "telegram", userRef: `tg-${user.id}` });
  const token = decodeURIComponent(link.url.split("/kyc/")[1] ?? "");
  const result = await submitKyc({
    ctx,
    payments,
    token,
    form: { bvn, firstName: "Ada", lastName: "Okafor" },
  });
  if (result.outcome !== "issued") {
    throw new Error(`expected an account, got ${JSON.stringify(result)}`);
  }
  return { user, account: result.account, token };
}

function postWebhook(delivery: { rawBody: string; headers: Record<string, string> }) {
  return app.request("/api/webhooks/flutterwave", {
    method: "POST",
    headers: { "content-type": "application/json", ...delivery.headers },
    body: delivery.rawBody,
  });
}

/** The transfer's webhook as Flutterwave sends it (by the account's tx_ref and the charge id). */
function webhookFor(txRef: string, chargeId: string) {
  return flw.webhookPayloadFor(txRef, { chargeId });
}

async function txRefOf(accountId: string) {
  const row = await tdb.db
    .selectFrom("virtual_accounts")
    .select("tx_ref")
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
  return row.tx_ref;
}

async function transfersOf(userId: string) {
  return tdb.db
    .selectFrom("bank_transfers")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("received_at")
    .execute();
}

async function chatBodies(userId: string) {
  const rows = await tdb.db
    .selectFrom("notifications")
    .select(["kind", "body"])
    .where("user_id", "=", userId)
    .execute();
  return rows;
}

describe("a personal account number through the KYC page", () => {
  it("issues a static account with the BVN, raises basic to verified, and keeps the BVN only encrypted", async () => {
    const { user, account } = await customerWithAccount();
    expect(account).toMatchObject({ kind: "static", status: "active", bankName: "WEMA BANK" });
    expect(account.accountNumber).toMatch(/^\d{10}$/);
    const issued = flw.virtualAccounts.find((a) => a.accountNumber === account.accountNumber);
    expect(issued).toMatchObject({ permanent: true, bvn: BVN });
    const row = await tdb.db
      .selectFrom("users")
      .select("verification_level")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.verification_level).toBe(1);
    const kyc = await tdb.db
      .selectFrom("user_kyc")
      .selectAll()
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(kyc.bvn_last3).toBe("678");
    expect(JSON.stringify(kyc)).not.toContain(BVN);
    const funding = await getTransferFunding({ ctx, userId: user.id });
    expect(funding).toMatchObject({ bvnLast3: "678", pending: false, level: { name: "verified" } });
    // Never in logs, job payloads, the chat, or the gateway exchange we keep.
    const notices = await chatBodies(user.id);
    expect(notices.map((n) => n.kind)).toContain("wallet.account_ready");
    expect(JSON.stringify(notices)).toContain(account.accountNumber);
    for (const text of [logs(), JSON.stringify(jobs.queued), JSON.stringify(notices)]) {
      expect(text).not.toContain(BVN);
    }
  });

  it("a used link is gone; a typo keeps the link; a refused BVN is not kept and the chat is told", async () => {
    const user = await createTestUser(tdb.db);
    const link = await createKycLink({ ctx, userId: user.id, channel: "console", userRef: "c1" });
    const token = decodeURIComponent(link.url.split("/kyc/")[1] ?? "");
    expect(
      await submitKyc({ ctx, payments, token, form: { bvn: "1234", firstName: "Ada", lastName: "O" } }),
    ).toMatchObject({
      outcome: "invalid",
      field: "bvn",
    });
    // The emulator refuses a BVN starting with 0 (not 11 digits starting 1-9).
    const refused = await submitKyc({
      ctx,
      payments,
      token,
      form: { bvn: "01234567890", firstName: "Ada", lastName: "Okafor" },
    });
    expect(refused.outcome).toBe("refused");
    expect(
      await tdb.db.selectFrom("user_kyc").select("user_id").where("user_id", "=", user.id).executeTakeFirst(),
    ).toBeUndefined();
    expect((await chatBodies(user.id)).map((n) => n.kind)).toContain("wallet.account_refused");
    expect(
      await submitKyc({ ctx, payments, token, form: { bvn: BVN, firstName: "Ada", lastName: "Okafor" } }),
    ).toEqual({
      outcome: "gone",
    });
  });

  it("no BVN page for a customer who has a number already, or whose level gets none", async () => {
    const { user } = await customerWithAccount("22200000508");
    await expect(
      createKycLink({ ctx, userId: user.id, channel: "api", userRef: user.id }),
    ).rejects.toMatchObject({
      code: "ACCOUNT_NUMBER_EXISTS",
    });
    const other = await createTestUser(tdb.db);
    const strict = { ...ctx, config: { ...ctx.config, VIRTUAL_ACCOUNT_MIN_LEVEL: 2 } };
    await expect(
      createKycLink({ ctx: strict, userId: other.id, channel: "api", userRef: other.id }),
    ).rejects.toMatchObject({
      code: "LEVEL_TOO_LOW",
    });
  });

  it("eight requests for a customer's account number at once make one account and one gateway call", async () => {
    const user = await createTestUser(tdb.db);
    await tdb.db
      .insertInto("user_kyc")
      .values({
        user_id: user.id,
        bvn_ciphertext: sealBvn(ctx.config, "22200000509"),
        bvn_last3: "509",
        bvn_fingerprint: bvnFingerprint(ctx.config, "22200000509"),
      })
      .execute();
    const rows = await Promise.all(
      Array.from({ length: 8 }, () =>
        requestStaticAccount({ ctx, payments, userId: user.id, channel: "api" }),
      ),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    const txRef = rows[0]?.tx_ref ?? "";
    expect(flw.virtualAccounts.filter((a) => a.txRef === txRef)).toHaveLength(1);
    // One asker at a time: the gateway was asked once, not eight times.
    const asked = flw.requests.filter(
      (r) => r.path === "/virtual-account-numbers" && (r.body as { tx_ref?: string }).tx_ref === txRef,
    );
    expect(asked).toHaveLength(1);
    expect((await getTransferFunding({ ctx, userId: user.id })).account?.status).toBe("active");
  });

  it("refuses a BVN already on another customer's account", async () => {
    await customerWithAccount("22299990001");
    const other = await createTestUser(tdb.db);
    const link = await createKycLink({ ctx, userId: other.id, channel: "console", userRef: "c2" });
    const token = decodeURIComponent(link.url.split("/kyc/")[1] ?? "");
    expect(
      await submitKyc({
        ctx,
        payments,
        token,
        form: { bvn: "22299990001", firstName: "Bola", lastName: "Ade" },
      }),
    ).toEqual({
      outcome: "duplicate",
    });
  });

  it("a gateway that does not answer leaves the account requested; the sweeper issues it and the chat is told", async () => {
    const user = await createTestUser(tdb.db);
    const link = await createKycLink({ ctx, userId: user.id, channel: "console", userRef: "c3" });
    const token = decodeURIComponent(link.url.split("/kyc/")[1] ?? "");
    flw.setHangMs(700);
    flw.setPathMode("/virtual-account-numbers", "timeout");
    expect(
      await submitKyc({
        ctx,
        payments,
        token,
        form: { bvn: "22255556666", firstName: "Ada", lastName: "Okafor" },
      }),
    ).toMatchObject({
      outcome: "pending",
      bvnLast3: "666",
    });
    flw.resetModes();
    await sql`UPDATE virtual_accounts SET created_at = now() - interval '1 minute', next_attempt_at = 'epoch'
               WHERE user_id = ${user.id}`.execute(tdb.db);
    await sweepPayments({ ctx, payments });
    const funding = await getTransferFunding({ ctx, userId: user.id });
    expect(funding.account?.status).toBe("active");
    // Asked again with the same tx_ref: one account at the gateway, not two.
    const txRef = await txRefOf(funding.account?.id ?? "");
    expect(flw.virtualAccounts.filter((a) => a.txRef === txRef)).toHaveLength(1);
    expect((await chatBodies(user.id)).map((n) => n.kind)).toContain("wallet.account_ready");
  });
});

describe("crediting a transfer", () => {
  it("50 concurrent copies of one transfer webhook credit once, and the chat says ₦5,000 received", async () => {
    const { user, account } = await customerWithAccount("22200000501");
    const txRef = await txRefOf(account.id);
    const chargeId = flw.transferIn({
      accountNumber: account.accountNumber ?? "",
      amountKobo: 500_000,
      senderName: "CHIDI EZE",
    });
    const delivery = webhookFor(txRef, chargeId);
    expect(delivery.payload["event.type"]).toBe("BANK_TRANSFER_TRANSACTION");
    const answers = await Promise.all(Array.from({ length: 50 }, () => postWebhook(delivery)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Jobs from every copy, and a direct call too, race each other.
    await Promise.all([
      drain(),
      drain(),
      confirmTransfer({ ctx, payments, transactionId: chargeId, source: "webhook" }),
    ]);
    expect(await balance(user.id)).toBe(500_000);
    const transfers = await transfersOf(user.id);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({
      status: "credited",
      paid_kobo: 500_000,
      credit_kobo: 500_000,
      payer_name: "CHIDI EZE",
    });
    const received = (await chatBodies(user.id)).filter((n) => n.kind === "wallet.transfer_received");
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toContain("₦5,000 received by bank transfer from CHIDI EZE");
    expect(received[0]?.body).toContain("Balance: ₦5,000");
    await expectLedgerConsistent(tdb.db);
  });

  it("a payer name with a NUL or a lone surrogate is stored readable and the credit goes through", async () => {
    const { user, account } = await customerWithAccount("22200000507");
    const chargeId = flw.transferIn({
      accountNumber: account.accountNumber ?? "",
      amountKobo: 120_000,
      senderName: "EZE\u0000 \ud800CHIDI",
    });
    expect(
      (await confirmTransfer({ ctx, payments, transactionId: chargeId, source: "webhook" })).outcome,
    ).toBe("credited");
    const [row] = await transfersOf(user.id);
    expect(row?.payer_name).toBe("EZE\ufffd \ufffdCHIDI");
    expect(await balance(user.id)).toBe(120_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("a missed webhook is found by the reconciliation and credited once", async () => {
    const { user, account } = await customerWithAccount("22200000502");
    flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 250_000 });
    expect(await balance(user.id)).toBe(0);
    // Every account is visited in turn; this one is the least recently checked.
    await tdb.db
      .updateTable("virtual_accounts")
      .set({ last_checked_at: null })
      .where("id", "=", account.id)
      .execute();
    await tdb.db
      .updateTable("virtual_accounts")
      .set({ last_checked_at: new Date() })
      .where("id", "<>", account.id)
      .execute();
    const first = await reconcileTransfers({ ctx, payments, limit: 1 });
    expect(first).toMatchObject({ accounts: 1, found: 1, credited: 1 });
    const list = flw.requests.filter((r) => r.path === "/transactions").at(-1);
    expect(list?.query.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await reconcileTransfers({ ctx, payments });
    expect(await balance(user.id)).toBe(250_000);
    expect(await transfersOf(user.id)).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("a webhook for a transaction the gateway does not know, or for an account that is not ours, credits nobody", async () => {
    const before = (await systemAccountTotal(tdb.db, "system:payment_clearing")).balance;
    // Another merchant's transaction: our verify finds nothing.
    const foreign = {
      event: "charge.completed",
      data: {
        id: 999_999_991,
        tx_ref: "OTHER-MERCHANT-1",
        amount: 5000,
        currency: "NGN",
        status: "successful",
        payment_type: "bank_transfer",
      },
    };
    const answer = await flw.sendWebhook({
      url: `${await listenUrl()}/api/webhooks/flutterwave`,
      event: foreign.event,
      data: foreign.data,
      scheme: "verif-hash",
    });
    expect(answer.status).toBe(200);
    await drain();
    const stored = await tdb.db
      .selectFrom("payment_webhook_events")
      .select(["outcome"])
      .where("event_key", "=", "charge.completed:999999991")
      .executeTakeFirstOrThrow();
    expect(stored.outcome).toBe("not_found");
    // A real transfer into an account someone else created on our merchant (not in our books):
    // the money is ours to hold, nobody's to credit — suspense, for an admin.
    const created = await payments.gateway.createVirtualAccount({
      txRef: "SOMEONE-ELSE-VA-1",
      permanent: true,
      email: "x@example.com",
      narration: "x",
      bvn: "22233334444",
    });
    if (created.outcome !== "created") {
      throw new Error("emulator did not create");
    }
    const chargeId = flw.transferIn({ accountNumber: created.account.accountNumber, amountKobo: 100_000 });
    await postWebhook(webhookFor("SOMEONE-ELSE-VA-1", chargeId));
    await drain();
    const held = await tdb.db
      .selectFrom("bank_transfers")
      .selectAll()
      .where("gateway_tx_id", "=", chargeId)
      .executeTakeFirstOrThrow();
    expect(held).toMatchObject({
      status: "suspense",
      suspense_reason: "unknown_account",
      user_id: null,
      credit_kobo: 0,
    });
    expect((await systemAccountTotal(tdb.db, "system:payment_clearing")).balance).toBe(before - 100_000);
    expect(logs()).toContain("a transfer the gateway does not know");
    await expectLedgerConsistent(tdb.db);
  });

  it("a forged signature is a 401 and stores nothing", async () => {
    const { account } = await customerWithAccount("22200000503");
    const txRef = await txRefOf(account.id);
    const chargeId = flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 100_000 });
    const forged = flw.webhookPayloadFor(txRef, { chargeId, scheme: "forged" });
    const response = await postWebhook(forged);
    expect(response.status).toBe(401);
    const stored = await tdb.db
      .selectFrom("payment_webhook_events")
      .select("id")
      .where("event_key", "=", `charge.completed:${chargeId}`)
      .executeTakeFirst();
    expect(stored).toBeUndefined();
    await expectLedgerConsistent(tdb.db);
  });

  it("takes the configured fee, and the daily limit of the customer's level holds the excess for an admin", async () => {
    const { user, account } = await customerWithAccount("22200000504");
    const feeCtx = {
      ...ctx,
      config: {
        ...ctx.config,
        TRANSFER_FEE_BPS: 100,
        TRANSFER_FEE_FLAT_KOBO: 0,
        TRANSFER_FEE_CAP_KOBO: 20_000,
      },
    };
    const first = flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 1_000_000 });
    expect(
      (await confirmTransfer({ ctx: feeCtx, payments, transactionId: first, source: "webhook" })).outcome,
    ).toBe("credited");
    expect(await balance(user.id)).toBe(990_000); // ₦10,000 less 1 %
    const big = flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 4_000_000 }); // ₦40,000: cap ₦200
    expect(
      (await confirmTransfer({ ctx: feeCtx, payments, transactionId: big, source: "webhook" })).outcome,
    ).toBe("credited");
    expect(await balance(user.id)).toBe(990_000 + 4_000_000 - 20_000);
    // Verified: ₦300,000 a day. ₦50,000 so far; ₦260,000 more would pass it.
    const over = flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 26_000_000 });
    expect(
      (await confirmTransfer({ ctx: feeCtx, payments, transactionId: over, source: "webhook" })).outcome,
    ).toBe("suspense");
    const held = (await transfersOf(user.id)).find((t) => t.gateway_tx_id === over);
    expect(held).toMatchObject({ status: "suspense", suspense_reason: "over_limit" });
    expect(
      (await chatBodies(user.id)).some(
        (n) => n.kind === "wallet.transfer_held" && n.body.includes("daily funding limit"),
      ),
    ).toBe(true);
    // Premium (an admin's decision) has room; the held transfer is credited from the queue.
    await applyUserAction({
      ctx,
      admin,
      userId: user.id,
      input: { action: "set_level", level: 2, reason: "documents checked" },
    });
    await resolveSuspenseTransfer({
      ctx: feeCtx,
      admin,
      transferId: held?.id ?? "",
      input: { action: "credit", reason: "level raised" },
    });
    expect(await balance(user.id)).toBe(990_000 + 3_980_000 + 26_000_000 - 20_000);
    expect((await systemAccountTotal(tdb.db, "system:transfer_suspense")).balance).toBe(
      await suspenseAwaiting(),
    );
    await expectLedgerConsistent(tdb.db);
  });
});

describe("limits by verification level before paying", () => {
  it("a card checkout or a one-payment account above the level's daily funding limit is refused in words", async () => {
    const user = await createTestUser(tdb.db); // basic: ₦100,000 a day here
    for (const start of [
      () =>
        createFundingIntent({
          ctx,
          payments,
          userId: user.id,
          channel: "api",
          input: { amountKobo: 15_000_000 },
        }),
      () => createDynamicAccount({ ctx, payments, userId: user.id, channel: "api", amountKobo: 15_000_000 }),
    ]) {
      await expect(start()).rejects.toMatchObject({
        code: "FUNDING_LIMIT",
        message: expect.stringMatching(
          /^Your daily funding limit is ₦100,000 \(a basic account\); ₦100,000 is left today\. .*verify your BVN to raise the limit/,
        ),
      });
    }
    await applyUserAction({
      ctx,
      admin,
      userId: user.id,
      input: { action: "set_level", level: 2, reason: "premium" },
    });
    const account = await createDynamicAccount({
      ctx,
      payments,
      userId: user.id,
      channel: "api",
      amountKobo: 15_000_000,
    });
    expect(account.status).toBe("active");
  });
});

describe("dynamic accounts and the suspense queue", () => {
  it("a one-payment account credits exactly its amount; wrong amounts and a second payment go to suspense", async () => {
    const user = await createTestUser(tdb.db);
    const feeCtx = {
      ...ctx,
      config: { ...ctx.config, TRANSFER_FEE_BPS: 0, TRANSFER_FEE_FLAT_KOBO: 5_000, TRANSFER_FEE_CAP_KOBO: 0 },
    };
    const account = await createDynamicAccount({
      ctx: feeCtx,
      payments,
      userId: user.id,
      channel: "api",
      amountKobo: 300_000,
    });
    expect(account).toMatchObject({
      kind: "dynamic",
      status: "active",
      amountKobo: 300_000,
      feeKobo: 5_000,
      totalKobo: 305_000,
    });
    const issued = flw.virtualAccounts.find((a) => a.accountNumber === account.accountNumber);
    expect(issued).toMatchObject({ permanent: false, amountKobo: 305_000 });
    const send = (amountKobo: number) =>
      flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo });
    const outcomes = [];
    for (const id of [send(300_000), send(305_001), send(305_000), send(305_000)]) {
      outcomes.push(
        (await confirmTransfer({ ctx: feeCtx, payments, transactionId: id, source: "webhook" })).outcome,
      );
    }
    // Short by the fee, a kobo over, exact, and exact again.
    expect(outcomes).toEqual(["suspense", "suspense", "credited", "suspense"]);
    expect(await balance(user.id)).toBe(300_000);
    const reasons = (await transfersOf(user.id)).map((t) => t.suspense_reason);
    expect(reasons).toEqual(["wrong_amount", "wrong_amount", null, "already_paid"]);
    expect((await systemAccountTotal(tdb.db, "system:transfer_suspense")).balance).toBe(
      await suspenseAwaiting(),
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("transfers to a closed account or from a suspended customer are held; an admin credits or returns each once", async () => {
    const { user, account } = await customerWithAccount("22200000505");
    await applyUserAction({
      ctx,
      admin,
      userId: user.id,
      input: { action: "set_level", level: 0, reason: "BVN mismatch reported" },
    });
    expect((await getTransferFunding({ ctx, userId: user.id })).account).toBeNull();
    const toClosed = flw.transferIn({ accountNumber: account.accountNumber ?? "", amountKobo: 200_000 });
    expect(
      (await confirmTransfer({ ctx, payments, transactionId: toClosed, source: "webhook" })).outcome,
    ).toBe("suspense");
    // The sweeper closes it at the gateway too.
    await sweepPayments({ ctx, payments });
    expect(flw.virtualAccounts.find((a) => a.accountNumber === account.accountNumber)?.status).toBe(
      "inactive",
    );

    const { user: blocked, account: blockedAccount } = await customerWithAccount("22200000506");
    await applyUserAction({
      ctx,
      admin,
      userId: blocked.id,
      input: { action: "suspend", reason: "fraud check" },
    });
    const fromBlocked = flw.transferIn({
      accountNumber: blockedAccount.accountNumber ?? "",
      amountKobo: 150_000,
    });
    expect(
      (await confirmTransfer({ ctx, payments, transactionId: fromBlocked, source: "webhook" })).outcome,
    ).toBe("suspense");
    const [closedRow] = await transfersOf(user.id);
    const [blockedRow] = await transfersOf(blocked.id);
    expect(closedRow?.suspense_reason).toBe("closed_account");
    expect(blockedRow?.suspense_reason).toBe("customer_blocked");
    expect(await balance(user.id)).toBe(0);
    expect((await checkAlertConditions(ctx)).open).toContain("manual_review:transfers");
    await expectLedgerConsistent(tdb.db);

    await expect(
      resolveSuspenseTransfer({
        ctx,
        admin: { id: "adm_support", role: "support" },
        transferId: closedRow?.id ?? "",
        input: { action: "return", reason: "x y z" },
      }),
    ).rejects.toMatchObject({ code: "ROLE_REQUIRED" });
    const credited = await resolveSuspenseTransfer({
      ctx,
      admin,
      transferId: closedRow?.id ?? "",
      input: { action: "credit", reason: "customer called, it is theirs" },
    });
    expect(credited.status).toBe("credited");
    expect(await balance(user.id)).toBe(200_000);
    const returned = await resolveSuspenseTransfer({
      ctx,
      admin,
      transferId: blockedRow?.id ?? "",
      input: { action: "return", reason: "refunded to sender on the dashboard" },
    });
    expect(returned.status).toBe("returned");
    expect(await balance(blocked.id)).toBe(0);
    await expect(
      resolveSuspenseTransfer({
        ctx,
        admin,
        transferId: blockedRow?.id ?? "",
        input: { action: "credit", reason: "again" },
      }),
    ).rejects.toMatchObject({ code: "TRANSFER_ALREADY_RESOLVED" });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "target_id"])
      .where("target_type", "=", "bank_transfer")
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(
      expect.arrayContaining(["transfer.credit", "transfer.return"]),
    );
    expect((await systemAccountTotal(tdb.db, "system:transfer_suspense")).balance).toBe(
      await suspenseAwaiting(),
    );
    await expectLedgerConsistent(tdb.db);
  });
});

async function suspenseAwaiting(): Promise<number> {
  const rows = await tdb.db
    .selectFrom("bank_transfers")
    .select("paid_kobo")
    .where("status", "=", "suspense")
    .execute();
  return rows.reduce((sum, r) => sum + r.paid_kobo, 0);
}

/** The test app is in-process; the emulator's webhook sender needs a URL, so one is opened once. */
let server: { url: string; close: () => void } | undefined;
async function listenUrl(): Promise<string> {
  if (!server) {
    const { serve } = await import("@hono/node-server");
    const started = await new Promise<{ url: string; close: () => void }>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, close: () => s.close() }),
      );
    });
    server = started;
  }
  return server.url;
}
afterAll(() => server?.close());
