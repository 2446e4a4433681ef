import { sql } from "kysely";
import type { ScheduleRow, ScheduleRunRow } from "../../../db/database";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ServiceError } from "../errors";
import { queueNotification } from "../notifications";
import { type AuthorisedOrderInput, createAuthorisedOrder } from "../vtu/create-order";
import type { VtuRuntime } from "../vtu/runtime";
import { sweepAutoRenew, syncAutoRenew } from "./auto-renew";
import { type ScheduleNotice, scheduleNoticeText } from "./notices";
import { lagosDate, lagosInstant, monthStart, nextMonthStart, nextOccurrence } from "./recurrence";
import { recurrenceOf, whatItBuys } from "./schedules";

/**
 * The schedule sweeper (DECISIONS §65). The due list is in PostgreSQL; any number of processes may
 * sweep at once:
 *   1. make runs: each active schedule whose next date has come gets one schedule_runs row per due
 *      date (UNIQUE (schedule_id, due_on)), under the schedule's row lock taken with SKIP LOCKED;
 *      a date already more than SCHEDULE_GRACE_HOURS late (the service was down) is made skipped
 *      and the customer told;
 *   2. run them: each open run is locked FOR UPDATE SKIP LOCKED and its order placed through the
 *      ordinary money path without a PIN (the standing authorisation) with the key
 *      `schedule:<id>:<due_on>`: a second sweep, a duplicate job or a restart after a crash replays
 *      the same order instead of buying again;
 *   3. follow placed runs to their order's end (delivered/failed). The order's own notification
 *      tells that outcome; the sweeper tells what no order tells (waiting for funds, skipped,
 *      paused), each in the same transaction as the state change that causes it, so exactly once.
 */
export async function sweepSchedules(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  limit?: number;
}): Promise<{ made: number; placed: number; waiting: number; skipped: number; settled: number }> {
  const { ctx } = args;
  // Auto-renew schedules follow their cards' due dates (auto-renew.ts); the others their calendar.
  const made = (await sweepAutoRenew(ctx, args.limit)) + (await makeDueRuns(ctx, args.limit));
  const counts = { placed: 0, waiting: 0, skipped: 0 };
  const now = ctx.now();
  const open = await ctx.db
    .selectFrom("schedule_runs")
    .select("id")
    .where("state", "in", ["due", "waiting_funds"])
    .where("due_at", "<=", now)
    .orderBy("due_at")
    .limit(args.limit ?? 200)
    .execute();
  for (const { id } of open) {
    try {
      const result = await runOne(ctx, args.vtu, id);
      if (result) {
        counts[result] += 1;
      }
    } catch (err) {
      ctx.logger.error({ err, scheduleRunId: id }, "schedule run failed; the next sweep retries it");
    }
  }
  const settled = await settlePlacedRuns(ctx);
  return { made, ...counts, settled };
}

/**
 * The sandbox's run-now hook: the schedule's next date is run now (under that date's own key), then
 * swept. A date already due today is made now instead of at the run hour; each call runs one more
 * date, each at most once.
 */
export async function runScheduleNow(args: { ctx: ServiceContext; vtu: VtuRuntime; scheduleId: string }) {
  const { ctx } = args;
  const now = ctx.now();
  const today = lagosDate(now);
  await withTransaction(ctx, async (trx) => {
    const row = await trx
      .selectFrom("schedules")
      .selectAll()
      .where("id", "=", args.scheduleId)
      .forUpdate()
      .executeTakeFirst();
    const rule = row ? recurrenceOf(row) : undefined;
    if (row?.status !== "active" || !rule || (rule.kind !== "before_due" && !row.next_due_on)) {
      return;
    }
    await trx.updateTable("schedules").set({ not_before: now }).where("id", "=", row.id).execute();
    if (rule.kind === "before_due" || !row.next_due_on) {
      // Auto-renew: the card's current cycle is made due now, unless it already had its run.
      await syncAutoRenew(ctx, trx, row.id, { now: true });
      await trx
        .updateTable("schedule_runs")
        .set({ due_at: now })
        .where("schedule_id", "=", row.id)
        .where("state", "=", "due")
        .execute();
      return;
    }
    const open = await trx
      .selectFrom("schedule_runs")
      .select("id")
      .where("schedule_id", "=", row.id)
      .where("state", "=", "due")
      .executeTakeFirst();
    // A run already made and waiting for its hour runs now; otherwise the next date is made.
    if (!open && row.next_due_on <= today) {
      await makeRunsFor(ctx, trx, row.id);
    } else if (
      !open &&
      (row.end_on === null || row.next_due_on <= row.end_on) &&
      (row.max_runs === null || row.runs_made < row.max_runs)
    ) {
      await trx
        .insertInto("schedule_runs")
        .values(runValues(row, row.next_due_on, now, "due", now))
        .onConflict((oc) => oc.columns(["schedule_id", "due_on"]).doNothing())
        .execute();
      await trx
        .updateTable("schedules")
        .set({
          next_due_on: nextOccurrence(rule, row.start_on, row.next_due_on),
          runs_made: row.runs_made + 1,
        })
        .where("id", "=", row.id)
        .execute();
    }
    await trx
      .updateTable("schedule_runs")
      .set({ due_at: now })
      .where("schedule_id", "=", row.id)
      .where("state", "=", "due")
      .execute();
  });
  return sweepSchedules({ ctx, vtu: args.vtu });
}

function runValues(
  schedule: ScheduleRow,
  dueOn: string,
  dueAt: Date,
  state: ScheduleRunRow["state"],
  now: Date,
) {
  return {
    schedule_id: schedule.id,
    user_id: schedule.user_id,
    due_on: dueOn,
    due_at: dueAt,
    state,
    idempotency_key: `schedule:${schedule.id}:${dueOn}`,
    created_at: now,
    updated_at: now,
  };
}

/** When a date's run is due: SCHEDULE_RUN_HOUR Lagos time, but never before the schedule allows. */
export function dueAtOf(ctx: ServiceContext, schedule: Pick<ScheduleRow, "not_before">, dueOn: string): Date {
  const at = lagosInstant(dueOn, ctx.config.SCHEDULE_RUN_HOUR);
  return new Date(Math.max(at.getTime(), schedule.not_before.getTime()));
}

function late(ctx: ServiceContext, dueAt: Date, now: Date): boolean {
  return now.getTime() - dueAt.getTime() > ctx.config.SCHEDULE_GRACE_HOURS * 3_600_000;
}

async function makeDueRuns(ctx: ServiceContext, limit = 200): Promise<number> {
  const today = lagosDate(ctx.now());
  const due = await ctx.db
    .selectFrom("schedules")
    .select("id")
    .where("status", "=", "active")
    .where("recurrence", "<>", "before_due")
    .where("next_due_on", "<=", today)
    .orderBy("next_due_on")
    .limit(limit)
    .execute();
  let made = 0;
  for (const { id } of due) {
    try {
      made += await withTransaction(ctx, (trx) => makeRunsFor(ctx, trx, id));
    } catch (err) {
      ctx.logger.error({ err, scheduleId: id }, "could not make a schedule's runs; the next sweep retries");
    }
  }
  return made;
}

async function makeRunsFor(ctx: ServiceContext, trx: Trx, scheduleId: string): Promise<number> {
  const { rows } = await sql<ScheduleRow>`
    SELECT * FROM schedules WHERE id = ${scheduleId} AND status = 'active' FOR UPDATE SKIP LOCKED`.execute(
    trx,
  );
  const schedule = rows[0];
  const rule = schedule ? recurrenceOf(schedule) : undefined;
  if (!schedule || !rule || rule.kind === "before_due") {
    return 0;
  }
  const now = ctx.now();
  const today = lagosDate(now);
  let next = schedule.next_due_on;
  let runsMade = schedule.runs_made;
  let made = 0;
  const missed: string[] = [];
  const ended = (date: string | null) =>
    date === null ||
    (schedule.end_on !== null && date > schedule.end_on) ||
    (schedule.max_runs !== null && runsMade >= schedule.max_runs);
  for (let guard = 0; next && next <= today && !ended(next) && guard < 400; guard++) {
    const dueAt = dueAtOf(ctx, schedule, next);
    const isLate = late(ctx, dueAt, now);
    const inserted = await trx
      .insertInto("schedule_runs")
      .values({
        ...runValues(schedule, next, dueAt, isLate ? "skipped" : "due", now),
        ...(isLate ? { outcome: "missed" } : {}),
      })
      .onConflict((oc) => oc.columns(["schedule_id", "due_on"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) {
      made += 1;
      runsMade += 1;
      if (isLate) {
        missed.push(next);
      }
    }
    next = nextOccurrence(rule, schedule.start_on, next);
  }
  const isEnded = ended(next);
  await trx
    .updateTable("schedules")
    .set({
      next_due_on: isEnded ? null : next,
      runs_made: runsMade,
      ...(isEnded ? { status: "ended" as const } : {}),
      updated_at: now,
    })
    .where("id", "=", schedule.id)
    .execute();
  if (missed.length > 0) {
    const notice: ScheduleNotice = {
      kind: "missed",
      what: whatItBuys(schedule),
      dueOns: missed,
      nextDueOn: isEnded ? null : (next ?? today),
    };
    await queueNotification(trx, {
      userId: schedule.user_id,
      kind: "schedule.missed",
      body: scheduleNoticeText(notice),
      payload: { scheduleId: schedule.id, dueOns: missed, notice },
    });
  }
  return made;
}

type RunWithSchedule = { run: ScheduleRunRow; schedule: ScheduleRow };

async function lockRun(trx: Trx, runId: number): Promise<RunWithSchedule | undefined> {
  const { rows } = await sql<ScheduleRunRow>`
    SELECT * FROM schedule_runs WHERE id = ${runId} AND state IN ('due', 'waiting_funds')
       FOR UPDATE SKIP LOCKED`.execute(trx);
  const run = rows[0];
  if (!run) {
    return undefined;
  }
  // SKIP LOCKED here too: a customer pausing or changing the schedule holds it briefly; the next
  // sweep takes the run then.
  const schedule = await trx
    .selectFrom("schedules")
    .selectAll()
    .where("id", "=", run.schedule_id)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return schedule ? { run, schedule } : undefined;
}

/** The order a run's key already made (a run interrupted after its order was written). */
async function orderOfKey(
  db: ServiceContext["db"] | Trx,
  run: ScheduleRunRow,
): Promise<{ id: string; price_kobo: number } | undefined> {
  return db
    .selectFrom("vtu_orders as o")
    .innerJoin("idempotency_keys as k", "k.id", "o.idempotency_key_id")
    .select(["o.id", "o.price_kobo"])
    .where("k.scope", "=", `user:${run.user_id}`)
    .where("k.key", "=", run.idempotency_key)
    .executeTakeFirst();
}

/** What the schedule's orders this Lagos month cost (failed and reversed ones were refunded: not counted). */
async function spentThisMonth(trx: Trx, schedule: ScheduleRow, dueOn: string): Promise<number> {
  const row = await trx
    .selectFrom("schedule_runs as r")
    .innerJoin("vtu_orders as o", "o.id", "r.order_id")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("o.price_kobo"), sql<number>`0`).as("spent"))
    .where("r.schedule_id", "=", schedule.id)
    .where("r.due_on", ">=", monthStart(dueOn))
    .where("r.due_on", "<", nextMonthStart(dueOn))
    .where("o.state", "not in", ["failed", "reversed"])
    .executeTakeFirst();
  return Number(row?.spent ?? 0);
}

function orderInputOf(schedule: ScheduleRow): AuthorisedOrderInput {
  switch (schedule.service) {
    case "airtime":
      return {
        service: "airtime",
        input: {
          network: schedule.network as never,
          phone: schedule.recipient,
          amountKobo: schedule.amount_kobo ?? 0,
        },
      };
    case "data":
      return {
        service: "data",
        input: {
          ...(schedule.network ? { network: schedule.network as never } : {}),
          phone: schedule.recipient,
          planId: schedule.plan_id ?? "",
        },
      };
    case "electricity":
      return {
        service: "electricity",
        input: {
          disco: schedule.disco as never,
          meterType: schedule.meter_type ?? "prepaid",
          meterNumber: schedule.recipient,
          amountKobo: schedule.amount_kobo ?? 0,
          ...(schedule.contact_phone ? { phone: schedule.contact_phone } : {}),
        },
      };
    case "cable":
      return {
        service: "cable",
        input: {
          provider: schedule.cable_provider as never,
          smartcard: schedule.recipient,
          subscription: "renew",
          ...(schedule.contact_phone ? { phone: schedule.contact_phone } : {}),
        },
      };
  }
}

type RunResult = "placed" | "waiting" | "skipped" | undefined;

async function runOne(ctx: ServiceContext, vtu: VtuRuntime, runId: number): Promise<RunResult> {
  // The run's row lock is held while its order is placed (on other connections), so two sweeps
  // never work on one run at once; the order's idempotency key covers a crash in between.
  return ctx.db.transaction().execute(async (trx) => {
    const locked = await lockRun(trx, runId);
    if (!locked) {
      return undefined;
    }
    const { run, schedule } = locked;
    const now = ctx.now();
    const what = whatItBuys(schedule);
    const setRun = (values: Partial<Omit<ScheduleRunRow, "id">>) =>
      trx
        .updateTable("schedule_runs")
        .set({ ...values, updated_at: now })
        .where("id", "=", run.id)
        .execute();

    const existing = await orderOfKey(trx, run);
    if (existing) {
      await setRun({ state: "placed", order_id: existing.id, price_kobo: existing.price_kobo });
      return "placed";
    }
    // An ended schedule's last runs still run; a paused or deleted one's do not.
    if (schedule.status === "paused" || schedule.status === "deleted") {
      await setRun({ state: "skipped", outcome: schedule.status });
      return "skipped";
    }
    // An auto-renew run (due_on: the card's due date) stays worth buying until that date has passed.
    const stillUseful = schedule.recurrence === "before_due" && lagosDate(now) <= run.due_on;
    if (run.state === "due" && late(ctx, run.due_at, now) && !stillUseful) {
      await setRun({ state: "skipped", outcome: "missed" });
      const notice: ScheduleNotice = { kind: "missed", what, dueOns: [run.due_on] };
      await queueNotification(trx, {
        userId: schedule.user_id,
        kind: "schedule.missed",
        body: scheduleNoticeText(notice),
        payload: { scheduleId: schedule.id, dueOns: [run.due_on], notice },
      });
      return "skipped";
    }
    if (run.state === "waiting_funds") {
      if (run.funds_deadline && now > run.funds_deadline) {
        return skipForFunds(ctx, trx, schedule, run, now);
      }
      // Still short: wait without spending the customer's rate limit on a sure refusal.
      const account = await trx
        .selectFrom("accounts")
        .select(["balance", "held"])
        .where("user_id", "=", schedule.user_id)
        .executeTakeFirst();
      if (account && run.price_kobo !== null && account.balance - account.held < run.price_kobo) {
        return "waiting";
      }
    }
    const spent = await spentThisMonth(trx, schedule, run.due_on);
    const left = schedule.monthly_cap_kobo - spent;
    const maxPriceKobo = Math.min(schedule.per_run_cap_kobo, left);
    try {
      if (maxPriceKobo <= 0) {
        throw new ServiceError("unprocessable", "PRICE_ABOVE_AUTHORISED", "monthly cap reached", {
          priceKobo: null,
          maxPriceKobo,
        });
      }
      const placed = await createAuthorisedOrder({
        ctx,
        vtu,
        userId: schedule.user_id,
        actor: `schedule:${schedule.id}`,
        channel: "schedule",
        idempotencyKey: run.idempotency_key,
        order: orderInputOf(schedule),
        authorisation: { kind: "schedule", scheduleId: schedule.id, maxPriceKobo },
      });
      await setRun({
        state: "placed",
        order_id: placed.order.id,
        price_kobo: placed.order.priceKobo,
        outcome: null,
        message: null,
      });
      await trx
        .updateTable("schedules")
        .set({ consecutive_skips: 0, updated_at: now })
        .where("id", "=", schedule.id)
        .execute();
      return "placed";
    } catch (error) {
      if (!(error instanceof ServiceError)) {
        throw error;
      }
      if (error.code === "PRICE_ABOVE_AUTHORISED") {
        const price = Number(error.details?.priceKobo ?? 0);
        const reason = price > schedule.per_run_cap_kobo ? "price_above_cap" : "monthly_cap";
        await setRun({
          state: "skipped",
          outcome: reason,
          price_kobo: price || null,
          message: error.message,
        });
        await trx
          .updateTable("schedules")
          .set({ status: "paused", pause_reason: reason, updated_at: now })
          .where("id", "=", schedule.id)
          .execute();
        const notice: ScheduleNotice =
          reason === "price_above_cap"
            ? {
                kind: "paused_price",
                what,
                priceKobo: price,
                capKobo: schedule.per_run_cap_kobo,
                dueOn: run.due_on,
              }
            : {
                kind: "paused_monthly",
                what,
                capKobo: schedule.monthly_cap_kobo,
                spentKobo: spent,
                dueOn: run.due_on,
              };
        await queueNotification(trx, {
          userId: schedule.user_id,
          kind: "schedule.paused",
          body: scheduleNoticeText(notice),
          payload: { scheduleId: schedule.id, dueOn: run.due_on, reason, notice },
        });
        return "skipped";
      }
      if (error.code === "INSUFFICIENT_FUNDS") {
        const required = Number(error.details?.requiredKobo ?? run.price_kobo ?? 0);
        if (run.state === "waiting_funds") {
          await setRun({ price_kobo: required });
          return "waiting";
        }
        const deadline = new Date(now.getTime() + ctx.config.SCHEDULE_FUNDS_WAIT_HOURS * 3_600_000);
        await setRun({
          state: "waiting_funds",
          funds_deadline: deadline,
          reminded: true,
          price_kobo: required,
        });
        const notice: ScheduleNotice = {
          kind: "waiting_funds",
          what,
          requiredKobo: required,
          hours: ctx.config.SCHEDULE_FUNDS_WAIT_HOURS,
        };
        await queueNotification(trx, {
          userId: schedule.user_id,
          kind: "schedule.waiting_funds",
          body: scheduleNoticeText(notice),
          payload: { scheduleId: schedule.id, dueOn: run.due_on, requiredKobo: required, notice },
        });
        return "waiting";
      }
      if (
        error.kind === "invalid" ||
        error.kind === "unprocessable" ||
        error.kind === "not_found" ||
        error.kind === "forbidden"
      ) {
        // What was scheduled can no longer be bought as it is (a plan withdrawn, an account suspended).
        await setRun({ state: "failed", outcome: "invalid", message: error.message });
        const notice: ScheduleNotice = {
          kind: "run_failed",
          what,
          dueOn: run.due_on,
          code: error.code,
          message: error.message,
        };
        await queueNotification(trx, {
          userId: schedule.user_id,
          kind: "schedule.run_failed",
          body: scheduleNoticeText(notice),
          payload: { scheduleId: schedule.id, dueOn: run.due_on, code: error.code, notice },
        });
        return "skipped";
      }
      // Unavailable, rate limited, too many open orders: the next sweep tries again (until late).
      ctx.logger.warn({ err: error, scheduleRunId: run.id }, "schedule run not placed yet; retrying");
      return undefined;
    }
  });
}

async function skipForFunds(
  ctx: ServiceContext,
  trx: Trx,
  schedule: ScheduleRow,
  run: ScheduleRunRow,
  now: Date,
): Promise<RunResult> {
  const skips = schedule.consecutive_skips + 1;
  const pause = skips >= ctx.config.SCHEDULE_SKIPS_TO_PAUSE;
  await trx
    .updateTable("schedule_runs")
    .set({ state: "skipped", outcome: "insufficient_funds", updated_at: now })
    .where("id", "=", run.id)
    .execute();
  await trx
    .updateTable("schedules")
    .set({
      consecutive_skips: skips,
      ...(pause ? { status: "paused" as const, pause_reason: "skipped_runs" as const } : {}),
      updated_at: now,
    })
    .where("id", "=", schedule.id)
    .execute();
  const what = whatItBuys(schedule);
  const notice: ScheduleNotice = pause
    ? { kind: "paused_skips", what, dueOn: run.due_on, skips }
    : { kind: "skipped", what, dueOn: run.due_on, nextDueOn: schedule.next_due_on };
  await queueNotification(trx, {
    userId: schedule.user_id,
    kind: pause ? "schedule.paused" : "schedule.skipped",
    body: scheduleNoticeText(notice),
    payload: {
      scheduleId: schedule.id,
      dueOn: run.due_on,
      reason: pause ? "skipped_runs" : "insufficient_funds",
      notice,
    },
  });
  return "skipped";
}

/**
 * Placed runs follow their order: delivered or failed (refunded). The order's own notification told
 * the customer; a delivery resets the skip count.
 */
async function settlePlacedRuns(ctx: ServiceContext): Promise<number> {
  const now = ctx.now();
  const { rows } = await sql<{ schedule_id: string; state: string }>`
    UPDATE schedule_runs r
       SET state = o.state, outcome = o.state, updated_at = ${now}
      FROM vtu_orders o
     WHERE r.order_id = o.id AND r.state = 'placed' AND o.state IN ('delivered', 'failed')
    RETURNING r.schedule_id, r.state`.execute(ctx.db);
  return rows.length;
}
