import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobBackend, type JobBackend } from "../api/jobs/backend";
import { createVtuDispatch, VTU_QUEUE } from "../api/jobs/vtu";
import type { ServiceContext } from "../api/services/context";
import { createOrder, type VtuRuntime } from "../api/services/vtu";
import { getWalletBalance } from "../api/services/wallet";
import type { OrderState } from "../db/database";
import { makeCtx, TEST_PEPPER, testConfig } from "../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { expectLedgerConsistent } from "../test/helpers/ledger";
import { type Started, spawnApp } from "../test/helpers/spawn-app";
import {
  createBuyer,
  expectNoStrandedOrders,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../test/helpers/vtu";

/**
 * kill -9 of a worker in the middle of a provider call: the orders it held stay `submitting` with a
 * lease owned by its boot; once the dead boot's heartbeat is PROCESS_DEAD_AFTER_SECONDS old, a new
 * worker's sweeper takes the leases over and sends the orders again with the same request id (the
 * sandbox honours idempotent request ids), so each is vended exactly once and nobody is refunded for
 * airtime they received. The workers are the real `npm run worker` (node --import tsx
 * scripts/start.ts, ROLE=worker) on BullMQ's PostgreSQL backend in the test database, with every
 * lease, heartbeat and sweep setting at its default (a 120 s submit lease); this process only
 * creates the orders and enqueues their jobs on the same queue.
 *
 * The dead worker's job stays `active` in BullMQ until its stalled-job check (~30–60 s), but a
 * takeover job is keyed by the dead owner, so it is not swallowed as a duplicate of it. The bound
 * below (30 s after the kill) would fail if recovery waited for the lease or for BullMQ.
 */

const ORDERS = 4;
const FUNDING_KOBO = 500_000;
/** Long enough that every order is still inside the provider call when the worker is killed. */
const SANDBOX_LATENCY_MS = 4_000;

const dataDir = path.join(os.tmpdir(), `tada-worker-kill-${process.pid}-${Date.now()}`);
const children: ChildProcess[] = [];

let tdb: TestDatabase;
let ctx: ServiceContext;
let jobs: JobBackend;
let workerEnv: Record<string, string>;

/** `npm run worker` as an operator runs it, against the test database. */
async function startWorker(): Promise<Started> {
  const started = await spawnApp(workerEnv, { readyWithinMs: 30_000 });
  children.push(started.child);
  expect(started.output()).toContain("roles: worker");
  return started;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function orderStates(ids: string[]): Promise<OrderState[]> {
  const rows = await tdb.db.selectFrom("vtu_orders").select(["id", "state"]).where("id", "in", ids).execute();
  return ids.map((id) => rows.find((r) => r.id === id)?.state ?? ("missing" as OrderState));
}

async function waitForStates(ids: string[], state: OrderState, timeoutMs: number, why: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await orderStates(ids);
    if (states.every((s) => s === state)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`orders are ${states.join(", ")} after ${timeoutMs} ms, not all ${state}\n${why()}`);
    }
    await sleep(50);
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  const settings = {
    SANDBOX_LATENCY_MS: String(SANDBOX_LATENCY_MS),
    VTU_REQUERY_BASE_SECONDS: "1",
  };
  workerEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    ROLE: "worker",
    NODE_ENV: "test",
    // External database: the worker never starts the embedded PostgreSQL; ROLE=worker serves no HTTP.
    DATABASE_URL: tdb.url,
    DATA_DIR: dataDir,
    PIN_PEPPER: TEST_PEPPER,
    LOG_LEVEL: "warn",
    ...settings,
  };
  ctx = makeCtx(tdb.db, { config: testConfig({ LOG_LEVEL: "warn", ...settings }) });
  await seedCatalogue(ctx, sandboxRegistry(ctx));
  // The workers use createJobBackend's default prefix ("tada"), so does this producer.
  jobs = createJobBackend({ databaseUrl: tdb.url });
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  await jobs?.close();
  await tdb?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a worker killed mid-job (kill -9)", () => {
  it("leaves its orders submitting; a new worker's sweeper delivers each exactly once, no refund", async () => {
    const first = await startWorker();

    const vtu: VtuRuntime = { providers: sandboxRegistry(ctx), dispatch: createVtuDispatch(jobs) };
    const buyers = await Promise.all([1, 2].map(() => createBuyer(ctx, FUNDING_KOBO)));
    const placed = await Promise.all(
      Array.from({ length: ORDERS }, async (_, i) => {
        const buyer = buyers[i % buyers.length];
        if (!buyer) {
          throw new Error("no buyer");
        }
        const phone = sandboxPhone();
        const { order } = await createOrder({
          ctx,
          vtu,
          userId: buyer.id,
          actor: `user:${buyer.id}`,
          channel: "api",
          idempotencyKey: `kill-${i}-${phone}`,
          order: { service: "airtime", input: { network: "mtn", phone, amountKobo: 50_000, pin: TEST_PIN } },
        });
        return { id: order.id, userId: buyer.id, priceKobo: order.priceKobo };
      }),
    );
    const ids = placed.map((p) => p.id);

    // The worker took every order: attempt and request id committed, lease taken, provider call running.
    await waitForStates(ids, "submitting", SANDBOX_LATENCY_MS, first.output);
    first.child.kill("SIGKILL");
    await exited(first.child);
    const killedAt = Date.now();

    const attemptsBefore = await tdb.db
      .selectFrom("vtu_attempts")
      .select(["order_id", "request_id", "state"])
      .where("order_id", "in", ids)
      .execute();
    expect(attemptsBefore).toHaveLength(ORDERS);
    expect(attemptsBefore.every((a) => a.state === "submitting")).toBe(true);
    const requestIds = attemptsBefore.map((a) => a.request_id);
    // Killed inside the call: the provider never saw (or never finished) any of them.
    const vendsBefore = await tdb.db
      .selectFrom("sandbox_vtu_transactions")
      .select("request_id")
      .where("request_id", "in", requestIds)
      .execute();
    expect(vendsBefore).toEqual([]);
    // Stuck until someone acts: nothing in this process runs jobs.
    await sleep(500);
    expect(await orderStates(ids)).toEqual(ids.map(() => "submitting"));
    const jobStates = await Promise.all(
      ids.map((id) => jobs.queue(VTU_QUEUE).getJobState(`submit-order__${id}`)),
    );

    const second = await startWorker();
    const secondUpAt = Date.now();
    // Item 7's bound: the leases are taken over within 30 s of the kill; the re-sent call then takes
    // the sandbox's latency like any other.
    await waitForStates(
      ids,
      "delivered",
      30_000 + SANDBOX_LATENCY_MS - (secondUpAt - killedAt),
      second.output,
    );
    const recoveredAt = Date.now();

    // Same attempt, same request id, re-sent once: exactly one vend per order at the sandbox.
    const attemptsAfter = await tdb.db
      .selectFrom("vtu_attempts")
      .select(["order_id", "request_id", "state", "provider"])
      .where("order_id", "in", ids)
      .execute();
    expect(attemptsAfter).toHaveLength(ORDERS);
    for (const attempt of attemptsAfter) {
      expect(attempt.state).toBe("delivered");
      expect(requestIds).toContain(attempt.request_id);
    }
    const vends = await tdb.db
      .selectFrom("sandbox_vtu_transactions")
      .select(["provider", "request_id", "status"])
      .where("request_id", "in", requestIds)
      .execute();
    expect(vends.map((v) => v.request_id).sort()).toEqual([...requestIds].sort());
    expect(vends.every((v) => v.status === "success" && v.provider === "sandbox")).toBe(true);
    // The killed call never got an answer; the re-send is the one answered submit per attempt.
    const exchanges = await tdb.db
      .selectFrom("vtu_provider_exchanges as x")
      .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
      .select(["a.order_id", "x.kind", "x.outcome"])
      .where("a.order_id", "in", ids)
      .execute();
    expect(exchanges.map((x) => `${x.kind}:${x.outcome}`)).toEqual(ids.map(() => "submit:delivered"));

    // Zero refunds: every hold posted, every buyer paid once per order.
    const holds = await tdb.db
      .selectFrom("vtu_orders as o")
      .innerJoin("holds as h", "h.id", "o.hold_id")
      .select("h.status")
      .where("o.id", "in", ids)
      .execute();
    expect(holds.map((h) => h.status)).toEqual(ids.map(() => "posted"));
    for (const buyer of buyers) {
      const spent = placed.filter((p) => p.userId === buyer.id).reduce((sum, p) => sum + p.priceKobo, 0);
      expect(await getWalletBalance({ ctx, userId: buyer.id })).toMatchObject({
        balanceKobo: FUNDING_KOBO - spent,
        heldKobo: 0,
      });
    }
    await expectNoStrandedOrders(ctx);
    await expectLedgerConsistent(tdb.db);
    expect(second.output()).not.toMatch(/"level":(50|60)/);

    process.stdout.write(
      `[worker-kill] submit jobs after the kill: ${jobStates.join(", ")}; second worker ready ` +
        `${secondUpAt - killedAt} ms after the kill; all delivered ${recoveredAt - killedAt} ms after the kill\n`,
    );

    second.child.kill("SIGTERM");
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);
  }, 90_000);
});
