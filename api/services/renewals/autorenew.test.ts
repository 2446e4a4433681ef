import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationChoices, notificationText } from "../../../bot/outbox/notification-text";
import { chatHarness, confirmOf, texts } from "../../../test/helpers/chat-engine";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { type ServiceContext, withTransaction } from "../context";
import { autoRenewPlan, syncAutoRenew } from "../schedules/auto-renew";
import { addDays, formatLagosDate, lagosDate, lagosInstant } from "../schedules/recurrence";
import { sweepSchedules } from "../schedules/runs";
import { changeSchedule, createSchedule, getSchedule, resumeSchedule } from "../schedules/schedules";
import { listCableCards } from "./cards";
import { formatDay, sweepCableReminders } from "./reminders";

/**
 * Cable auto-renew (issue 19 §3, DECISIONS §67) on the real database, the sandbox providers, the chat
 * engine and the HTTP API, with a clock the test moves (ctx.now; the sandbox's due dates use it too):
 * created by the API and by the reminder's "Auto-renew" tap (Confirm + PIN), a run N days before the
 * card's due date, one order per due date with sweeps racing and a corrected due date, the next run
 * following the date a delivered renewal moved on, a price rise pausing and a resume buying the
 * cycle once, the reminders saying it renews by itself, and the ledger balanced.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
let clock = new Date();
const DAY = 86_400_000;
const config = testConfig({
  CABLE_REMINDER_DAYS: "3,1",
  CATALOGUE_CACHE_TTL_SECONDS: "0",
  VTU_RESPONSE_WAIT_MS: "0",
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
});

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  ctx = makeCtx(tdb.db, { now: () => clock, config });
  h = await chatHarness(tdb, ctx);
});
afterAll(async () => {
  await h?.harness.drain();
  await tdb?.destroy();
});

const sweep = () => sweepSchedules({ ctx, vtu: h.deps.vtu });
const ordersOf = (scheduleId: string) =>
  tdb.db
    .selectFrom("vtu_orders as o")
    .innerJoin("idempotency_keys as k", "k.id", "o.idempotency_key_id")
    .select(["o.id", "o.state", "k.key"])
    .where("k.key", "like", `schedule:${scheduleId}:%`)
    .orderBy("o.created_at")
    .execute();
const runsOf = (scheduleId: string) =>
  tdb.db
    .selectFrom("schedule_runs")
    .select(["due_on", "state", "outcome", "order_id"])
    .where("schedule_id", "=", scheduleId)
    .orderBy("due_on")
    .execute();
const outbox = (userId: string, kind: string) =>
  tdb.db
    .selectFrom("chat_outbox")
    .select(["payload", "reply"])
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .orderBy("id")
    .execute();

describe("the cycle rule", () => {
  it("one due date, one run: a corrected date in the same cycle makes none; a renewed one does", () => {
    const base = { periodDays: 30, daysBefore: 2, today: "2026-12-07" };
    expect(autoRenewPlan({ ...base, dueDate: null, lastCycle: null })).toEqual({ kind: "unknown" });
    expect(autoRenewPlan({ ...base, dueDate: "2026-12-10", lastCycle: null })).toEqual({
      kind: "due",
      cycle: "2026-12-10",
      runOn: "2026-12-08",
    });
    // Lapsed (or found late): bought today, never on a past day.
    expect(autoRenewPlan({ ...base, dueDate: "2026-12-01", lastCycle: null })).toMatchObject({
      kind: "due",
      cycle: "2026-12-01",
      runOn: "2026-12-07",
    });
    // After the run for the 10th: the provider says the 11th (or still the 10th, or the 9th): same cycle.
    for (const corrected of ["2026-12-09", "2026-12-10", "2026-12-11", "2026-12-24"]) {
      expect(autoRenewPlan({ ...base, dueDate: corrected, lastCycle: "2026-12-10" })).toMatchObject({
        kind: "done",
        cycle: "2026-12-10",
      });
    }
    // The renewal moved it on a period: a new cycle.
    expect(autoRenewPlan({ ...base, dueDate: "2027-01-09", lastCycle: "2026-12-10" })).toEqual({
      kind: "due",
      cycle: "2027-01-09",
      runOn: "2027-01-07",
    });
    // A weekly bouquet: the next week is a new cycle.
    expect(
      autoRenewPlan({ ...base, periodDays: 7, dueDate: "2026-12-17", lastCycle: "2026-12-10" }).kind,
    ).toBe("due");
  });
});

describe("cable auto-renew", () => {
  it("created by the service: runs 2 days before, once per due date (racing sweeps, a corrected date), then follows the renewed date", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("ar-svc", 10_000_000);
    const userId = await c.userId();
    const { schedule, priceKobo } = await createSchedule({
      ctx,
      vtu: h.deps.vtu,
      userId,
      idempotencyKey: "ar-svc-1",
      input: {
        service: "cable",
        recipient: "3031112222",
        cableProvider: "dstv",
        recurrence: { kind: "before_due" },
        pin: "2580",
      },
    });
    const [card] = await listCableCards(ctx, userId);
    expect(card).toMatchObject({ smartcard: "3031112222", dueDate: addDays(today, 3) });
    expect(schedule).toMatchObject({
      service: "cable",
      recurrence: { kind: "before_due", daysBefore: 2 },
      cableCardId: card?.id,
      nextDueOn: addDays(today, 1),
      perRunCapKobo: priceKobo,
      monthlyCapKobo: priceKobo * 2,
      description: "DStv renewal for card 3031112222, 2 days before each due date",
    });

    // Not before its day.
    await sweep();
    expect(await runsOf(schedule.id)).toEqual([]);

    // Its day (2 days before the due date), two workers at once and again: one run, one order.
    clock = lagosInstant(addDays(today, 1), 9);
    await Promise.all([sweep(), sweep()]);
    await sweep();
    let orders = await ordersOf(schedule.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.key).toBe(`schedule:${schedule.id}:${addDays(today, 3)}`);

    // A verification corrects the due date by a day before the renewal is delivered: still the same
    // cycle, nothing more is bought on the corrected date's day.
    await tdb.db
      .updateTable("cable_cards")
      .set({ due_date: addDays(today, 4), due_source: "provider" })
      .where("id", "=", card?.id as number)
      .execute();
    clock = lagosInstant(addDays(today, 2), 9);
    await Promise.all([sweep(), sweep()]);
    expect(await ordersOf(schedule.id)).toHaveLength(1);

    // Delivered: the card's due date moves on 30 days (the reminders' sweep applies deliveries), and
    // the schedule's next run follows it.
    await h.harness.drain();
    await sweepCableReminders({ ctx });
    await sweep();
    const newDue = addDays(today, 34);
    expect((await listCableCards(ctx, userId))[0]?.dueDate).toBe(newDue);
    let now = await getSchedule({ ctx, userId, scheduleId: schedule.id });
    expect(now).toMatchObject({ status: "active", nextDueOn: addDays(newDue, -2) });
    expect(now.runs?.[0]).toMatchObject({ dueOn: addDays(today, 3), state: "delivered" });

    // The next cycle runs on its own day, once.
    clock = lagosInstant(addDays(newDue, -3), 9);
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    clock = lagosInstant(addDays(newDue, -2), 9);
    await Promise.all([sweep(), sweep(), sweep()]);
    orders = await ordersOf(schedule.id);
    expect(orders.map((o) => o.key)).toEqual([
      `schedule:${schedule.id}:${addDays(today, 3)}`,
      `schedule:${schedule.id}:${newDue}`,
    ]);
    await h.harness.drain();
    await sweep();
    now = await getSchedule({ ctx, userId, scheduleId: schedule.id });
    expect(now.runs?.map((r) => r.state)).toEqual(["delivered", "delivered"]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a card without a due date is refused plainly; one auto-renew per card", async () => {
    clock = new Date();
    const c = await h.customer("ar-nodue", 5_000_000);
    const userId = await c.userId();
    const make = (recipient: string, key: string) =>
      createSchedule({
        ctx,
        vtu: h.deps.vtu,
        userId,
        idempotencyKey: key,
        input: {
          service: "cable",
          recipient,
          cableProvider: "dstv",
          recurrence: { kind: "before_due", daysBefore: 1 },
          pin: "2580",
        },
      });
    await expect(make("9912341234", "nd-1")).rejects.toMatchObject({
      code: "CABLE_DUE_DATE_UNKNOWN",
      message: expect.stringMatching(/do not know when card 9912341234's subscription ends/),
    });
    const first = await make("3101231234", "nd-2");
    expect(first.schedule.description).toBe("DStv renewal for card 3101231234, 1 day before each due date");
    await expect(make("3101231234", "nd-3")).rejects.toMatchObject({ code: "AUTORENEW_EXISTS" });
    // The same key is the same schedule (a replay), not a refusal.
    expect((await make("3101231234", "nd-2")).replayed).toBe(true);
    await expect(
      createSchedule({
        ctx,
        vtu: h.deps.vtu,
        userId,
        idempotencyKey: "nd-4",
        input: {
          service: "airtime",
          recipient: "08031234567",
          network: "mtn",
          amountKobo: 10_000,
          recurrence: { kind: "before_due" },
          pin: "2580",
        },
      }),
    ).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("a price above the cap pauses and asks; after a new cap and resume the cycle buys once", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("ar-price", 10_000_000);
    const userId = await c.userId();
    // GOtv: its own product, so raising its price touches no other test.
    const { schedule, priceKobo } = await createSchedule({
      ctx,
      vtu: h.deps.vtu,
      userId,
      idempotencyKey: "ar-price-1",
      input: {
        service: "cable",
        recipient: "3021114444",
        cableProvider: "gotv",
        recurrence: { kind: "before_due" },
        pin: "2580",
      },
    });
    expect(schedule.nextDueOn).toBe(today);
    const [card] = await listCableCards(ctx, userId);
    await tdb.db
      .updateTable("catalogue_products")
      .set({ margin_type: "flat", margin_value: 50_000 })
      .where("id", "=", card?.productId as string)
      .execute();
    clock = new Date(Math.max(clock.getTime(), lagosInstant(today, 9).getTime()));
    await Promise.all([sweep(), sweep()]);
    expect(await ordersOf(schedule.id)).toHaveLength(0);
    const paused = await getSchedule({ ctx, userId, scheduleId: schedule.id });
    expect(paused).toMatchObject({ status: "paused", pauseReason: "price_above_cap" });
    expect(paused.runs?.[0]).toMatchObject({ state: "skipped", outcome: "price_above_cap" });
    const told = await outbox(userId, "schedule.paused");
    expect(told).toHaveLength(1);
    const newPrice = Number(paused.runs?.[0]?.priceKobo);
    expect(newPrice).toBeGreaterThan(priceKobo);

    await changeSchedule({
      ctx,
      vtu: h.deps.vtu,
      userId,
      scheduleId: schedule.id,
      input: { perRunCapKobo: newPrice, pin: "2580" },
    });
    await resumeSchedule({ ctx, userId, scheduleId: schedule.id });
    await Promise.all([sweep(), sweep()]);
    await sweep();
    const orders = await ordersOf(schedule.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]?.key).toBe(`schedule:${schedule.id}:${addDays(today, 2)}`);
    await h.harness.drain();
    await tdb.db
      .updateTable("catalogue_products")
      .set({ margin_type: null, margin_value: null })
      .where("id", "=", card?.productId as string)
      .execute();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("auto-renew, late", () => {
  it("a run made on its day but not placed for longer than the grace window still buys before the due date", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("ar-late", 5_000_000);
    const userId = await c.userId();
    const { schedule } = await createSchedule({
      ctx,
      vtu: h.deps.vtu,
      userId,
      idempotencyKey: "ar-late-1",
      input: {
        service: "cable",
        recipient: "3061113333",
        cableProvider: "startimes",
        recurrence: { kind: "before_due", daysBefore: 3 },
        pin: "2580",
      },
    });
    // Its day at 09:00: the run is made (due 08:00), then the worker stops before placing it.
    clock = lagosInstant(addDays(today, 3), 9);
    await withTransaction(ctx, (trx) => syncAutoRenew(ctx, trx, schedule.id));
    expect(await runsOf(schedule.id)).toMatchObject([{ due_on: addDays(today, 6), state: "due" }]);
    // Back 12 hours later (past SCHEDULE_GRACE_HOURS): not "missed", the card is not due yet.
    clock = lagosInstant(addDays(today, 3), 21);
    await sweep();
    expect(await ordersOf(schedule.id)).toHaveLength(1);
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});

describe("auto-renew in the chat", () => {
  it("the reminder's Auto-renew tap: summary, Confirm, PIN; reminders then say when it renews; it runs", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const c = await h.customer("ar-chat", 10_000_000);
    const userId = await c.userId();
    await c.say("renew my dstv 3052224444"); // the card is remembered: due in 5 days (sandbox)
    await c.tap("nav:menu");
    // Three days before: the plain reminder, with Auto-renew as its third choice.
    clock = new Date(clock.getTime() + 2 * DAY);
    await sweepCableReminders({ ctx });
    const [reminder] = await outbox(userId, "cable.renewal_due");
    const choices = notificationChoices(reminder?.payload as Record<string, unknown>, "en") ?? [];
    expect(choices.map((x) => x.label)).toEqual(["Renew now", "Stop reminders", "Auto-renew"]);
    const auto = choices[2]?.id as string;
    expect(auto).toMatch(/^rmd:auto:\d+$/);
    expect(notificationChoices(reminder?.payload as Record<string, unknown>, "pcm")?.[2]?.label).not.toBe(
      "Auto-renew",
    );

    // Someone else's card is not theirs to put on auto-renew.
    const other = await h.customer("ar-other");
    expect(texts(await other.tap(auto))).toMatch(/could not find that card/);

    const summary = await c.tap(auto);
    // The tap verified the card again: the sandbox now counts its 5 days from this (moved) clock.
    const due = addDays(today, 7);
    expect((await listCableCards(ctx, userId))[0]?.dueDate).toBe(due);
    expect(texts(summary)).toContain("Auto-renew: DStv Compact on card 3052224444 (SANDBOX VIEWER ADEBAYO).");
    expect(texts(summary)).toContain(
      `I renew it 2 days before each due date, from your wallet without asking again. First renewal: ${formatLagosDate(addDays(due, -2))} (the card is due ${formatLagosDate(due)}).`,
    );
    const pin = await c.tap(confirmOf(summary));
    expect(texts(pin)).toMatch(/PIN to authorise auto-renew/);
    const wrong = await c.say("1111");
    expect(texts(wrong)).toMatch(/incorrect|wrong/i);
    const done = await c.say("2580");
    expect(done.deleteInput).toBe(true);
    expect(texts(done)).toContain(
      `Done: DStv renewal for card 3052224444, 2 days before each due date. Next renewal: ${formatLagosDate(addDays(due, -2))}.`,
    );
    // The same Confirm again makes nothing more; a new tap says it is on already.
    await c.tap(confirmOf(summary));
    expect(texts(await c.tap(auto))).toMatch(/already on auto-renew\. Next renewal/);
    const mine = await tdb.db
      .selectFrom("schedules")
      .select(["id", "recurrence", "days_before"])
      .where("user_id", "=", userId)
      .execute();
    expect(mine).toMatchObject([{ recurrence: "before_due", days_before: 2 }]);
    const scheduleId = mine[0]?.id as string;

    // "my schedules" shows it in words.
    expect(texts(await c.say("my schedules"))).toContain(
      "DStv renewal for card 3052224444, 2 days before each due date — active",
    );

    // The 1-day reminder (the run was missed on purpose: no sweep) says it renews by itself, with no
    // "Renew now": a manual renewal would buy the cycle twice.
    clock = lagosInstant(addDays(due, -1), 10);
    await sweepCableReminders({ ctx });
    const rows = await outbox(userId, "cable.renewal_due");
    expect(rows).toHaveLength(2);
    expect(rows[1]?.reply.text).toBe(
      `Your DStv Compact on card 3052224444 ends tomorrow (${formatDay(due)}). It renews automatically today (₦19,000 from your wallet): keep your wallet funded.`,
    );
    const payload = rows[1]?.payload as Record<string, unknown>;
    expect(notificationChoices(payload, "en")?.map((x) => x.id)).toEqual([
      expect.stringMatching(/^rmd:stop:/),
    ]);
    expect(notificationText("cable.renewal_due", payload, "pcm")).toMatch(/E go renew by itself dis today/);

    // Found a day late (the worker was down on its day): the card still needs it, so it buys now, once.
    await Promise.all([sweep(), sweep()]);
    expect(await ordersOf(scheduleId)).toHaveLength(1);
    await h.harness.drain();
    await sweep();
    expect((await getSchedule({ ctx, userId, scheduleId })).runs?.[0]).toMatchObject({
      dueOn: due,
      state: "delivered",
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("a card without a due date: the tap says why auto-renew cannot be set", async () => {
    clock = new Date();
    const c = await h.customer("ar-chat-nodue");
    await c.say("renew my dstv 9952221234");
    await c.tap("nav:menu");
    const [card] = await listCableCards(ctx, await c.userId());
    expect(card?.dueDate).toBeNull();
    expect(texts(await c.tap(`rmd:auto:${card?.id}`))).toMatch(
      /do not know when card 9952221234's subscription ends/,
    );
  });
});

describe("auto-renew over the API", () => {
  it("POST /api/schedules with before_due (Idempotency-Key), run-now once per cycle, listed in words", async () => {
    clock = new Date();
    const today = lagosDate(clock);
    const { app } = makeTestApp(tdb.db, { config, vtu: h.deps.vtu });
    const phone = uniquePhone();
    await call(app, "POST", "/api/auth/register", { body: { phone, password: "correct-horse-9" } });
    const login = await call(app, "POST", "/api/auth/login", {
      body: { phone, password: "correct-horse-9" },
    });
    const token = login.body.data.token as string;
    await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } });
    await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 5_000_000 } });
    const body = {
      service: "cable",
      recipient: "3071117777",
      cableProvider: "dstv",
      recurrence: { kind: "before_due", daysBefore: 3 },
      pin: "2580",
    };
    const post = (key: string, b: object = body) =>
      call(app, "POST", "/api/schedules", { token, headers: { "idempotency-key": key }, body: b });
    expectErrorEnvelope(
      await post("api-0", { ...body, recurrence: { kind: "before_due", daysBefore: 20 } }),
      400,
      "VALIDATION_ERROR",
    );
    expectErrorEnvelope(
      await post("api-n", { ...body, recipient: "9971117777" }),
      422,
      "CABLE_DUE_DATE_UNKNOWN",
    );
    const created = await post("api-1");
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const schedule = created.body.data.schedule;
    expect(schedule).toMatchObject({
      recurrence: { kind: "before_due", daysBefore: 3 },
      nextDueOn: addDays(today, 4),
      description: "DStv renewal for card 3071117777, 3 days before each due date",
    });
    const replay = await post("api-1");
    expect(replay.status).toBe(200);
    expect(replay.body.data.schedule.id).toBe(schedule.id);
    expectErrorEnvelope(await post("api-2"), 409, "AUTORENEW_EXISTS");

    // The sandbox hook buys the card's current cycle now; pressed again, nothing more (one per due date).
    const ran = await call(app, "POST", `/api/sandbox/schedules/${schedule.id}/run-now`, { token });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    await call(app, "POST", `/api/sandbox/schedules/${schedule.id}/run-now`, { token });
    const orders = await ordersOf(schedule.id);
    expect(orders.map((o) => o.key)).toEqual([`schedule:${schedule.id}:${addDays(today, 7)}`]);
    const list = await call(app, "GET", "/api/schedules", { token });
    expect(list.body.data.items[0]).toMatchObject({
      id: schedule.id,
      description: "DStv renewal for card 3071117777, 3 days before each due date",
    });
    await h.harness.drain();
    await expectLedgerConsistent(tdb.db);
  });
});
