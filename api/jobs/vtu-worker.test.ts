import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderState } from "../../db/database";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { skipRedisSuites, startRedis } from "../../test/helpers/redis";
import {
  createBuyer,
  expectNoStrandedOrders,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";
import type { ServiceContext } from "../services/context";
import { createOrder, getOrder, submitOrder, type VtuRuntime } from "../services/vtu";
import { getWalletBalance } from "../services/wallet";
import { createJobBackend, type JobBackend } from "./backend";
import { createVtuDispatch, startVtuWorkers } from "./vtu";

/**
 * The VTU jobs through real BullMQ, on both backends: orders are created with `createOrder`, the
 * `submit-order` job is picked up by the worker `startVtuWorkers` starts, unresolved orders come back
 * through the sweeper's `requery-order` jobs, and every order ends where its sandbox scenario says —
 * vended at most once. (The service-level tests in api/services/vtu/__tests__ run the same verbs
 * with an in-memory queue; these prove the queue wiring.)
 *
 * Evidence for DECISIONS §3 (BullMQ's PostgreSQL backend), measured in a dev container over six
 * runs of this file (embedded PostgreSQL, local redis-server, one worker at concurrency 16 in the
 * test process, sandbox latency 5 ms). PostgreSQL backend: every job processed, none failed or
 * retried; pickup (job added → active) median 1–5 ms, p95 8–58 ms during the 20-order burst (the
 * higher figures when all 20 orders arrive within ~1.2 s, the lower when PIN checks spread them
 * over ~5 s), 1–2 ms on an idle worker (LISTEN/NOTIFY, no polling); dispatch → completed for a no-op
 * submit 5–12 ms; plain successes delivered 39–97 ms (median) after the order row was written; the
 * mix settled ~2 s after the last order was created (the 1 s requery backoff plus the 1 s sweep).
 * Redis, same runs: pickup median 1–6 ms, p95 7–54 ms in the burst, 0–1 ms idle; dispatch →
 * completed 3–6 ms. Each run prints its own "[vtu-worker]" lines.
 */

const SWEEP_SECONDS = 1;

/** The sandbox scenarios mixed in the burst, and where each must end. */
const SCENARIOS = {
  success: { phone: () => sandboxPhone(), final: "delivered", attempts: [["sandbox", "delivered"]] },
  failed: { phone: () => sandboxPhone("0001"), final: "failed", attempts: [["sandbox", "failed"]] },
  failover: {
    phone: () => sandboxPhone("0007"),
    final: "delivered",
    attempts: [
      ["sandbox", "failed"],
      ["sandbox-b", "delivered"],
    ],
  },
  timeoutAfterSuccess: {
    phone: () => sandboxPhone("0004"),
    final: "delivered",
    attempts: [["sandbox", "delivered"]],
  },
} as const satisfies Record<
  string,
  { phone: () => string; final: OrderState; attempts: readonly (readonly [string, string])[] }
>;
type Scenario = keyof typeof SCENARIOS;

/** 20 orders: 10 plain successes, 4 definite failures, 3 failovers, 3 timeouts after success. */
const MIX: Scenario[] = [
  ...Array<Scenario>(10).fill("success"),
  ...Array<Scenario>(4).fill("failed"),
  ...Array<Scenario>(3).fill("failover"),
  ...Array<Scenario>(3).fill("timeoutAfterSuccess"),
];

const FUNDING_KOBO = 1_000_000;

type Placed = { orderId: string; userId: string; scenario: Scenario; priceKobo: number };

function percentile(values: number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(values: number[]): string {
  return `n=${values.length} median=${percentile(values, 50)}ms p95=${percentile(values, 95)}ms max=${Math.max(...values)}ms`;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function vtuWorkerSuite(name: string, options: { skip: boolean; redis: boolean }) {
  describe.skipIf(options.skip)(name, () => {
    let tdb: TestDatabase;
    let ctx: ServiceContext;
    let jobs: JobBackend;
    let vtu: VtuRuntime;
    let worker: Worker;
    let stopRedis: (() => Promise<void>) | undefined;
    const failedJobs: string[] = [];
    /** job added → taken by the worker, for submit/requery jobs (which are never delayed). */
    const pickupMs: number[] = [];
    const completed = new Map<string, number>();

    beforeAll(async () => {
      tdb = await createTestDatabase({ poolSize: 30 });
      ctx = makeCtx(tdb.db, {
        config: testConfig({
          LOG_LEVEL: "warn",
          VTU_REQUERY_BASE_SECONDS: "1",
          VTU_NOT_FOUND_GRACE_SECONDS: "1",
          VTU_SUBMIT_LEASE_SECONDS: "10",
          VTU_SWEEP_INTERVAL_SECONDS: String(SWEEP_SECONDS),
        }),
      });
      let redisUrl: string | undefined;
      if (options.redis) {
        const redis = await startRedis();
        redisUrl = redis.url;
        stopRedis = redis.stop;
      }
      jobs = createJobBackend({ redisUrl, databaseUrl: tdb.url, prefix: `vw${Date.now()}` });
      expect(jobs.kind).toBe(options.redis ? "redis" : "postgres");
      const providers = sandboxRegistry(ctx, { latencyMs: 5, timeoutMs: 200 });
      vtu = { providers, dispatch: createVtuDispatch(jobs) };
      await seedCatalogue(ctx, providers);
      worker = await startVtuWorkers({
        jobs,
        ctx: () => ctx,
        vtu,
        logger: ctx.logger,
        sweepEverySeconds: SWEEP_SECONDS,
        syncEveryMinutes: 60,
      });
      worker.on("failed", (job, error) => failedJobs.push(`${job?.name} ${job?.id}: ${error.message}`));
      worker.on("active", (job) => {
        if ((job.name === "submit-order" || job.name === "requery-order") && job.processedOn) {
          pickupMs.push(job.processedOn - job.timestamp);
        }
      });
      worker.on("completed", (job) => {
        completed.set(String(job.id), (completed.get(String(job.id)) ?? 0) + 1);
      });
    });

    afterAll(async () => {
      await jobs?.close();
      await stopRedis?.();
      await tdb?.destroy();
    });

    async function place(userId: string, scenario: Scenario, runtime: VtuRuntime = vtu): Promise<Placed> {
      const phone = SCENARIOS[scenario].phone();
      const { order } = await createOrder({
        ctx,
        vtu: runtime,
        userId,
        actor: `user:${userId}`,
        channel: "api",
        idempotencyKey: `k-${phone}-${Math.random()}`,
        order: { service: "airtime", input: { network: "mtn", phone, amountKobo: 50_000, pin: TEST_PIN } },
      });
      // Placed (its money held): the worker in this process may already have taken it by the time
      // createOrder reads it back, so its state here is not asserted; where it ends is (below).
      expect(order.id).toMatch(/^ord_/);
      expect(order.priceKobo).toBeGreaterThan(0);
      return { orderId: order.id, userId, scenario, priceKobo: order.priceKobo };
    }

    /** Poll until every order is in the final state of its scenario (or fail with where they are). */
    async function waitUntilSettled(placed: Placed[], timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const ids = placed.map((p) => p.orderId);
      for (;;) {
        const rows = await tdb.db
          .selectFrom("vtu_orders")
          .select(["id", "state"])
          .where("id", "in", ids)
          .execute();
        const state = new Map(rows.map((r) => [r.id, r.state]));
        const waiting = placed.filter((p) => state.get(p.orderId) !== SCENARIOS[p.scenario].final);
        if (waiting.length === 0) {
          return;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `orders not settled after ${timeoutMs} ms: ${JSON.stringify(
              waiting.map((p) => ({ scenario: p.scenario, state: state.get(p.orderId) })),
            )}; failed jobs: ${JSON.stringify(failedJobs)}`,
          );
        }
        await sleep(100);
      }
    }

    /**
     * Exactly-once at the provider: every attempt reached the sandbox once (its books are keyed by
     * request id), a delivered order has exactly one delivered attempt and one successful vend, a
     * failed one none, and the attempts follow the scenario (failover only after a definite failure).
     */
    async function expectVendedOnce(placed: Placed[]): Promise<void> {
      const ids = placed.map((p) => p.orderId);
      const attempts = await tdb.db
        .selectFrom("vtu_attempts")
        .select(["id", "order_id", "attempt_no", "provider", "state", "request_id"])
        .where("order_id", "in", ids)
        .orderBy("order_id")
        .orderBy("attempt_no")
        .execute();
      const vends = await tdb.db
        .selectFrom("sandbox_vtu_transactions")
        .select(["provider", "request_id", "status"])
        .where(
          "request_id",
          "in",
          attempts.map((a) => a.request_id),
        )
        .execute();
      expect(new Set(attempts.map((a) => a.request_id)).size).toBe(attempts.length);
      // The sandbox would absorb a repeated request id, so also count what was sent: one answered
      // submit per attempt (a second sender is turned away by the lease before it calls).
      const submits = await tdb.db
        .selectFrom("vtu_provider_exchanges")
        .select(["attempt_id", (eb) => eb.fn.countAll<number>().as("n")])
        .where(
          "attempt_id",
          "in",
          attempts.map((a) => a.id),
        )
        .where("kind", "=", "submit")
        .groupBy("attempt_id")
        .execute();
      expect(
        attempts.map((a) => Number(submits.find((x) => x.attempt_id === a.id)?.n ?? 0)),
        "submits per attempt",
      ).toEqual(attempts.map(() => 1));
      for (const p of placed) {
        const mine = attempts.filter((a) => a.order_id === p.orderId);
        const label = `${p.scenario} order ${p.orderId}`;
        expect(
          mine.map((a) => [a.provider, a.state]),
          label,
        ).toEqual(SCENARIOS[p.scenario].attempts);
        const myVends = mine.map((a) =>
          vends.filter((v) => v.request_id === a.request_id && v.provider === a.provider),
        );
        // One row per attempt at its provider: each request went out (and was recorded) exactly once.
        expect(
          myVends.map((v) => v.length),
          label,
        ).toEqual(mine.map(() => 1));
        const successes = myVends.flat().filter((v) => v.status === "success").length;
        expect(successes, label).toBe(SCENARIOS[p.scenario].final === "delivered" ? 1 : 0);
        const order = await getOrder({ ctx, userId: p.userId, orderId: p.orderId });
        expect(order.refunded, label).toBe(SCENARIOS[p.scenario].final === "failed");
      }
      const holds = await tdb.db
        .selectFrom("vtu_orders as o")
        .innerJoin("holds as h", "h.id", "o.hold_id")
        .select(["o.id", "h.status"])
        .where("o.id", "in", ids)
        .execute();
      for (const p of placed) {
        const hold = holds.find((h) => h.id === p.orderId);
        expect(hold?.status, p.scenario).toBe(SCENARIOS[p.scenario].final === "failed" ? "voided" : "posted");
      }
    }

    async function expectBalances(placed: Placed[]): Promise<void> {
      for (const userId of new Set(placed.map((p) => p.userId))) {
        const spent = placed
          .filter((p) => p.userId === userId && SCENARIOS[p.scenario].final === "delivered")
          .reduce((sum, p) => sum + p.priceKobo, 0);
        const wallet = await getWalletBalance({ ctx, userId });
        expect(wallet).toMatchObject({ balanceKobo: FUNDING_KOBO - spent, heldKobo: 0 });
      }
    }

    it("takes a burst of 20 orders through the queue: each ends per its scenario, vended once", async () => {
      const buyers = await Promise.all([1, 2, 3, 4].map(() => createBuyer(ctx, FUNDING_KOBO)));
      const started = Date.now();
      const placed = await Promise.all(
        MIX.map((scenario, i) => {
          const buyer = buyers[i % buyers.length];
          if (!buyer) {
            throw new Error("no buyer");
          }
          return place(buyer.id, scenario);
        }),
      );
      const createdIn = Date.now() - started;
      await waitUntilSettled(placed);
      const settledIn = Date.now() - started;

      await expectVendedOnce(placed);
      await expectBalances(placed);
      expect(failedJobs).toEqual([]);
      await expectNoStrandedOrders(ctx);
      await expectLedgerConsistent(tdb.db);

      const rows = await tdb.db
        .selectFrom("vtu_orders")
        .select(["id", "created_at", "delivered_at"])
        .where(
          "id",
          "in",
          placed.filter((p) => p.scenario === "success").map((p) => p.orderId),
        )
        .execute();
      const deliveredMs = rows.map((r) => (r.delivered_at?.getTime() ?? Number.NaN) - r.created_at.getTime());
      process.stdout.write(
        `[vtu-worker] ${jobs.kind}: ${placed.length} orders created in ${createdIn} ms, all settled in ${settledIn} ms; ` +
          `pickup ${summary(pickupMs)}; success order created→delivered ${summary(deliveredMs)}\n`,
      );
    });

    it("a submit dispatched twice and run concurrently by hand vends each order once", async () => {
      const buyer = await createBuyer(ctx, FUNDING_KOBO);
      // Orders created without a job, so every trigger below starts from the same `held` order.
      const quiet: VtuRuntime = { providers: vtu.providers, dispatch: async () => {} };
      const placed: Placed[] = [];
      for (const scenario of ["success", "success", "success", "failover", "failed"] as const) {
        placed.push(await place(buyer.id, scenario, quiet));
      }
      await Promise.all(
        placed.flatMap((p) => [
          vtu.dispatch({ name: "submit-order", orderId: p.orderId }),
          vtu.dispatch({ name: "submit-order", orderId: p.orderId }),
          submitOrder({ ctx, vtu, orderId: p.orderId }),
          submitOrder({ ctx, vtu, orderId: p.orderId }),
        ]),
      );
      await waitUntilSettled(placed);
      await expectVendedOnce(placed);

      // Triggers after the fact (a duplicate delivery, the sweeper racing a retry) change nothing.
      // Dispatched one at a time on an idle worker, they also measure pickup and round trip.
      const roundTripMs: number[] = [];
      const idlePickupFrom = pickupMs.length;
      for (const p of placed) {
        const jobId = `submit-order__${p.orderId}`;
        const before = completed.get(jobId) ?? 0;
        const sent = Date.now();
        await vtu.dispatch({ name: "submit-order", orderId: p.orderId });
        const deadline = Date.now() + 10_000;
        while ((completed.get(jobId) ?? 0) === before) {
          expect(Date.now(), `job ${jobId} not completed`).toBeLessThan(deadline);
          await sleep(2);
        }
        roundTripMs.push(Date.now() - sent);
      }
      await expectVendedOnce(placed);
      await expectBalances(placed);
      expect(failedJobs).toEqual([]);
      await expectNoStrandedOrders(ctx);
      await expectLedgerConsistent(tdb.db);
      process.stdout.write(
        `[vtu-worker] ${jobs.kind}: idle pickup ${summary(pickupMs.slice(idlePickupFrom))}; ` +
          `dispatch→completed ${summary(roundTripMs)}\n`,
      );
    });
  });
}

vtuWorkerSuite("VTU jobs on BullMQ's PostgreSQL backend", { skip: false, redis: false });
vtuWorkerSuite("VTU jobs on BullMQ with Redis", { skip: skipRedisSuites, redis: true });
