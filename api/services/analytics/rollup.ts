import { sql } from "kysely";
import { type ServiceContext, withTransaction } from "../context";
import { ValidationError } from "../errors";
import { measureDays } from "./measure";
import { addDays, isDay, lagosDay } from "./range";

/** The marker row of a rolled-up day: present even when nothing happened that day. */
export const ROLLUP_MARKER = "rollup.day";
/** Days recomputed on every run: orders still pending at midnight settle a little later. */
export const SETTLING_DAYS = 3;
/** How far back the job looks for days it never rolled up (a process that was down for a while). */
export const LOOKBACK_DAYS = 90;

/**
 * Recompute one finished Lagos day from the source tables: its rows are deleted and inserted again
 * in one transaction, so running it twice (or concurrently with a report) gives the same rows.
 * Today is never rolled up: the report reads it live.
 */
export async function rollUpDay(ctx: ServiceContext, day: string): Promise<{ day: string; rows: number }> {
  if (!isDay(day)) {
    throw new ValidationError(`"${day}" is not a day: write it as YYYY-MM-DD.`);
  }
  const today = lagosDay(ctx.now());
  if (day >= today) {
    throw new ValidationError(
      `${day} is not over yet in Lagos (today is ${today}); only past days are rolled up.`,
    );
  }
  return withTransaction(ctx, async (trx) => {
    // One roll-up of a day at a time: a second one waits, then rewrites the same rows.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`daily_rollups:${day}`}))`.execute(trx);
    const rows = await measureDays(trx, day, day);
    await trx.deleteFrom("daily_rollups").where("day", "=", day).execute();
    const values = [
      ...rows.map((r) => ({ day, metric: r.metric, dimension: r.dimension, value: r.value })),
      { day, metric: ROLLUP_MARKER, dimension: "", value: 1 },
    ];
    await trx.insertInto("daily_rollups").values(values).execute();
    return { day, rows: values.length };
  });
}

/**
 * The scheduled job's verb: roll up the last SETTLING_DAYS days again, and any earlier day of the
 * last LOOKBACK_DAYS that was never rolled up. Idempotent.
 */
export async function rollUpMissingDays(
  ctx: ServiceContext,
  options: { lookbackDays?: number } = {},
): Promise<{ rolledUp: string[] }> {
  const today = lagosDay(ctx.now());
  const oldest = addDays(today, -(options.lookbackDays ?? LOOKBACK_DAYS));
  const done = await ctx.db
    .selectFrom("daily_rollups")
    .select((eb) => eb.cast<string>("day", "text").as("day"))
    .where("metric", "=", ROLLUP_MARKER)
    .where("day", ">=", oldest)
    .execute();
  const have = new Set(done.map((d) => d.day));
  const settling = addDays(today, -SETTLING_DAYS);
  const rolledUp: string[] = [];
  for (let day = oldest; day < today; day = addDays(day, 1)) {
    if (day >= settling || !have.has(day)) {
      await rollUpDay(ctx, day);
      rolledUp.push(day);
    }
  }
  return { rolledUp };
}
