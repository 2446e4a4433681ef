import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  expectNoStrandedOrders,
  makeVtu,
  placeOrder,
  sandboxNumber,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import type { ServiceContext } from "../../context";
import { getWalletBalance } from "../../wallet";
import { getOrder, requeryOrder, sweepDueOrders } from "..";

let tdb: TestDatabase;
let ctx: ServiceContext;
let clock: Date;

beforeAll(async () => {
  tdb = await createTestDatabase();
  clock = new Date();
  ctx = makeCtx(tdb.db, { now: () => clock });
  await seedCatalogue(ctx, sandboxRegistry(ctx));
});
afterAll(async () => {
  await tdb.destroy();
});

/** Move the test clock (the sandbox and the order service share it). */
function advance(seconds: number) {
  clock = new Date(clock.getTime() + seconds * 1000);
}

async function buyAirtime(
  harness: ReturnType<typeof makeVtu>,
  userId: string,
  phone: string,
  amountKobo = 50_000,
) {
  return placeOrder(ctx, harness.vtu, userId, {
    service: "airtime",
    input: { network: "mtn", phone, amountKobo, pin: TEST_PIN },
  });
}

/** Let the clock pass and run due work until the order stops changing on its own. */
async function settle(harness: ReturnType<typeof makeVtu>, rounds = 12) {
  for (let i = 0; i < rounds; i++) {
    await harness.drain();
    advance(120);
    await sweepDueOrders({ ctx, vtu: harness.vtu });
  }
  await harness.drain();
}

async function balances(userId: string) {
  return getWalletBalance({ ctx, userId });
}

describe("sandbox outcomes end to end (service level)", () => {
  it("success: held → delivered, the wallet pays the selling price once", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone());
    expect(order.state).toBe("held");
    expect((await balances(user.id)).availableKobo).toBe(100_000 - order.priceKobo);
    await h.drain();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("delivered");
    // ₦500 MTN airtime, 3% discount, 1% margin: cost 48,500 + 485 = 48,985 kobo (below face value).
    expect(done.priceKobo).toBe(48_985);
    const wallet = await balances(user.id);
    expect(wallet.balanceKobo).toBe(100_000 - 48_985);
    expect(wallet.heldKobo).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("definite failure: refunded, no failover", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0001"));
    await h.drain();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("failed");
    expect(done.refunded).toBe(true);
    expect((await balances(user.id)).balanceKobo).toBe(100_000);
    const attempts = await tdb.db
      .selectFrom("vtu_attempts")
      .selectAll()
      .where("order_id", "=", order.id)
      .execute();
    expect(attempts.map((a) => a.provider)).toEqual(["sandbox"]);
    await expectLedgerConsistent(tdb.db);
  });

  it("out of float: fails over to the fallback with a new request id and delivers", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0007"));
    await h.drain();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("delivered");
    const attempts = await tdb.db
      .selectFrom("vtu_attempts")
      .selectAll()
      .where("order_id", "=", order.id)
      .orderBy("attempt_no")
      .execute();
    expect(attempts.map((a) => [a.provider, a.state])).toEqual([
      ["sandbox", "failed"],
      ["sandbox-b", "delivered"],
    ]);
    expect(attempts[0]?.request_id).not.toBe(attempts[1]?.request_id);
    await expectLedgerConsistent(tdb.db);
  });

  it("pending → success: stays held while pending, delivered after the requery", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0002"));
    await h.drain();
    const pending = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(pending.state).toBe("pending");
    expect((await balances(user.id)).heldKobo).toBe(order.priceKobo);
    await settle(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect((await balances(user.id)).heldKobo).toBe(0);
    await expectNoStrandedOrders(ctx);
    await expectLedgerConsistent(tdb.db);
  });

  it("pending → failure: refunded after the requery", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0003"));
    await settle(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("failed");
    expect((await balances(user.id)).balanceKobo).toBe(100_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("P3: timeout after success → unknown, never refunded, delivered after requery", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0004"));
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("unknown");
    await settle(h);
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("delivered");
    const hold = await tdb.db
      .selectFrom("vtu_orders as o")
      .innerJoin("holds as h", "h.id", "o.hold_id")
      .select("h.status")
      .where("o.id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(hold.status).toBe("posted"); // zero refunds
    const attempts = await tdb.db
      .selectFrom("vtu_attempts")
      .select("provider")
      .where("order_id", "=", order.id)
      .execute();
    expect(attempts).toHaveLength(1); // never sent to the fallback
    await expectLedgerConsistent(tdb.db);
  });

  it("P4: timeout before processing → unknown; the fallback hears nothing until the requery says 'never processed', then once", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0005"));
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("unknown");
    const attempts = () =>
      tdb.db
        .selectFrom("vtu_attempts")
        .select(["provider", "state", "request_id"])
        .where("order_id", "=", order.id)
        .orderBy("attempt_no")
        .execute();
    // Inside the grace period "not found" may only mean "not recorded yet": still unknown, no failover.
    await requeryOrder({ ctx, vtu: h.vtu, orderId: order.id });
    expect((await attempts()).map((a) => a.provider)).toEqual(["sandbox"]);
    await settle(h);
    // The fallback also times out in this scenario, and is found never to have processed it: refund.
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("failed");
    expect((await balances(user.id)).balanceKobo).toBe(100_000);
    const all = await attempts();
    expect(all.map((a) => [a.provider, a.state])).toEqual([
      ["sandbox", "failed"],
      ["sandbox-b", "failed"],
    ]);
    expect(new Set(all.map((a) => a.request_id)).size).toBe(2);
    await expectLedgerConsistent(tdb.db);
  });

  it("garbage body → unknown → delivered by requery", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0006"));
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("unknown");
    await settle(h);
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });

  it("P7: delivered then reversed refunds exactly once, however often it is requeried", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 100_000);
    const order = await buyAirtime(h, user.id, sandboxPhone("0008"));
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect((await balances(user.id)).balanceKobo).toBe(100_000 - order.priceKobo);
    advance(60);
    await Promise.all(
      Array.from({ length: 10 }, () =>
        requeryOrder({ ctx, vtu: h.vtu, orderId: order.id, includeDelivered: true }),
      ),
    );
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("reversed");
    expect((await balances(user.id)).balanceKobo).toBe(100_000);
    const reversals = await tdb.db
      .selectFrom("journal_entries")
      .select("id")
      .where("type", "=", "vtu_reversal")
      .where((eb) => eb.fn("jsonb_extract_path_text", [eb.ref("metadata"), eb.val("orderId")]), "=", order.id)
      .execute();
    expect(reversals).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("electricity: verify first, prepaid returns a 20-digit token stored encrypted", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 1_000_000);
    const meter = sandboxNumber(11);
    const order = await placeOrder(
      ctx,
      h.vtu,
      user.id,
      {
        service: "electricity",
        input: {
          disco: "ikeja",
          meterType: "prepaid",
          meterNumber: meter,
          amountKobo: 500_000,
          pin: TEST_PIN,
        },
      },
      `elec-${meter}`,
    );
    expect(order.customerName).toBe("SANDBOX METER OKONKWO");
    await h.drain();
    const done = await getOrder({ ctx, userId: user.id, orderId: order.id });
    expect(done.state).toBe("delivered");
    expect(done.token?.replace(/ /g, "")).toMatch(/^\d{20}$/);
    const row = await tdb.db
      .selectFrom("vtu_orders")
      .select(["token_encrypted", "message"])
      .where("id", "=", order.id)
      .executeTakeFirstOrThrow();
    const digits = done.token?.replace(/ /g, "") ?? "";
    expect(row.token_encrypted).not.toContain(digits);
    expect(row.message).not.toContain(digits);
    const notes = await tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", user.id)
      .execute();
    expect(notes.map((n) => n.body).join(" ")).not.toContain(digits);
    await expectLedgerConsistent(tdb.db);
  });

  it("cable renew: verify finds the current bouquet and pays for it", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    const user = await createBuyer(ctx, 5_000_000);
    const card = sandboxNumber(10);
    const order = await placeOrder(
      ctx,
      h.vtu,
      user.id,
      {
        service: "cable",
        input: { provider: "dstv", smartcard: card, subscription: "renew", pin: TEST_PIN },
      },
      `cable-${card}`,
    );
    expect(order.productId).toBe("cable:dstv:compact");
    expect(order.customerName).toBe("SANDBOX VIEWER ADEBAYO");
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    await expectLedgerConsistent(tdb.db);
  });
});
