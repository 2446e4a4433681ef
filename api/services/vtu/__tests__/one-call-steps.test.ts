import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../../db/database";
import { captureLogger, makeCtx } from "../../../../test/helpers/context";
import { countingDb } from "../../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import type { ServiceContext } from "../../context";
import { getWalletBalance } from "../../wallet";
import { getOrder } from "../get-orders";
import { deliverInOneCall } from "../transitions";

/**
 * The money steps of a purchase as single statements (issue 15): what they write must be exactly what
 * the step-by-step path wrote (the other suites check that through the same services), and the
 * usual case must really take the one call.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let logged: Kysely<Database>;
let sent: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  const counting = countingDb(tdb.url, { poolSize: 4 });
  logged = counting.db;
  sent = counting.sent;
  ctx = makeCtx(logged, { logger: captureLogger().logger });
  await seedCatalogue(ctx, sandboxRegistry(ctx));
});
afterAll(async () => {
  await logged.destroy();
  await tdb.destroy();
});

const ledgerWrites = (statements: string[]) =>
  statements.filter((s) => /insert into "(postings|journal_entries)"|update "holds"/i.test(s));

describe("a submit and a delivery in one statement each", () => {
  it("posts the hold, settles, books the order, schedules its check and tells the chat, in one call", async () => {
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    const buyer = await createBuyer(ctx, 10_000_000);
    await logged
      .insertInto("identities")
      .values({ user_id: buyer.id, channel: "telegram", external_id: `tg-${buyer.id}` })
      .execute();
    const plan = await tdb.db
      .selectFrom("catalogue_products")
      .select(["id", "name"])
      .where("service", "=", "data")
      .where("network", "=", "mtn")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const placed = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "data",
      input: { network: "mtn", phone: sandboxPhone(), planId: plan.id, pin: TEST_PIN },
    });
    sent.length = 0;
    await harness.drain();

    // The submit step (attempt + lease) and the delivery, one statement each.
    expect(sent.filter((s) => s.includes("vtu_begin_submit"))).toHaveLength(1);
    expect(sent.filter((s) => /insert into "vtu_attempts"|^\s*begin\b/i.test(s))).toEqual([]);
    expect(sent.filter((s) => s.includes("vtu_deliver_order"))).toHaveLength(1);
    expect(ledgerWrites(sent)).toEqual([]);
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .selectAll()
      .where("id", "=", placed.id)
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({ state: "delivered", lease_owner: null, next_check_at: null });
    const { settle_entry_id: settleEntryId, cost_kobo: cost, delivered_at: deliveredAt } = order;
    if (settleEntryId === null || cost === null || deliveredAt === null) {
      throw new Error(`a delivered order lacks its settlement: ${JSON.stringify(order)}`);
    }
    expect(order.message).toBe(`Delivered: ${plan.name} data for ${order.recipient}.`);
    // The first post-delivery check: the smallest configured offset after delivery.
    const firstOffset = Math.min(...ctx.config.VTU_VERIFY_AFTER_DELIVERY);
    expect(order.verify_due_at?.getTime()).toBe(deliveredAt.getTime() + firstOffset * 1000);
    const hold = await tdb.db
      .selectFrom("holds")
      .selectAll()
      .where("id", "=", order.hold_id)
      .executeTakeFirstOrThrow();
    expect(hold).toMatchObject({ status: "posted", posted_amount: order.price_kobo });
    const settle = await tdb.db
      .selectFrom("postings")
      .select(["amount"])
      .where("entry_id", "=", settleEntryId)
      .orderBy("id")
      .execute();
    expect(settle.map((p) => Number(p.amount))).toEqual(
      [-order.price_kobo, cost, order.price_kobo - cost].filter((a) => a !== 0),
    );
    const outbox = await tdb.db
      .selectFrom("chat_outbox")
      .select(["dedupe_key", "kind"])
      .where("user_id", "=", buyer.id)
      .execute();
    expect(outbox).toEqual([
      { kind: "order.delivered", dedupe_key: `order.delivered:${placed.id}@telegram:tg-${buyer.id}` },
    ]);
    expect((await getWalletBalance({ ctx, userId: buyer.id })).balanceKobo).toBe(
      10_000_000 - order.price_kobo,
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("writes nothing and hands over when the order is not in flight (a second answer about it)", async () => {
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    const buyer = await createBuyer(ctx, 100_000);
    const placed = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });
    await harness.drain();
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .selectAll()
      .where("id", "=", placed.id)
      .executeTakeFirstOrThrow();
    const attempt = await tdb.db
      .selectFrom("vtu_attempts")
      .select("id")
      .where("order_id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(order.state).toBe("delivered");
    const exchanges = async () =>
      (
        await tdb.db
          .selectFrom("vtu_provider_exchanges")
          .select("id")
          .where("attempt_id", "=", attempt.id)
          .execute()
      ).length;
    const before = await exchanges();
    const taken = await deliverInOneCall(ctx, {
      order,
      attemptId: attempt.id,
      kind: "requery",
      result: { outcome: "delivered", message: "Successful", raw: { durationMs: 5 } },
      durationMs: 5,
      planName: undefined,
    });
    expect(taken).toBe(false);
    expect(await exchanges()).toBe(before);
    expect((await getWalletBalance({ ctx, userId: buyer.id })).balanceKobo).toBe(100_000 - order.price_kobo);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("a purchase request in three statements", () => {
  it("reads the pre-checks in one, writes key + hold + order in one, and answers without reading it back", async () => {
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    const buyer = await createBuyer(ctx, 100_000);
    const order = {
      service: "airtime" as const,
      input: { network: "mtn" as const, phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    };
    const key = `three-${buyer.id}`;
    sent.length = 0;
    const placed = await placeOrder(ctx, harness.vtu, buyer.id, order, key);
    // Pre-checks (replay, status, rate slot, open cap, PIN row), then the one-call create.
    // Pre-checks (replay, status, rate slot, open cap, PIN row), then the one-call create. (This
    // harness has no catalogue cache, so pricing reads the catalogue: order-cache.test.ts covers that.)
    // Pricing also reads the buyer's tier: one indexed read per order (DECISIONS §62).
    expect(sent.filter((s) => /customer_tiers/.test(s))).toHaveLength(1);
    const ours = sent.filter((s) => !/catalogue_products|pricing_rules|customer_tiers/.test(s));
    expect(ours).toHaveLength(2);
    expect(ours[0]).toMatch(/vtu_checked_create_order/);
    expect(ours[1]).toMatch(/vtu_create_order/);
    // The answer built from what was written is what reading the order back gives.
    expect(placed).toEqual(await getOrder({ ctx, userId: buyer.id, orderId: placed.id }));
    expect(placed).toMatchObject({ state: "held", faceAmountKobo: 10_000, refunded: false });
    expect((await getWalletBalance({ ctx, userId: buyer.id })).availableKobo).toBe(
      100_000 - placed.priceKobo,
    );

    // The same key again: the first order, with no money moved.
    await harness.drain();
    const again = await placeOrder(ctx, harness.vtu, buyer.id, order, key);
    expect(again.id).toBe(placed.id);
    expect(again.state).toBe("delivered");
    expect((await getWalletBalance({ ctx, userId: buyer.id })).balanceKobo).toBe(100_000 - placed.priceKobo);
    await expectLedgerConsistent(tdb.db);
  });

  it("once the PIN was seen to match, the next purchase is one statement: checks, PIN and order", async () => {
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    const buyer = await createBuyer(ctx, 100_000);
    const airtime = () => ({
      service: "airtime" as const,
      input: { network: "mtn" as const, phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });
    const first = await placeOrder(ctx, harness.vtu, buyer.id, airtime());
    sent.length = 0;
    const second = await placeOrder(ctx, harness.vtu, buyer.id, airtime());
    // Pricing also reads the buyer's tier: one indexed read per order (DECISIONS §62).
    expect(sent.filter((s) => /customer_tiers/.test(s))).toHaveLength(1);
    const ours = sent.filter((s) => !/catalogue_products|pricing_rules|customer_tiers/.test(s));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/vtu_checked_create_order/);
    expect(second).toEqual(await getOrder({ ctx, userId: buyer.id, orderId: second.id }));

    // A wrong PIN in between leaves a failure to reset: the one call refuses, the PIN is checked
    // the long way (the failure cleared), and the order is made once.
    await expect(
      placeOrder(ctx, harness.vtu, buyer.id, { ...airtime(), input: { ...airtime().input, pin: "9146" } }),
    ).rejects.toMatchObject({ code: "INCORRECT_PIN" });
    sent.length = 0;
    const third = await placeOrder(ctx, harness.vtu, buyer.id, airtime());
    expect(sent.filter((s) => /vtu_checked_create_order|vtu_create_order\(/.test(s))).toHaveLength(2);
    const pins = await tdb.db
      .selectFrom("user_pins")
      .select("failed_attempts")
      .where("user_id", "=", buyer.id)
      .executeTakeFirstOrThrow();
    expect(pins.failed_attempts).toBe(0);
    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select("id")
      .where("user_id", "=", buyer.id)
      .execute();
    expect(orders.map((o) => o.id).sort()).toEqual([first.id, second.id, third.id].sort());

    // A suspended account is refused in the same one call, and nothing is held.
    await tdb.db.updateTable("users").set({ status: "suspended" }).where("id", "=", buyer.id).execute();
    await expect(placeOrder(ctx, harness.vtu, buyer.id, airtime())).rejects.toMatchObject({
      code: "ACCOUNT_SUSPENDED",
    });
    expect((await getWalletBalance({ ctx, userId: buyer.id })).heldKobo).toBe(
      first.priceKobo + second.priceKobo + third.priceKobo,
    );
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});
