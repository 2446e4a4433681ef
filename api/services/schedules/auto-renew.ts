import { sql } from "kysely";
import type { ScheduleRow } from "../../../db/database";
import type { ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import { DEFAULT_BOUQUET_DAYS } from "../renewals/cards";
import { addDays, lagosDate, lagosInstant } from "./recurrence";

/**
 * Cable auto-renew (issue 19 §3, DECISIONS §67): a schedule with recurrence `before_due` renews one
 * cable card `days_before` days before each of its due dates. Its dates are not a calendar rule: they
 * follow the card (`cable_cards.due_date`, moved on by a delivered renewal or corrected by a
 * verification), and each sweep recomputes them from it.
 *
 * **One due date, one run.** A run's `due_on` is the card's due date it renews (the cycle), so its key
 * is `schedule:<id>:<card due date>`. A due date less than half a bouquet period after the last cycle
 * run (or before it) is that same cycle with a corrected date — a verification saying 11 Dec where we
 * had 10 Dec, or a provider still showing the old date after our renewal — and makes no run. Only a
 * due date that has moved on by at least half a period (a delivered renewal: a whole period) is a new
 * cycle. A run that failed or was skipped does not make its cycle run again by itself.
 */

export type AutoRenewPlan =
  /** The card has no due date: nothing can be timed. */
  | { kind: "unknown" }
  /** The card's due date `cycle` has no run yet: it is bought on `runOn` (never before today). */
  | { kind: "due"; cycle: string; runOn: string }
  /** The card's due date already had its run: the next run is expected on `runOn` (an estimate). */
  | { kind: "done"; cycle: string; runOn: string };

/** Where a card's due date stands for an auto-renew schedule (pure: the sweep, create and reminders agree). */
export function autoRenewPlan(a: {
  dueDate: string | null;
  lastCycle: string | null;
  periodDays: number;
  daysBefore: number;
  today: string;
}): AutoRenewPlan {
  if (!a.dueDate) {
    return { kind: "unknown" };
  }
  const notBefore = (date: string) => (date < a.today ? a.today : date);
  if (a.lastCycle && a.dueDate < addDays(a.lastCycle, Math.ceil(a.periodDays / 2))) {
    // The later of the two Lagos dates (YYYY-MM-DD sorts as text).
    const latest = [a.dueDate, a.lastCycle].sort()[1] ?? a.lastCycle;
    return {
      kind: "done",
      cycle: a.lastCycle,
      runOn: notBefore(addDays(latest, a.periodDays - a.daysBefore)),
    };
  }
  return { kind: "due", cycle: a.dueDate, runOn: notBefore(addDays(a.dueDate, -a.daysBefore)) };
}

export type CardState = {
  cardId: number;
  dueDate: string | null;
  periodDays: number;
  lastCycle: string | null;
};

/** The card's due date and bouquet period, and the last cycle this schedule ran (or skipped). */
export async function cardStateOf(
  db: ServiceContext["db"] | Trx,
  schedule: Pick<ScheduleRow, "id" | "cable_card_id">,
): Promise<CardState> {
  const card = await db
    .selectFrom("cable_cards as c")
    .leftJoin("catalogue_products as p", "p.id", "c.product_id")
    .select([sql<string | null>`c.due_date::text`.as("due"), "p.validity_days"])
    .where("c.id", "=", schedule.cable_card_id ?? -1)
    .executeTakeFirst();
  const last = await db
    .selectFrom("schedule_runs")
    .select((eb) => eb.fn.max("due_on").as("cycle"))
    .where("schedule_id", "=", schedule.id)
    .executeTakeFirst();
  return {
    cardId: schedule.cable_card_id ?? -1,
    dueDate: card?.due ?? null,
    periodDays: card?.validity_days ?? DEFAULT_BOUQUET_DAYS,
    lastCycle: (last?.cycle as string | null | undefined) ?? null,
  };
}

export function planOf(ctx: ServiceContext, schedule: Pick<ScheduleRow, "days_before">, card: CardState) {
  return autoRenewPlan({
    dueDate: card.dueDate,
    lastCycle: card.lastCycle,
    periodDays: card.periodDays,
    daysBefore: schedule.days_before ?? ctx.config.CABLE_AUTORENEW_DAYS_BEFORE,
    today: lagosDate(ctx.now()),
  });
}

/** The schedule's next_due_on for a plan: the (expected) run date, or none while the date is unknown. */
export function nextDueOf(plan: AutoRenewPlan): string | null {
  return plan.kind === "unknown" ? null : plan.runOn;
}

/**
 * Bring one auto-renew schedule up to date with its card, under its row lock (SKIP LOCKED: whoever
 * holds it is doing this already): next_due_on follows the card's due date, and when the current
 * cycle's day has come its run is made (one row per cycle, UNIQUE (schedule_id, due_on)). `now`
 * (the sandbox's run-now hook) makes the current cycle's run due at once, whatever its day.
 */
export async function syncAutoRenew(
  ctx: ServiceContext,
  trx: Trx,
  scheduleId: string,
  options: { now?: boolean } = {},
): Promise<number> {
  const { rows } = await sql<ScheduleRow>`
    SELECT * FROM schedules WHERE id = ${scheduleId} AND status = 'active' AND recurrence = 'before_due'
       FOR UPDATE SKIP LOCKED`.execute(trx);
  const schedule = rows[0];
  if (!schedule) {
    return 0;
  }
  const now = ctx.now();
  const today = lagosDate(now);
  const card = await cardStateOf(trx, schedule);
  const plan = planOf(ctx, schedule, card);
  const setNext = async (next: string | null, extra: Partial<ScheduleRow> = {}) => {
    if (next !== schedule.next_due_on || Object.keys(extra).length > 0) {
      await trx
        .updateTable("schedules")
        .set({ next_due_on: next, ...extra, updated_at: now })
        .where("id", "=", schedule.id)
        .execute();
    }
  };
  if (plan.kind !== "due" || (!options.now && plan.runOn > today)) {
    await setNext(nextDueOf(plan));
    return 0;
  }
  if (
    (schedule.end_on !== null && plan.runOn > schedule.end_on) ||
    (schedule.max_runs !== null && schedule.runs_made >= schedule.max_runs)
  ) {
    await setNext(null, { status: "ended" });
    return 0;
  }
  // Due at the run hour of its day (never before the schedule allows). A cycle found after its day
  // (we were down, or the card's date was corrected to an earlier one) is due now, not "missed": the
  // card still needs renewing, and its one run is still the only one.
  const at = lagosInstant(plan.runOn, ctx.config.SCHEDULE_RUN_HOUR);
  const dueAt = new Date(Math.max(at.getTime(), schedule.not_before.getTime()));
  const isLate = now.getTime() - dueAt.getTime() > ctx.config.SCHEDULE_GRACE_HOURS * 3_600_000;
  const inserted = await trx
    .insertInto("schedule_runs")
    .values({
      schedule_id: schedule.id,
      user_id: schedule.user_id,
      due_on: plan.cycle,
      due_at: options.now || isLate ? now : dueAt,
      state: "due",
      idempotency_key: `schedule:${schedule.id}:${plan.cycle}`,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["schedule_id", "due_on"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  const runsMade = schedule.runs_made + (inserted ? 1 : 0);
  const after = planOf(ctx, schedule, { ...card, lastCycle: plan.cycle });
  const ended = schedule.max_runs !== null && runsMade >= schedule.max_runs;
  await setNext(ended ? null : nextDueOf(after), {
    runs_made: runsMade,
    ...(ended ? { status: "ended" as const } : {}),
  });
  return inserted ? 1 : 0;
}

/**
 * The sweep's part for auto-renew: every active auto-renew schedule whose card says something new
 * (a due date moved or corrected, a cycle's day come) is synced, each in its own transaction. One
 * read of all of them per sweep; a schedule another sweep holds is skipped (that sweep syncs it).
 */
export async function sweepAutoRenew(ctx: ServiceContext, limit = 500): Promise<number> {
  const today = lagosDate(ctx.now());
  const rows = await ctx.db
    .selectFrom("schedules as s")
    .innerJoin("cable_cards as c", "c.id", "s.cable_card_id")
    .leftJoin("catalogue_products as p", "p.id", "c.product_id")
    .select([
      "s.id",
      "s.next_due_on",
      "s.days_before",
      sql<string | null>`c.due_date::text`.as("due"),
      "p.validity_days",
      sql<string | null>`(SELECT max(r.due_on) FROM schedule_runs r WHERE r.schedule_id = s.id)`.as(
        "last_cycle",
      ),
    ])
    .where("s.status", "=", "active")
    .where("s.recurrence", "=", "before_due")
    .orderBy("s.next_due_on")
    .limit(limit)
    .execute();
  let made = 0;
  for (const row of rows) {
    const plan = planOf(
      ctx,
      { days_before: row.days_before },
      {
        cardId: 0,
        dueDate: row.due,
        periodDays: row.validity_days ?? DEFAULT_BOUQUET_DAYS,
        lastCycle: row.last_cycle,
      },
    );
    const dueNow = plan.kind === "due" && plan.runOn <= today;
    if (!dueNow && nextDueOf(plan) === row.next_due_on) {
      continue;
    }
    try {
      made += await withTransaction(ctx, (trx) => syncAutoRenew(ctx, trx, row.id));
    } catch (err) {
      ctx.logger.error(
        { err, scheduleId: row.id },
        "could not sync an auto-renew schedule; the next sweep retries",
      );
    }
  }
  return made;
}

/** Outcomes of a run that a resume may reopen: the cycle was not bought for a reason now cleared. */
const REOPENABLE = ["price_above_cap", "monthly_cap", "paused", "insufficient_funds"];

/**
 * On resume: the current cycle's run, skipped without an order because the schedule paused (price
 * above the cap, monthly cap, paused by the customer, too many skips), is due again — the same row
 * and key, so still one order for the cycle. A cycle whose due date has passed is not reopened.
 */
export async function reopenCycleOnResume(
  ctx: ServiceContext,
  trx: Trx,
  schedule: ScheduleRow,
): Promise<void> {
  const now = ctx.now();
  const card = await cardStateOf(trx, schedule);
  const plan = planOf(ctx, schedule, card);
  if (plan.kind !== "done" || plan.cycle < lagosDate(now)) {
    return;
  }
  await trx
    .updateTable("schedule_runs")
    .set({ state: "due", due_at: now, outcome: null, message: null, funds_deadline: null, updated_at: now })
    .where("schedule_id", "=", schedule.id)
    .where("due_on", "=", plan.cycle)
    .where("state", "=", "skipped")
    .where("order_id", "is", null)
    .where("outcome", "in", REOPENABLE)
    .execute();
}

/** The card's auto-renew schedule that is on (active), if any: for the reminders' wording. */
export async function activeAutoRenewOf(
  db: ServiceContext["db"] | Trx,
  cardId: number,
): Promise<ScheduleRow | undefined> {
  return db
    .selectFrom("schedules")
    .selectAll()
    .where("cable_card_id", "=", cardId)
    .where("recurrence", "=", "before_due")
    .where("status", "=", "active")
    .executeTakeFirst();
}
