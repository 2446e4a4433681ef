import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, lagosDate } from "../api/services/vtu/due-date";
import { TEST_PEPPER } from "../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { expectLedgerConsistent } from "../test/helpers/ledger";
import { type Started, spawnApp } from "../test/helpers/spawn-app";
import { freePort } from "./lib/free-port";

/**
 * A schedule run killed with -9 (issue 19: "exactly one order per due run … after a kill -9
 * mid-run"). The real app (`node --import tsx scripts/start.ts`, sandbox mode, ROLE=all) on the test
 * PostgreSQL runs a daily schedule (first date tomorrow, so only the hook runs it) through the sandbox
 * run-now hook and is killed at one of two moments:
 *   - after the run was placed, its order inside the slowed provider call;
 *   - after the order was written but before the run recorded it: the run's transaction is held at
 *     its last statement (`UPDATE schedules`) by a SHARE lock this test takes on `schedules` once the
 *     hook's own first transaction has committed — a cable schedule, whose order re-verifies the
 *     smartcard (the sandbox's latency), leaves seconds for that — so the kill rolls the run back to
 *     `due` with its order already made, and the restart must adopt that order, not buy again.
 * The restart (same INSTANCE_ID, so the dead boot's leases are taken over at once) must end with one
 * order for the date, the run delivered, one outcome message in the outbox, and the ledger consistent.
 */

/** Long enough that the order is still inside the sandbox's provider call at the kill. */
const SANDBOX_LATENCY_MS = 1_500;
const FUNDING_KOBO = 5_000_000;
const dataDir = path.join(os.tmpdir(), `tada-schedule-crash-${process.pid}-${Date.now()}`);
const children: ChildProcess[] = [];
let tdb: TestDatabase;
let port = 0;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
  port = await freePort();
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
  }
  await tdb?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of several routes; the assertions check them.
type Api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<any>;

function apiOn(base: string, token?: string): Api {
  return async (method, route, body, headers = {}) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: unknown; error?: string };
    if (res.status >= 400) {
      throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(json)}`);
    }
    return json.data;
  };
}

async function ordersOf(scheduleId: string) {
  return tdb.db
    .selectFrom("vtu_orders as o")
    .innerJoin("idempotency_keys as k", "k.id", "o.idempotency_key_id")
    .select(["o.id", "o.state", "o.price_kobo", "k.key"])
    .where("k.key", "like", `schedule:${scheduleId}:%`)
    .execute();
}

async function runsOf(scheduleId: string) {
  return tdb.db
    .selectFrom("schedule_runs")
    .select(["due_on", "state", "order_id", "idempotency_key"])
    .where("schedule_id", "=", scheduleId)
    .execute();
}

async function placeOne(kind: "airtime" | "cable") {
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/root",
    NODE_ENV: "test",
    DATABASE_URL: tdb.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    // One instance: its restart ends the killed boot at once (as the embedded default does).
    INSTANCE_ID: "schedule-crash",
    LOG_LEVEL: "warn",
    PIN_PEPPER: TEST_PEPPER,
    SANDBOX_LATENCY_MS: String(SANDBOX_LATENCY_MS),
    VTU_RESPONSE_WAIT_MS: "0",
    SCHEDULE_SWEEP_SECONDS: "1",
  };
  const start = async (): Promise<Started> => {
    const started = await spawnApp(env, { readyWithinMs: 60_000 });
    children.push(started.child);
    return started;
  };
  const first = await start();

  const phone = kind === "airtime" ? "08031114455" : "08031114466";
  await apiOn(base)("POST", "/api/auth/register", { phone, password: "correct-horse-9" });
  const { token } = await apiOn(base)("POST", "/api/auth/login", { phone, password: "correct-horse-9" });
  const api = apiOn(base, token);
  await api("POST", "/api/auth/pin", { pin: "2580" });
  await api("POST", "/api/sandbox/fund", { amountKobo: FUNDING_KOBO });
  const me = await tdb.db
    .selectFrom("users")
    .select("id")
    .where("phone", "=", phone)
    .executeTakeFirstOrThrow();
  // A chat for the customer, so the outcome message has an outbox row to land in.
  await tdb.db
    .insertInto("identities")
    .values({ user_id: me.id, channel: "console", external_id: `crash-${me.id}` })
    .execute();

  const what =
    kind === "airtime"
      ? { service: "airtime", recipient: "08035551234", network: "mtn", amountKobo: 20_000 }
      : { service: "cable", recipient: "7012345678", cableProvider: "dstv" };
  const tomorrow = addDays(lagosDate(new Date()), 1);
  const created = await api(
    "POST",
    "/api/schedules",
    { ...what, recurrence: { kind: "daily" }, startOn: tomorrow, pin: "2580" },
    { "idempotency-key": `crash-schedule-${kind}` },
  );
  const scheduleId: string = created.schedule.id;
  const notBefore = async () =>
    (
      await tdb.db
        .selectFrom("schedules")
        .select("not_before")
        .where("id", "=", scheduleId)
        .executeTakeFirstOrThrow()
    ).not_before.getTime();
  const createdNotBefore = await notBefore();

  // Run it now (the request's answer is never awaited: the app dies under it).
  const running = api("POST", `/api/sandbox/schedules/${scheduleId}/run-now`).catch(() => undefined);
  let hold: { release(): Promise<void> } | undefined;
  const deadline = Date.now() + 10_000;
  if (kind === "cable") {
    // The hook's first transaction committed: hold every later UPDATE of schedules (the run's last step).
    while ((await notBefore()) === createdNotBefore) {
      expect(Date.now(), `run-now did not start:\n${first.output()}`).toBeLessThan(deadline);
      await sleep(10);
    }
    hold = await holdSchedulesUpdates();
  }
  // Cable: the order is written (the run is held). Airtime: the run is placed and its order is
  // inside the provider call.
  const reached = async () => {
    const [order] = await ordersOf(scheduleId);
    const [run] = await runsOf(scheduleId);
    return kind === "cable" ? order !== undefined : run?.state === "placed" && order?.state === "submitting";
  };
  while (!(await reached())) {
    expect(Date.now(), `the run did not get there:\n${first.output()}`).toBeLessThan(deadline);
    await sleep(20);
  }
  first.child.kill("SIGKILL");
  await exited(first.child);
  await hold?.release();
  await running;
  const atKill = { orders: await ordersOf(scheduleId), runs: await runsOf(scheduleId) };
  expect(atKill.orders).toHaveLength(1);
  expect(atKill.runs).toHaveLength(1);
  // Killed mid-run: nothing had reached an end yet.
  expect(atKill.orders[0]?.state).not.toBe("delivered");
  expect(atKill.runs[0]?.state).toBe(kind === "cable" ? "due" : "placed");
  expect(atKill.runs[0]?.order_id ?? null).toBe(kind === "cable" ? null : atKill.orders[0]?.id);

  const second = await start();
  const until = Date.now() + 30_000;
  let runs = await runsOf(scheduleId);
  while (runs[0]?.state !== "delivered" && Date.now() < until) {
    await sleep(200);
    runs = await runsOf(scheduleId);
  }
  process.stdout.write(
    `[schedule-crash] ${kind}: at the kill run ${atKill.runs[0]?.state}, order ${atKill.orders[0]?.state}; ` +
      `after the restart run ${runs[0]?.state}\n`,
  );
  expect(runs, second.output()).toHaveLength(1);
  const run = runs[0];
  expect(run?.state, second.output()).toBe("delivered");
  expect(run?.due_on).toBe(tomorrow);

  const orders = await ordersOf(scheduleId);
  expect(orders).toHaveLength(1);
  const order = orders[0];
  expect(order?.key).toBe(`schedule:${scheduleId}:${tomorrow}`);
  expect(order?.id).toBe(atKill.orders[0]?.id);
  expect(run?.order_id).toBe(order?.id);
  expect(order?.state).toBe("delivered");

  // Told once: the order's own delivery message, and no schedule notice besides it.
  const outbox = await tdb.db
    .selectFrom("chat_outbox")
    .select(["kind", "dedupe_key"])
    .where("user_id", "=", me.id)
    .execute();
  expect(outbox.filter((m) => m.kind.startsWith("order.") && m.kind !== "order.receipt")).toEqual([
    expect.objectContaining({ kind: "order.delivered" }),
  ]);
  expect(outbox.filter((m) => m.kind.startsWith("schedule."))).toEqual([]);

  // Paid once.
  const balance = await api("GET", "/api/wallet/balance");
  expect(balance).toMatchObject({ balanceKobo: FUNDING_KOBO - Number(order?.price_kobo), heldKobo: 0 });
  await expectLedgerConsistent(tdb.db);

  second.child.kill("SIGTERM");
  await exited(second.child);
}

/**
 * A transaction of this test holding `LOCK TABLE schedules IN SHARE MODE`: reads and row locks
 * (SELECT … FOR UPDATE) go on, every UPDATE waits until release().
 */
async function holdSchedulesUpdates(): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = tdb.db.transaction().execute(async (trx) => {
    await sql`LOCK TABLE schedules IN SHARE MODE`.execute(trx);
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await done;
    },
  };
}

describe("a schedule run killed with -9", () => {
  it("with its order inside the provider call: one order for the date, delivered, told once", async () => {
    await placeOne("airtime");
  }, 90_000);

  it("after its order was written, before the run recorded it: the restart adopts that order", async () => {
    await placeOne("cable");
  }, 90_000);
});
