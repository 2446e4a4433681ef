import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogger, makeCtx } from "../../../../test/helpers/context";
import { countingDb } from "../../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { until } from "../../../../test/helpers/until";
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
import { PgListener } from "../../pg-listener";
import { getOrder, ORDER_SETTLED_CHANNEL, OrderOutcomes, OUTCOME_RECHECK_MS, waitForOrderOutcome } from "..";
import { parseSettled } from "../order-outcomes";

let tdb: TestDatabase;
let ctx: ServiceContext;
let listener: PgListener;
let outcomes: OrderOutcomes;
const log = captureLogger();

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
  await seedCatalogue(ctx, sandboxRegistry(ctx));
  listener = await new PgListener(tdb.url, log.logger, [ORDER_SETTLED_CHANNEL]).start();
  outcomes = new OrderOutcomes(listener);
});
afterAll(async () => {
  await listener.close();
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

/** A held order (its submit job queued in the harness, not run) and the harness to run it. */
async function heldOrder() {
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  const buyer = await createBuyer(ctx, 100_000);
  const order = await placeOrder(ctx, harness.vtu, buyer.id, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
  });
  expect(order.state).toBe("held");
  return { harness, buyer, order };
}

describe("order outcomes pushed by PostgreSQL", () => {
  it("answers a waiting purchase when its order's outcome commits, not at the next look", async () => {
    expect(outcomes.listening).toBe(true);
    const { harness, buyer, order } = await heldOrder();
    const waiting = waitForOrderOutcome({
      ctx,
      userId: buyer.id,
      orderId: order.id,
      timeoutMs: 10_000,
      outcomes,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The worker's side: submit to the sandbox, which delivers at once.
    await harness.drain();
    const settledAt = Date.now();
    const answered = await waiting;
    expect(answered.state).toBe("delivered");
    // A look without a notification would come OUTCOME_RECHECK_MS.listening (2 s) after the first.
    expect(Date.now() - settledAt).toBeLessThan(OUTCOME_RECHECK_MS.listening / 2);
  });

  it("still answers while the listening connection is gone, and listens again after", async () => {
    const { harness, buyer, order } = await heldOrder();
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE application_name = 'tada-listener' AND pid <> pg_backend_pid()`.execute(tdb.db);
    await until(() => !outcomes.listening, 5_000);
    const waiting = waitForOrderOutcome({
      ctx,
      userId: buyer.id,
      orderId: order.id,
      timeoutMs: 10_000,
      outcomes,
    });
    await harness.drain();
    expect((await waiting).state).toBe("delivered");
    await until(() => outcomes.listening, 10_000);
    expect(log.text()).toContain("database notifications lost their connection");
    expect(log.text()).toContain("database notifications are back");
  });

  it("hears an outcome that committed before the purchase began to wait for it", async () => {
    const { harness, buyer, order } = await heldOrder();
    // A quick provider: the order settles between its creation and the wait. `outcomes` subscribed
    // to the channel first, so once this later handler hears the order, `outcomes` has heard it too.
    const heard = new Set<string>();
    const stopHearing = listener.on(ORDER_SETTLED_CHANNEL, (payload) =>
      heard.add(parseSettled(payload).orderId),
    );
    await harness.drain();
    await until(() => heard.has(order.id), 5_000, "the order's notification");
    stopHearing();
    const started = Date.now();
    const answered = await waitForOrderOutcome({
      ctx,
      userId: buyer.id,
      orderId: order.id,
      timeoutMs: 10_000,
      outcomes,
      placed: order, // as written: "held", so the wait does not read it first
    });
    expect(answered.state).toBe("delivered");
    expect(Date.now() - started).toBeLessThan(OUTCOME_RECHECK_MS.listening / 2);
  });

  it("answers from what the notification carries, without reading the order, exactly as a read would", async () => {
    const { harness, buyer, order } = await heldOrder();
    const counting = countingDb(tdb.url);
    try {
      const waiting = waitForOrderOutcome({
        ctx: { ...ctx, db: counting.db },
        userId: buyer.id,
        orderId: order.id,
        timeoutMs: 10_000,
        outcomes,
        placed: order,
      });
      await harness.drain();
      const answered = await waiting;
      expect(answered.state).toBe("delivered");
      expect(counting.statements()).toBe(0);
      expect(answered).toEqual(await getOrder({ ctx, userId: buyer.id, orderId: order.id }));
    } finally {
      await counting.db.destroy();
    }
  });

  it("reads the order when a notification carries only its id, or something it cannot trust", () => {
    const id = "ord_1";
    expect(parseSettled(id)).toEqual({ orderId: id });
    expect(parseSettled("{not json")).toEqual({ orderId: "{not json" });
    const good = {
      id,
      state: "delivered",
      message: null,
      token_encrypted: null,
      units: null,
      updated_at: "2026-12-06T19:33:05.123456+00:00",
      delivered_at: "2026-12-06T19:33:05.123+00:00",
    };
    const parsed = parseSettled(JSON.stringify(good));
    expect(parsed.settlement?.state).toBe("delivered");
    expect(parsed.settlement?.updated_at.toISOString()).toBe("2026-12-06T19:33:05.123Z");
    for (const bad of [
      { state: "teleported" },
      { updated_at: "yesterday" },
      { delivered_at: 5 },
      { message: { text: "x" } },
      { token_encrypted: 1 },
    ]) {
      expect(parseSettled(JSON.stringify({ ...good, ...bad }))).toEqual({ orderId: id });
    }
  });

  it("gives up at the timeout with the order as it is (held), without an outcome", async () => {
    const { buyer, order } = await heldOrder();
    const started = Date.now();
    const answered = await waitForOrderOutcome({
      ctx,
      userId: buyer.id,
      orderId: order.id,
      timeoutMs: 300,
      outcomes,
    });
    expect(answered.state).toBe("held");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
