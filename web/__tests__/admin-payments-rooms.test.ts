import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import { createAdmin, redactPayload } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import {
  createFundingIntent,
  createWithdrawal,
  type PaymentsRuntime,
  submitWithdrawal,
  webhookSecretHash,
} from "../../api/services/funding";
import { claimGift, createGiftRoom } from "../../api/services/gift-rooms";
import { requeryOrder } from "../../api/services/vtu";
import { getWalletBalance } from "../../api/services/wallet";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/** The panel's payments pages (read-only, secrets redacted) and gift rooms (list, detail, early close). */
const config = testConfig({ VTU_MANUAL_REVIEW_AFTER_MINUTES: "1" });
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let payments: PaymentsRuntime;
let harness: ReturnType<typeof makeVtu>;
let ahead = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config, now: () => new Date(Date.now() + ahead * 1000) });
  harness = makeVtu(ctx, sandboxRegistry(ctx, { pendingSeconds: 3600 }));
  await seedCatalogue(ctx, harness.vtu.providers);
  payments = {
    gateway: createPaymentGateway({ config, db: tdb.db }),
    webhookSecretHash: webhookSecretHash(config),
    dispatch: async () => {},
  };
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu, payments }).app;
  await createAdmin({
    ctx,
    input: { email: "admin@tada.test", name: "Ada Admin", password: PASSWORD, role: "admin" },
  });
  await createAdmin({
    ctx,
    input: { email: "support@tada.test", name: "Sam Support", password: PASSWORD, role: "support" },
  });
});
afterAll(() => tdb.destroy());

async function signedIn(email: string) {
  const b = adminBrowser(() => app);
  expect((await adminSignIn(b, email, PASSWORD)).res.status).toBe(303);
  return b;
}

describe("admin payments", () => {
  it("lists funding intents and withdrawals newest first with filters; the detail shows webhook events with secrets redacted", async () => {
    const user = await createBuyer(ctx, 300_000);
    const intent = await createFundingIntent({
      ctx,
      payments,
      userId: user.id,
      channel: "api",
      input: { amountKobo: 250_000 },
    });
    await tdb.db
      .insertInto("payment_webhook_events")
      .values({
        gateway: "sandbox",
        event_key: `charge.completed:${intent.id}`,
        event: "charge.completed",
        scheme: "verif-hash",
        payload: {
          event: "charge.completed",
          data: { id: 77, tx_ref: intent.txRef, amount: 2500, card: { last_4digits: "4242" } },
          secret_hash: "do-not-show-me",
        },
      })
      .execute();
    const { withdrawal } = await createWithdrawal({
      ctx,
      payments,
      userId: user.id,
      idempotencyKey: "w-1",
      input: {
        bankCode: "044",
        accountNumber: "0123456789",
        amountKobo: 100_000,
        accountName: "ADAEZE OKAFOR (SANDBOX)",
        pin: TEST_PIN,
      },
    });
    await submitWithdrawal({ ctx, payments, withdrawalId: withdrawal.id });

    const support = await signedIn("support@tada.test");
    const list = await support.request("GET", `/admin/payments?userId=${user.id}`);
    expect(list.res.status).toBe(200);
    expect(list.html).toContain(`/admin/payments/${intent.id}`);
    expect(list.html).toContain(`/admin/payments/${withdrawal.id}`);
    expect(list.html).toContain("₦2,500");
    expect(list.html.indexOf(withdrawal.id)).toBeLessThan(list.html.indexOf(intent.id)); // newest first
    const onlyFunding = await support.request("GET", `/admin/payments?userId=${user.id}&kind=funding`);
    expect(onlyFunding.html).toContain(intent.id);
    expect(onlyFunding.html).not.toContain(withdrawal.id);
    const bad = await support.request("GET", "/admin/payments?kind=refunds");
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain("kind:");

    const fund = await support.request("GET", `/admin/payments/${intent.id}`);
    expect(fund.res.status).toBe(200);
    expect(fund.html).toContain(intent.txRef);
    expect(fund.html).toContain("charge.completed");
    expect(fund.html).toContain("[redacted]");
    expect(fund.html).not.toContain("do-not-show-me");
    expect(fund.html).not.toContain("4242");
    const wdr = await support.request("GET", `/admin/payments/${withdrawal.id}`);
    expect(wdr.html).toContain("******6789");
    expect(wdr.html).not.toContain("0123456789");
    expect(wdr.html).toMatch(/Transfer records[\s\S]*SUCCESSFUL/);
    expect((await support.request("GET", "/admin/payments/fnd_nothing")).res.status).toBe(404);
    await expectLedgerConsistent(tdb.db);
  });

  it("redacts secret-looking keys at any depth", () => {
    expect(
      redactPayload({ a: 1, Authorization: "Bearer x", nested: [{ api_key: "k", ok: "v" }], otp: "1234" }),
    ).toEqual({
      a: 1,
      Authorization: "[redacted]",
      nested: [{ api_key: "[redacted]", ok: "v" }],
      otp: "[redacted]",
    });
  });
});

describe("admin gift rooms", () => {
  it("a gift in manual review refunded from the panel goes back to the room; closing early refunds the remainder once", async () => {
    ahead = 0;
    const creator = await createBuyer(ctx, 1_000_000);
    const { room } = await createGiftRoom({
      ctx,
      userId: creator.id,
      idempotencyKey: "room-1",
      input: { kind: "airtime", amountKobo: 10_000, capacity: 3, pin: TEST_PIN },
    });
    const price = room.giftPriceKobo;
    const afterFunding = (await getWalletBalance({ ctx, userId: creator.id })).balanceKobo;
    expect(afterFunding).toBe(1_000_000 - 3 * price);
    const delivered = await claimGift({
      ctx,
      vtu: harness.vtu,
      input: { token: room.token, phone: sandboxPhone(), network: "mtn" },
      claimant: { deviceHash: "dev-a", ip: "10.0.0.1" },
    });
    const stuck = await claimGift({
      ctx,
      vtu: harness.vtu,
      input: { token: room.token, phone: sandboxPhone("0002"), network: "mtn" },
      claimant: { deviceHash: "dev-b", ip: "10.0.0.2" },
    });
    await harness.drain();
    const stuckOrder = await tdb.db
      .selectFrom("gift_claims")
      .select("order_id")
      .where("room_id", "=", room.id)
      .where("recipient_msisdn", "=", stuck.recipient)
      .executeTakeFirstOrThrow();
    const orderId = stuckOrder.order_id ?? "";
    ahead = 300;
    await requeryOrder({ ctx, vtu: harness.vtu, orderId });
    ahead = 0;
    expect(
      (
        await tdb.db
          .selectFrom("vtu_orders")
          .select("state")
          .where("id", "=", orderId)
          .executeTakeFirstOrThrow()
      ).state,
    ).toBe("manual_review");
    expect(delivered.recipient).not.toBe(stuck.recipient);

    const admin = await signedIn("admin@tada.test");
    const support = await signedIn("support@tada.test");

    // The list and the detail, for support too.
    const list = await support.request("GET", `/admin/gift-rooms?creatorId=${creator.id}`);
    expect(list.res.status).toBe(200);
    expect(list.html).toContain(`/admin/gift-rooms/${room.id}`);
    const detail = await support.request("GET", `/admin/gift-rooms/${room.id}`);
    expect(detail.html).toContain(`/admin/orders/${orderId}`);
    expect(detail.html).toContain("manual_review");
    expect(detail.html).not.toContain(stuck.recipient); // phones are masked
    expect(detail.html).not.toContain("Close and refund the remainder");

    // Refund the stuck gift: its money returns to the escrow (not to anyone's wallet), the slot reopens.
    const orderPage = await admin.request("GET", `/admin/orders/${orderId}`);
    expect(orderPage.html).toContain("a refund goes back to the gift room");
    const refunded = await admin.request("POST", `/admin/orders/${orderId}/refund`, {
      csrf: orderPage.csrf,
      reason: "Network never delivered it",
    });
    expect(refunded.res.status).toBe(303);
    const claim = await tdb.db
      .selectFrom("gift_claims")
      .select("state")
      .where("order_id", "=", orderId)
      .executeTakeFirstOrThrow();
    expect(claim.state).toBe("failed");
    const escrowBefore = await tdb.db
      .selectFrom("gift_rooms as g")
      .innerJoin("accounts as a", "a.id", "g.escrow_account_id")
      .select(["g.claimed", "a.balance", "a.held", "g.escrow_account_id"])
      .where("g.id", "=", room.id)
      .executeTakeFirstOrThrow();
    const deliveredOrder = await tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "price_kobo"])
      .where("id", "=", delivered.orderId ?? "")
      .executeTakeFirstOrThrow();
    expect(deliveredOrder.state).toBe("delivered");
    // What is left: the two unclaimed gifts' money, the refunded one included, nothing held.
    const remainder = 3 * price - deliveredOrder.price_kobo;
    expect(remainder).toBeGreaterThanOrEqual(2 * price);
    expect(escrowBefore).toMatchObject({ claimed: 1, balance: remainder, held: 0 });
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(afterFunding);

    // Support may not close; a CSRF-less POST is refused; a reason is required.
    const supportClose = await support.request("POST", `/admin/gift-rooms/${room.id}/close`, {
      csrf: detail.csrf,
      reason: "support wants to close",
    });
    expect(supportClose.res.status).toBe(403);
    const noCsrf = await admin.request("POST", `/admin/gift-rooms/${room.id}/close`, {
      reason: "closing without token",
    });
    expect(noCsrf.res.status).toBe(403);
    const roomPage = await admin.request("GET", `/admin/gift-rooms/${room.id}`);
    expect(roomPage.html).toContain("Close and refund the remainder");
    const noReason = await admin.request("POST", `/admin/gift-rooms/${room.id}/close`, {
      csrf: roomPage.csrf,
    });
    expect(noReason.res.status).toBe(400);
    expect(
      (
        await tdb.db
          .selectFrom("gift_rooms")
          .select("status")
          .where("id", "=", room.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("open");

    // Close twice at once: one closes and refunds, the other is told it is already closed.
    const form = { csrf: roomPage.csrf, reason: "Creator asked support to stop it" };
    const [a, b] = await Promise.all([
      admin.request("POST", `/admin/gift-rooms/${room.id}/close`, form),
      admin.request("POST", `/admin/gift-rooms/${room.id}/close`, form),
    ]);
    expect([a.res.status, b.res.status].sort()).toEqual([303, 409]);
    expect([a.html, b.html].join(" ")).toContain("already closed");
    const ok = a.res.status === 303 ? a : b;
    expect(ok.res.headers.get("location")).toBe(`/admin/gift-rooms/${room.id}?refunded=${remainder}`);
    expect((await getWalletBalance({ ctx, userId: creator.id })).balanceKobo).toBe(afterFunding + remainder);
    const refunds = await tdb.db
      .selectFrom("journal_entries")
      .select("id")
      .where("type", "=", "gift_room_refund")
      .where(({ eb, ref }) => eb(ref("metadata", "->>").key("giftRoomId" as never), "=", room.id))
      .execute();
    expect(refunds).toHaveLength(1);
    const audits = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "reason", "after"])
      .where("target_type", "=", "gift_room")
      .where("target_id", "=", room.id)
      .execute();
    expect(audits).toEqual([
      {
        action: "gift_room.close",
        reason: "Creator asked support to stop it",
        after: { status: "closed", refundedKobo: remainder },
      },
    ]);
    const closedPage = await admin.request("GET", `/admin/gift-rooms/${room.id}?refunded=${remainder}`);
    expect(closedPage.html).toContain("went back to the creator");
    expect(closedPage.html).not.toContain("Close and refund the remainder");
    expect((await support.request("GET", "/admin/gift-rooms?status=closed")).html).toContain(room.id);
    await expectLedgerConsistent(tdb.db);
  });
});
