import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogger, makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";
import type { ServiceContext } from "../services/context";
import { getOrder, type VtuJob, type VtuRuntime } from "../services/vtu";
import { createLocalVtuDispatch } from "./local-dispatch";

let tdb: TestDatabase;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
  await seedCatalogue(ctx, sandboxRegistry(ctx));
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

/** A runtime whose dispatch runs order jobs in process; `queued` is what went to the "queue". */
function localRuntime(concurrency: number, latencyMs = 0) {
  const queued: VtuJob[] = [];
  const runtime: VtuRuntime = { providers: sandboxRegistry(ctx, { latencyMs }), dispatch: async () => {} };
  const local = createLocalVtuDispatch({
    deps: () => ({ ctx: () => ctx, vtu: runtime, logger: ctx.logger }),
    concurrency,
    fallback: async (job) => {
      queued.push(job);
    },
    logger: captureLogger().logger,
  });
  runtime.dispatch = local.dispatch;
  return { runtime, local, queued };
}

async function buy(runtime: VtuRuntime, userId: string) {
  return placeOrder(ctx, runtime, userId, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
  });
}

async function settled(userId: string, orderId: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const order = await getOrder({ ctx, userId, orderId });
    if (!["held", "submitting"].includes(order.state) || Date.now() > deadline) {
      return order;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("order jobs run in the dispatching process", () => {
  it("delivers a purchase without the job queue", async () => {
    const { runtime, queued } = localRuntime(4);
    const buyer = await createBuyer(ctx, 100_000);
    const order = await buy(runtime, buyer.id);
    expect((await settled(buyer.id, order.id)).state).toBe("delivered");
    expect(queued).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });

  it("runs at most `concurrency` jobs at once, each order vended once", async () => {
    const { runtime } = localRuntime(2, 150);
    const buyer = await createBuyer(ctx, 1_000_000);
    const started = Date.now();
    const orders = await Promise.all(Array.from({ length: 6 }, () => buy(runtime, buyer.id)));
    const first = orders[0];
    if (!first) {
      throw new Error("no order");
    }
    // The same trigger again while its job runs: nothing more happens.
    await runtime.dispatch({ name: "submit-order", orderId: first.id });
    for (const order of orders) {
      expect((await settled(buyer.id, order.id)).state).toBe("delivered");
    }
    // Six provider calls of 150 ms, two at a time: at least three rounds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 150);
    const attempts = await tdb.db
      .selectFrom("vtu_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("order_id", "=", first.id)
      .executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("on shutdown lets running jobs finish and hands waiting ones to the queue", async () => {
    const { runtime, local, queued } = localRuntime(1, 300);
    const buyer = await createBuyer(ctx, 100_000);
    const a = await buy(runtime, buyer.id);
    const b = await buy(runtime, buyer.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // a runs, b waits; the same triggers again add nothing (as the queue de-duplicates by job id).
    expect(local.pending).toBe(2);
    await runtime.dispatch({ name: "submit-order", orderId: a.id });
    await runtime.dispatch({ name: "submit-order", orderId: b.id });
    expect(local.pending).toBe(2);
    await local.drain(5_000);
    expect((await getOrder({ ctx, userId: buyer.id, orderId: a.id })).state).toBe("delivered");
    // b waited behind a: it is the queue's now (and the sweeper's, if the queue lost it).
    expect(queued.map((j) => j.orderId)).toEqual([b.id]);
    expect((await getOrder({ ctx, userId: buyer.id, orderId: b.id })).state).toBe("held");
    // After the drain, new triggers go to the queue too.
    await runtime.dispatch({ name: "requery-order", orderId: a.id });
    expect(queued.map((j) => j.name)).toEqual(["submit-order", "requery-order"]);
  });
});
