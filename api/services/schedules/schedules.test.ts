import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import type { ServiceContext } from "../context";
import { createAuthorisedOrder } from "../vtu";
import { creditWallet } from "../wallet";
import { lagosDate, lagosInstant } from "./recurrence";
import { runScheduleNow, sweepSchedules } from "./runs";
import {
  changeSchedule,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  skipNextRun,
} from "./schedules";

/**
 * Schedules on a real database with the sandbox providers and a clock the test moves: each due run
 * buys exactly once (racing sweeps, a crash mid-run), caps pause, short funds wait then skip, late
 * runs are skipped, and every outcome reaches the outbox once.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let harness: ReturnType<typeof makeVtu>;
// 10:00 Lagos on a Monday, after the 08:00 run hour.
let clock = lagosInstant("2026-12-14", 10);
const HOUR = 3_600_000;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db, { config: testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "0" }), now: () => clock });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
});
afterAll(async () => {
  await tdb?.destroy();
});

const setClock = (date: Date) => {
  clock = date;
};
const sweep = () => sweepSchedules({ ctx, vtu: harness.vtu });

async function dailyAirtime(userId: string, extra: Record<string, unknown> = {}) {
  const { schedule, priceKobo } = await createSchedule({
    ctx,
    vtu: harness.vtu,
    userId,
    input: {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 50_000,
      recurrence: { kind: "daily" },
      pin: TEST_PIN,
      ...extra,
    },
  });
  return { schedule, priceKobo };
}

async function runsOf(scheduleId: string) {
  return tdb.db
    .selectFrom("schedule_runs")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("due_on")
    .execute();
}
async function ordersOf(scheduleId: string) {
  return tdb.db
    .selectFrom("vtu_orders as o")
    .innerJoin("idempotency_keys as k", "k.id", "o.idempotency_key_id")
    .select(["o.id", "o.state", "k.key"])
    .where("k.key", "like", `schedule:${scheduleId}:%`)
    .execute();
}
async function notes(userId: string, kind?: string) {
  let q = tdb.db
    .selectFrom("notifications")
    .select(["kind", "body", "payload"])
    .where("user_id", "=", userId);
  if (kind) {
    q = q.where("kind", "=", kind);
  }
  return q.orderBy("id").execute();
}

describe("schedules", () => {
  it("creates with the PIN and an authorisation; a first run today is due at once and buys once", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    await expect(
      createSchedule({
        ctx,
        vtu: harness.vtu,
        userId: buyer.id,
        input: {
          service: "airtime",
          recipient: sandboxPhone(),
          network: "mtn",
          amountKobo: 50_000,
          recurrence: { kind: "daily" },
          pin: "9999",
        },
      }),
    ).rejects.toMatchObject({ code: "INCORRECT_PIN" });
    const { schedule, priceKobo } = await dailyAirtime(buyer.id);
    expect(schedule).toMatchObject({
      status: "active",
      nextDueOn: "2026-12-14",
      perRunCapKobo: priceKobo,
      monthlyCapKobo: priceKobo * 31,
    });
    expect(schedule.description).toMatch(/MTN airtime ₦500 for .*every day/);

    const first = await sweep();
    expect(first).toMatchObject({ made: 1, placed: 1 });
    await harness.drain();
    await sweep();
    const runs = await runsOf(schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      due_on: "2026-12-14",
      state: "delivered",
      idempotency_key: `schedule:${schedule.id}:2026-12-14`,
    });
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    // The outcome reached the chat once: the order's own delivery message.
    expect((await notes(buyer.id)).map((n) => n.kind)).toEqual(["order.delivered"]);

    // Tomorrow's run is made and bought at 08:00 Lagos, not before.
    setClock(lagosInstant("2026-12-15", 7));
    expect(await sweep()).toMatchObject({ made: 1, placed: 0 });
    setClock(lagosInstant("2026-12-15", 8));
    expect(await sweep()).toMatchObject({ made: 0, placed: 1 });
    await harness.drain();
    await sweep();
    expect(
      (await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).runs?.map((r) => r.state),
    ).toEqual(["delivered", "delivered"]);
    await expectLedgerConsistent(tdb.db);
  });

  it("two sweeps racing place exactly one order per due run", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyers = await Promise.all([1, 2, 3].map(() => createBuyer(ctx, 500_000)));
    const schedules = await Promise.all(buyers.map((b) => dailyAirtime(b.id)));
    await Promise.all([sweep(), sweep(), sweep()]);
    await Promise.all([sweep(), sweep()]);
    for (const { schedule } of schedules) {
      expect(await ordersOf(schedule.id)).toHaveLength(1);
      expect((await runsOf(schedule.id)).map((r) => r.state)).toEqual(["placed"]);
    }
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("after a crash mid-run (order written, run left due) the next sweep does not buy again", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule } = await dailyAirtime(buyer.id);
    // Make the run, then play the crashed worker: the order exists under the run's key, the run row
    // was never updated.
    await tdb.db
      .insertInto("schedule_runs")
      .values({
        schedule_id: schedule.id,
        user_id: buyer.id,
        due_on: "2026-12-14",
        due_at: clock,
        state: "due",
        idempotency_key: `schedule:${schedule.id}:2026-12-14`,
        created_at: clock,
        updated_at: clock,
      })
      .execute();
    await tdb.db
      .updateTable("schedules")
      .set({ next_due_on: "2026-12-15", runs_made: 1 })
      .where("id", "=", schedule.id)
      .execute();
    const crashed = await createAuthorisedOrder({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      actor: "test",
      channel: "schedule",
      idempotencyKey: `schedule:${schedule.id}:2026-12-14`,
      order: { service: "airtime", input: { network: "mtn", phone: schedule.recipient, amountKobo: 50_000 } },
      authorisation: { kind: "schedule", scheduleId: schedule.id, maxPriceKobo: schedule.perRunCapKobo },
    });
    await Promise.all([sweep(), sweep()]);
    const orders = await ordersOf(schedule.id);
    expect(orders.map((o) => o.id)).toEqual([crashed.order.id]);
    expect((await runsOf(schedule.id))[0]).toMatchObject({ state: "placed", order_id: crashed.order.id });
    // Replaying the key directly is a replay too (the idempotency key is the proof).
    const again = await createAuthorisedOrder({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      actor: "test",
      channel: "schedule",
      idempotencyKey: `schedule:${schedule.id}:2026-12-14`,
      order: { service: "airtime", input: { network: "mtn", phone: schedule.recipient, amountKobo: 50_000 } },
      authorisation: { kind: "schedule", scheduleId: schedule.id, maxPriceKobo: schedule.perRunCapKobo },
    });
    expect(again).toMatchObject({ replayed: true, order: { id: crashed.order.id } });
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a price above the per-run cap pauses and asks; nothing is bought", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule, priceKobo } = await dailyAirtime(buyer.id);
    // The price rose above what was authorised (as if the margin changed): the cap is below it.
    await tdb.db
      .updateTable("schedules")
      .set({ per_run_cap_kobo: priceKobo - 100 })
      .where("id", "=", schedule.id)
      .execute();
    await sweep();
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(0);
    const after = await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id });
    expect(after).toMatchObject({ status: "paused", pauseReason: "price_above_cap" });
    expect(after.runs?.[0]).toMatchObject({ state: "skipped", outcome: "price_above_cap" });
    const paused = await notes(buyer.id, "schedule.paused");
    expect(paused).toHaveLength(1);
    expect(paused[0]?.body).toMatch(/more than the .* you authorised per run/);
    // Changing the cap needs the PIN; then resume runs again.
    await expect(
      changeSchedule({
        ctx,
        vtu: harness.vtu,
        userId: buyer.id,
        scheduleId: schedule.id,
        input: { perRunCapKobo: priceKobo, pin: "0000" },
      }),
    ).rejects.toMatchObject({ code: "INCORRECT_PIN" });
    await changeSchedule({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      scheduleId: schedule.id,
      input: { perRunCapKobo: priceKobo, pin: TEST_PIN },
    });
    await resumeSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id });
    setClock(lagosInstant("2026-12-15", 9));
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("the month's total above the monthly cap pauses", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule, priceKobo } = await dailyAirtime(buyer.id, { monthlyCapKobo: 60_000 });
    expect(priceKobo).toBeLessThanOrEqual(60_000);
    await sweep();
    setClock(lagosInstant("2026-12-15", 9));
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    expect(await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).toMatchObject({
      status: "paused",
      pauseReason: "monthly_cap",
    });
    expect(await notes(buyer.id, "schedule.paused")).toHaveLength(1);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a higher amount raises the monthly cap to cover the month's runs: the second run is not skipped", async () => {
    setClock(lagosInstant("2026-12-07", 10)); // a Monday: Mondays 7, 14, 21, 28 December
    const buyer = await createBuyer(ctx, 2_000_000);
    const { schedule } = await dailyAirtime(buyer.id, {
      amountKobo: 10_000,
      recurrence: { kind: "weekly", weekday: 1 },
    });
    expect(schedule.monthlyCapKobo).toBe(schedule.perRunCapKobo * 5);
    const changed = await changeSchedule({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      scheduleId: schedule.id,
      input: { amountKobo: 150_000, pin: TEST_PIN },
    });
    expect(changed.perRunCapKobo).toBeGreaterThan(schedule.perRunCapKobo);
    expect(changed.monthlyCapKobo).toBe(changed.perRunCapKobo * 5);
    await sweep();
    setClock(lagosInstant("2026-12-14", 9));
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(2);
    expect(await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).toMatchObject({
      status: "active",
    });
    // A cap the customer names is taken as it is.
    const named = await changeSchedule({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      scheduleId: schedule.id,
      input: { monthlyCapKobo: changed.perRunCapKobo * 2, pin: TEST_PIN },
    });
    expect(named.monthlyCapKobo).toBe(changed.perRunCapKobo * 2);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("short of funds: waits, reminds once, buys when funded within the deadline", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 10_000);
    const { schedule, priceKobo } = await dailyAirtime(buyer.id);
    await sweep();
    await sweep();
    setClock(new Date(clock.getTime() + HOUR));
    await sweep();
    expect((await runsOf(schedule.id))[0]).toMatchObject({
      state: "waiting_funds",
      reminded: true,
      price_kobo: priceKobo,
    });
    expect(await notes(buyer.id, "schedule.waiting_funds")).toHaveLength(1);
    await creditWallet({
      ctx,
      input: {
        userId: buyer.id,
        amountKobo: 100_000,
        counterparty: "system:payment_clearing",
        description: "Top-up",
        idempotencyKey: `top-${buyer.id}`,
        actor: "system:test",
      },
    });
    await sweep();
    expect((await runsOf(schedule.id))[0]).toMatchObject({ state: "placed" });
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    expect(await notes(buyer.id, "schedule.waiting_funds")).toHaveLength(1);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("short of funds past the deadline: skipped and told once; three skips in a row pause", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 10_000);
    const { schedule } = await dailyAirtime(buyer.id);
    for (const day of ["2026-12-14", "2026-12-15", "2026-12-16"]) {
      setClock(lagosInstant(day, 10));
      await sweep();
      setClock(lagosInstant(day, 23));
      await sweep();
      await sweep();
    }
    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => [r.state, r.outcome])).toEqual([
      ["skipped", "insufficient_funds"],
      ["skipped", "insufficient_funds"],
      ["skipped", "insufficient_funds"],
    ]);
    expect(await notes(buyer.id, "schedule.waiting_funds")).toHaveLength(3);
    expect(await notes(buyer.id, "schedule.skipped")).toHaveLength(2);
    expect(await notes(buyer.id, "schedule.paused")).toHaveLength(1);
    expect(await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).toMatchObject({
      status: "paused",
      pauseReason: "skipped_runs",
    });
    // Paused: no more runs.
    setClock(lagosInstant("2026-12-17", 10));
    await sweep();
    expect(await runsOf(schedule.id)).toHaveLength(3);
    expect(await ordersOf(schedule.id)).toHaveLength(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("a run missed while down runs once within the grace window, and is skipped and told past it", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule } = await dailyAirtime(buyer.id, { startOn: "2026-12-15" });
    // Down from 07:00 to 12:00 on the 15th (due 08:00, grace 6 h): runs once at 12:00.
    setClock(lagosInstant("2026-12-15", 12));
    await sweep();
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    // Down from the 15th's run until the 17th at 20:00: the 16th is long past (skipped), the 17th's
    // 08:00 run is 12 h late (skipped too); told in one message.
    setClock(lagosInstant("2026-12-17", 20));
    await sweep();
    await sweep();
    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => [r.due_on, r.state, r.outcome])).toEqual([
      ["2026-12-15", "placed", null],
      ["2026-12-16", "skipped", "missed"],
      ["2026-12-17", "skipped", "missed"],
    ]);
    const missed = await notes(buyer.id, "schedule.missed");
    expect(missed).toHaveLength(1);
    expect(missed[0]?.body).toMatch(/Wed 16 Dec 2026, Thu 17 Dec 2026/);
    // Its facts travel with it, so the outbox can write it in the customer's language.
    expect(missed[0]?.payload).toMatchObject({
      notice: { kind: "missed", dueOns: ["2026-12-16", "2026-12-17"], nextDueOn: "2026-12-18" },
    });
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("pause, resume, skip next, delete, list", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule } = await dailyAirtime(buyer.id, {
      startOn: "2026-12-16",
      recurrence: { kind: "weekly", weekday: "friday" },
    });
    expect(schedule.nextDueOn).toBe("2026-12-18");
    const skipped = await skipNextRun({ ctx, userId: buyer.id, scheduleId: schedule.id });
    expect(skipped.nextDueOn).toBe("2026-12-25");
    await pauseSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id });
    setClock(lagosInstant("2027-01-05", 10));
    await sweep();
    const resumed = await resumeSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id });
    expect(resumed).toMatchObject({ status: "active", nextDueOn: "2027-01-08" });
    const other = await buyerList(buyer.id);
    expect(other.items.map((s) => s.id)).toEqual([schedule.id]);
    await deleteSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id });
    expect((await buyerList(buyer.id)).items).toEqual([]);
    await expect(getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).rejects.toMatchObject({
      code: "SCHEDULE_NOT_FOUND",
    });
    expect(lagosDate(clock)).toBe("2027-01-05");
  });

  it("the sandbox run-now hook runs today's date before the run hour, then the next date, each once", async () => {
    setClock(lagosInstant("2026-12-14", 5));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule } = await dailyAirtime(buyer.id);
    expect(await sweep()).toMatchObject({ made: 1, placed: 0 });
    expect(await runScheduleNow({ ctx, vtu: harness.vtu, scheduleId: schedule.id })).toMatchObject({
      placed: 1,
    });
    expect(await runScheduleNow({ ctx, vtu: harness.vtu, scheduleId: schedule.id })).toMatchObject({
      placed: 1,
    });
    await Promise.all([sweep(), sweep()]);
    const runs = await runsOf(schedule.id);
    expect(runs.map((r) => [r.due_on, r.state])).toEqual([
      ["2026-12-14", "placed"],
      ["2026-12-15", "placed"],
    ]);
    expect(await ordersOf(schedule.id)).toHaveLength(2);
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a run count ends the schedule; its last run still buys", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const { schedule } = await dailyAirtime(buyer.id, { maxRuns: 2 });
    await sweep();
    setClock(lagosInstant("2026-12-15", 9));
    await sweep();
    setClock(lagosInstant("2026-12-16", 9));
    await sweep();
    expect((await runsOf(schedule.id)).map((r) => r.state)).toEqual(["placed", "placed"]);
    expect(await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).toMatchObject({
      status: "ended",
      nextDueOn: null,
      runsMade: 2,
    });
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("validates: a network for airtime, dates, caps below the price", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const base = {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 50_000,
      recurrence: { kind: "daily" },
      pin: TEST_PIN,
    } as const;
    const attempt = (input: Record<string, unknown>) =>
      createSchedule({ ctx, vtu: harness.vtu, userId: buyer.id, input: { ...base, ...input } as never });
    await expect(attempt({ network: undefined })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
      details: { field: "network" },
    });
    await expect(attempt({ startOn: "2026-12-01" })).rejects.toMatchObject({ details: { field: "startOn" } });
    await expect(attempt({ startOn: "2026-02-30" })).rejects.toMatchObject({ details: { field: "startOn" } });
    await expect(attempt({ perRunCapKobo: 100 })).rejects.toMatchObject({ code: "CAP_BELOW_PRICE" });
    await expect(attempt({ recurrence: { kind: "monthly", day: 32 } })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
  });

  it("an electricity schedule for a meter the provider does not know is refused, after the PIN", async () => {
    setClock(lagosInstant("2026-12-14", 10));
    const buyer = await createBuyer(ctx, 500_000);
    const meter = (tail: string) => ({
      service: "electricity",
      recipient: `4512345${tail}`,
      disco: "ikeja",
      meterType: "prepaid",
      amountKobo: 100_000,
      recurrence: { kind: "daily" },
      pin: TEST_PIN,
    });
    const attempt = (input: Record<string, unknown>) =>
      createSchedule({ ctx, vtu: harness.vtu, userId: buyer.id, input: input as never });
    // The sandbox's "0000" meter does not exist.
    await expect(attempt(meter("0000"))).rejects.toMatchObject({ code: "INVALID_METER" });
    // A wrong PIN is refused before any provider is asked.
    await expect(attempt({ ...meter("0000"), pin: "9999" })).rejects.toMatchObject({ code: "INCORRECT_PIN" });
    expect((await buyerList(buyer.id)).items).toHaveLength(0);
    // A meter that exists makes the schedule.
    const { schedule } = await createSchedule({
      ctx,
      vtu: harness.vtu,
      userId: buyer.id,
      input: meter("1234") as never,
    });
    expect(schedule.status).toBe("active");
    await expectLedgerConsistent(tdb.db);
  });
});

function buyerList(userId: string) {
  return listSchedules({ ctx, userId });
}
