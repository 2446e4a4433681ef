import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, requeryOrderNow } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { getOrder, type OrderDto, requeryOrder } from "../../api/services/vtu";
import { getWalletBalance } from "../../api/services/wallet";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxNumber,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * Resolving a manual-review order from the panel: requery, mark delivered, refund (admin only,
 * CSRF, a reason, an audit row, once under a double click) and resending a receipt (support may).
 * The sandbox's "pending then success" number (…0002) stays pending for an hour on the sandbox's
 * clock; past VTU_MANUAL_REVIEW_AFTER_MINUTES a requery moves it to manual review.
 */
const config = testConfig({ VTU_MANUAL_REVIEW_AFTER_MINUTES: "1" });
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
/** Seconds the sandbox's (and the test services') clock runs ahead of the app's real clock. */
let ahead = 0;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config, now: () => new Date(Date.now() + ahead * 1000) });
  harness = makeVtu(ctx, sandboxRegistry(ctx, { pendingSeconds: 3600 }));
  await seedCatalogue(ctx, harness.vtu.providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
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

/** A customer with ₦1,000 whose ₦500 airtime order sits in manual review, the money held. */
async function manualReviewOrder(): Promise<{ userId: string; order: OrderDto }> {
  ahead = 0;
  const user = await createBuyer(ctx, 100_000);
  const order = await placeOrder(ctx, harness.vtu, user.id, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone("0002"), amountKobo: 50_000, pin: TEST_PIN },
  });
  await harness.drain();
  expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("pending");
  ahead = 300;
  await requeryOrder({ ctx, vtu: harness.vtu, orderId: order.id });
  ahead = 0;
  expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("manual_review");
  expect((await getWalletBalance({ ctx, userId: user.id })).heldKobo).toBe(order.priceKobo);
  return { userId: user.id, order };
}

async function orderRow(orderId: string) {
  return tdb.db
    .selectFrom("vtu_orders as o")
    .innerJoin("holds as h", "h.id", "o.hold_id")
    .select(["o.state", "o.settle_entry_id", "h.status as hold"])
    .where("o.id", "=", orderId)
    .executeTakeFirstOrThrow();
}

async function auditsFor(orderId: string) {
  return tdb.db
    .selectFrom("audit_log")
    .select(["action", "actor_id", "before", "after", "reason"])
    .where("target_type", "=", "order")
    .where("target_id", "=", orderId)
    .orderBy("id")
    .execute();
}

async function entriesFor(orderId: string, type: string) {
  const rows = await tdb.db
    .selectFrom("journal_entries")
    .select("id")
    .where("type", "=", type as never)
    .where(({ eb, ref }) => eb(ref("metadata", "->>").key("orderId" as never), "=", orderId))
    .execute();
  return rows.length;
}

describe("admin order actions", () => {
  it("mark delivered: refused to support and without CSRF; settles once with the provider's reference; a double click is a clear conflict", async () => {
    const { userId, order } = await manualReviewOrder();
    const admin = await signedIn("admin@tada.test");
    const support = await signedIn("support@tada.test");

    // Support sees the order and is told an admin resolves it, but has no forms for it.
    const supportPage = await support.request("GET", `/admin/orders/${order.id}`);
    expect(supportPage.res.status).toBe(200);
    expect(supportPage.html).toContain("an admin can requery, mark it delivered");
    expect(supportPage.html).not.toContain("/mark-delivered");
    const asSupport = await support.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      csrf: supportPage.csrf,
      reference: "REF-123456",
      reason: "Provider confirmed by phone",
    });
    expect(asSupport.res.status).toBe(403);

    const page = await admin.request("GET", `/admin/orders/${order.id}`);
    expect(page.html).toContain("Mark delivered (settle)");
    const noCsrf = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      reference: "REF-123456",
      reason: "Provider confirmed by phone",
    });
    expect(noCsrf.res.status).toBe(403);
    const noReason = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      csrf: page.csrf,
      reference: "REF-123456",
      reason: "",
    });
    expect(noReason.res.status).toBe(400);
    expect(noReason.html).toContain("reason: say why");
    expect((await orderRow(order.id)).state).toBe("manual_review");

    const form = { csrf: page.csrf, reference: "REF-123456", reason: "Provider confirmed by phone" };
    const done = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, form);
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get("location")).toBe(`/admin/orders/${order.id}?done=delivered`);
    const again = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, form);
    expect(again.res.status).toBe(409);
    expect(again.html).toContain("it is already delivered");

    const row = await orderRow(order.id);
    expect(row).toMatchObject({ state: "delivered", hold: "posted" });
    expect(await entriesFor(order.id, "vtu_settle")).toBe(1);
    const wallet = await getWalletBalance({ ctx, userId });
    expect(wallet).toMatchObject({ balanceKobo: 100_000 - order.priceKobo, heldKobo: 0 });
    const attempt = await tdb.db
      .selectFrom("vtu_attempts")
      .select(["state", "provider_reference"])
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(attempt.state).toBe("delivered");
    const audits = await auditsFor(order.id);
    expect(audits.map((a) => a.action)).toEqual(["order.mark_delivered"]);
    expect(audits[0]).toMatchObject({
      reason: "Provider confirmed by phone",
      before: expect.objectContaining({ state: "manual_review" }),
      after: expect.objectContaining({ state: "delivered", reference: "REF-123456" }),
    });
    const after = await admin.request("GET", `/admin/orders/${order.id}?done=delivered`);
    expect(after.html).toContain("Done: marked delivered and settled.");
    await expectLedgerConsistent(tdb.db);
  });

  it("mark delivered a prepaid meter with the token the provider gave: stored encrypted, shown to its owner, never audited", async () => {
    ahead = 0;
    const user = await createBuyer(ctx, 1_000_000);
    const meter = sandboxNumber(11, "0002");
    const order = await placeOrder(ctx, harness.vtu, user.id, {
      service: "electricity",
      input: { disco: "ikeja", meterType: "prepaid", meterNumber: meter, amountKobo: 500_000, pin: TEST_PIN },
    });
    await harness.drain();
    ahead = 300;
    await requeryOrder({ ctx, vtu: harness.vtu, orderId: order.id });
    ahead = 0;
    expect((await orderRow(order.id)).state).toBe("manual_review");
    const admin = await signedIn("admin@tada.test");
    const page = await admin.request("GET", `/admin/orders/${order.id}`);
    expect(page.html).toContain('name="token"');
    const badToken = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      csrf: page.csrf,
      reference: "DISCO-REF-1",
      reason: "Disco confirmed by email",
      token: "12ab",
    });
    expect(badToken.res.status).toBe(400);
    expect(badToken.html).toContain("token:");
    const token = "1234-5678-9012-3456-7890";
    const done = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      csrf: page.csrf,
      reference: "DISCO-REF-1",
      reason: "Disco confirmed by email",
      token,
    });
    expect(done.res.status).toBe(303);
    const owner = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(owner.state).toBe("delivered");
    expect(owner.token?.replace(/\D/g, "")).toBe("12345678901234567890");
    const row = await tdb.db
      .selectFrom("vtu_orders")
      .select("token_encrypted")
      .where("id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(row.token_encrypted).not.toContain("12345678901234567890");
    expect(JSON.stringify(await auditsFor(order.id))).not.toContain("12345678");
    await expectLedgerConsistent(tdb.db);
  });

  it("refund: voids the hold exactly once, even when the form is sent twice", async () => {
    const { userId, order } = await manualReviewOrder();
    const admin = await signedIn("admin@tada.test");
    const page = await admin.request("GET", `/admin/orders/${order.id}`);
    const form = { csrf: page.csrf, reason: "Provider says it never arrived" };
    const [first, second] = await Promise.all([
      admin.request("POST", `/admin/orders/${order.id}/refund`, form),
      admin.request("POST", `/admin/orders/${order.id}/refund`, form),
    ]);
    expect([first.res.status, second.res.status].sort()).toEqual([303, 409]);
    expect([first.html, second.html].join(" ")).toContain("it already failed and its money went back");
    expect(await orderRow(order.id)).toMatchObject({
      state: "failed",
      hold: "voided",
      settle_entry_id: null,
    });
    expect(await getWalletBalance({ ctx, userId })).toMatchObject({ balanceKobo: 100_000, heldKobo: 0 });
    const audits = await auditsFor(order.id);
    expect(audits.map((a) => a.action)).toEqual(["order.refund"]);
    expect(audits[0]?.reason).toBe("Provider says it never arrived");
    const failedNotices = await tdb.db
      .selectFrom("notifications")
      .select("kind")
      .where("user_id", "=", userId)
      .where("kind", "=", "order.failed")
      .execute();
    expect(failedNotices).toHaveLength(1);
    // Mark delivered after the refund: refused, nothing settles.
    const late = await admin.request("POST", `/admin/orders/${order.id}/mark-delivered`, {
      csrf: page.csrf,
      reference: "REF-LATE",
      reason: "Too late for this",
    });
    expect(late.res.status).toBe(409);
    expect(await entriesFor(order.id, "vtu_settle")).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("requery: still processing keeps it in manual review; once the provider delivers, it settles; then requery is refused", async () => {
    const { userId, order } = await manualReviewOrder();
    const admin = await signedIn("admin@tada.test");
    const page = await admin.request("GET", `/admin/orders/${order.id}`);
    const first = await admin.request("POST", `/admin/orders/${order.id}/requery`, {
      csrf: page.csrf,
      reason: "Customer called",
    });
    expect(first.res.status).toBe(303);
    expect((await orderRow(order.id)).state).toBe("manual_review");
    ahead = 4000; // the sandbox's hour has passed: the provider now says delivered
    const second = await admin.request("POST", `/admin/orders/${order.id}/requery`, { csrf: page.csrf });
    ahead = 0;
    expect(second.res.status).toBe(303);
    expect(await orderRow(order.id)).toMatchObject({ state: "delivered", hold: "posted" });
    expect((await getWalletBalance({ ctx, userId })).balanceKobo).toBe(100_000 - order.priceKobo);
    const third = await admin.request("POST", `/admin/orders/${order.id}/requery`, { csrf: page.csrf });
    expect(third.res.status).toBe(409);
    expect(third.html).toContain("it is already delivered");
    const audits = await auditsFor(order.id);
    expect(audits.map((a) => [a.action, a.after])).toEqual([
      ["order.requery", { state: "manual_review" }],
      ["order.requery", { state: "delivered" }],
    ]);
    expect(audits[0]?.reason).toBe("Customer called");
    expect(await entriesFor(order.id, "vtu_settle")).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("requery without VTU providers: the service says so; a panel whose registry lacks the provider changes nothing", async () => {
    const { order } = await manualReviewOrder();
    const admin = await tdb.db
      .selectFrom("admin_users")
      .select(["id", "role"])
      .where("email", "=", "admin@tada.test")
      .executeTakeFirstOrThrow();
    await expect(requeryOrderNow({ ctx, vtu: undefined, admin, orderId: order.id })).rejects.toMatchObject({
      code: "VTU_UNAVAILABLE",
      message: expect.stringContaining("no VTU providers"),
    });
    const bare = makeTestApp(tdb.db, { config }).app; // an empty provider registry
    const b = adminBrowser(() => bare);
    await adminSignIn(b, "admin@tada.test", PASSWORD);
    const page = await b.request("GET", `/admin/orders/${order.id}`);
    const res = await b.request("POST", `/admin/orders/${order.id}/requery`, { csrf: page.csrf });
    expect(res.res.status).toBe(303);
    expect(await orderRow(order.id)).toMatchObject({ state: "manual_review", hold: "pending" });
  });

  it("resend receipt: support may, from the user's page; refused for an order that is not delivered; audited", async () => {
    ahead = 0;
    const user = await createBuyer(ctx, 100_000);
    const delivered = await placeOrder(ctx, harness.vtu, user.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 20_000, pin: TEST_PIN },
    });
    await harness.drain();
    expect((await orderRow(delivered.id)).state).toBe("delivered");
    const { order: open } = await manualReviewOrder();

    const support = await signedIn("support@tada.test");
    const userPage = await support.request("GET", `/admin/users/${user.id}`);
    expect(userPage.html).toContain(`/admin/orders/${delivered.id}/resend-receipt`);
    const noCsrf = await support.request("POST", `/admin/orders/${delivered.id}/resend-receipt`, {});
    expect(noCsrf.res.status).toBe(403);
    const sent = await support.request("POST", `/admin/orders/${delivered.id}/resend-receipt`, {
      csrf: userPage.csrf,
    });
    expect(sent.res.status).toBe(303);
    expect(sent.res.headers.get("location")).toBe(`/admin/orders/${delivered.id}?done=receipt_resent`);
    const receipts = await tdb.db
      .selectFrom("notifications")
      .select(["kind", "payload"])
      .where("user_id", "=", user.id)
      .where("kind", "=", "order.receipt")
      .execute();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.payload).toMatchObject({ orderId: delivered.id, resend: true });
    expect((await auditsFor(delivered.id)).map((a) => a.action)).toEqual(["order.resend_receipt"]);

    const refused = await support.request("POST", `/admin/orders/${open.id}/resend-receipt`, {
      csrf: userPage.csrf,
    });
    expect(refused.res.status).toBe(409);
    expect(refused.html).toContain("Only delivered orders have a receipt");
    expect(await auditsFor(open.id)).toEqual([]);

    // Support is refused the money actions outright.
    for (const path of ["requery", "refund", "mark-delivered"]) {
      const res = await support.request("POST", `/admin/orders/${open.id}/${path}`, {
        csrf: userPage.csrf,
        reference: "REF-999",
        reason: "support trying",
      });
      expect(res.res.status).toBe(403);
    }
    expect((await orderRow(open.id)).state).toBe("manual_review");
    await expectLedgerConsistent(tdb.db);
  });
});
