import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { skipRedisSuites, startRedis } from "../../test/helpers/redis";
import {
  createBuyer,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";
import type { ServiceContext } from "../services/context";
import { getOrder, type VtuRuntime } from "../services/vtu";
import { createJobBackend, type JobBackend } from "./backend";
import { createVtuDispatch, startVtuWorkers } from "./vtu";

/**
 * Fault F3: redis-server frozen (SIGSTOP) while customers buy. A purchase must not hang on the
 * queue: the order and its hold are committed, the request answers within the enqueue timeout, and
 * once Redis is back the order is delivered exactly once — nothing lost, nothing doubled.
 */
describe.skipIf(skipRedisSuites)("F3: Redis paused mid-purchase", () => {
  let tdb: TestDatabase;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let jobs: JobBackend;
  let worker: Worker;
  let ctx: ServiceContext;
  let vtu: VtuRuntime;

  beforeAll(async () => {
    tdb = await createTestDatabase({ poolSize: 10 });
    redis = await startRedis();
    ctx = makeCtx(tdb.db, { config: testConfig({ VTU_REQUERY_BASE_SECONDS: "1" }) });
    jobs = createJobBackend({ redisUrl: redis.url, databaseUrl: tdb.url, prefix: `f3${Date.now()}` });
    vtu = { providers: sandboxRegistry(ctx, { latencyMs: 5 }), dispatch: createVtuDispatch(jobs) };
    await seedCatalogue(ctx, vtu.providers);
    worker = await startVtuWorkers({
      jobs,
      ctx: () => ctx,
      vtu,
      logger: ctx.logger,
      sweepEverySeconds: 1,
      syncEveryMinutes: 600,
    });
  });
  afterAll(async () => {
    redis?.resume();
    await worker?.close();
    await jobs?.close();
    await redis?.stop();
    await tdb?.destroy();
  });

  async function waitFor(orderId: string, userId: string, state: string, ms: number) {
    const deadline = Date.now() + ms;
    for (;;) {
      const order = await getOrder({ ctx, userId, orderId });
      if (order.state === state || Date.now() > deadline) {
        return order;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("answers at once with the money held, and delivers once Redis is back", async () => {
    const user = await createBuyer(ctx, 100_000);
    const buy = (phone: string) =>
      placeOrder(ctx, vtu, user.id, {
        service: "airtime",
        input: { network: "mtn", phone, amountKobo: 10_000, pin: TEST_PIN },
      });
    const first = await buy(sandboxPhone());
    expect((await waitFor(first.id, user.id, "delivered", 10_000)).state).toBe("delivered");

    redis.pause();
    const started = Date.now();
    const phone = sandboxPhone();
    const during = await buy(phone);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(during.state).toBe("held");
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await getOrder({ ctx, userId: user.id, orderId: during.id })).state).toBe("held");

    redis.resume();
    const after = await waitFor(during.id, user.id, "delivered", 40_000);
    expect(after.state).toBe("delivered");
    const vends = await tdb.db
      .selectFrom("sandbox_vtu_transactions")
      .select("request_id")
      .where("recipient", "=", phone)
      .execute();
    expect(vends).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  }, 90_000);
});
