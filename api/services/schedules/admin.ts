import { sql } from "kysely";
import type { ScheduleRow, ScheduleRunRow } from "../../../db/database";
import type { ServiceContext } from "../context";
import { type ScheduleDto, toScheduleDto } from "./schedules";

export type AdminScheduleRow = ScheduleDto & {
  userId: string;
  userName: string | null;
  /** Runs of the last 30 days that failed or were skipped (not by the customer). */
  recentProblems: number;
};

/**
 * Every schedule that is not deleted, for the admin panel (issue 19 §5): the ones needing attention
 * first — paused, then those whose last run failed or was skipped — then by next run. `userId`
 * limits it to one customer (their page).
 */
export async function listSchedulesForAdmin(args: {
  ctx: ServiceContext;
  userId?: string;
  limit?: number;
}): Promise<AdminScheduleRow[]> {
  const { ctx } = args;
  const since = new Date(ctx.now().getTime() - 30 * 86_400_000);
  let query = ctx.db
    .selectFrom("schedules as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom("schedule_runs as r")
          .selectAll("r")
          .whereRef("r.schedule_id", "=", "s.id")
          .orderBy("r.due_on", "desc")
          .limit(1)
          .as("last"),
      (join) => join.onTrue(),
    )
    .selectAll("s")
    .select([
      "u.display_name as user_name",
      sql<Record<string, unknown> | null>`CASE WHEN last.id IS NULL THEN NULL ELSE to_jsonb(last) END`.as(
        "last_run",
      ),
      sql<number>`(SELECT count(*)::int FROM schedule_runs p WHERE p.schedule_id = s.id AND p.created_at >= ${since}
                    AND (p.state = 'failed' OR (p.state = 'skipped' AND p.outcome <> 'skipped_by_customer')))`.as(
        "recent_problems",
      ),
    ])
    .where("s.status", "<>", "deleted")
    .orderBy(sql`CASE WHEN s.status = 'paused' THEN 0
                      WHEN last.state = 'failed' OR (last.state = 'skipped' AND last.outcome <> 'skipped_by_customer') THEN 1
                      WHEN s.status = 'active' THEN 2 ELSE 3 END`)
    .orderBy("s.next_due_on")
    .orderBy("s.id", "desc")
    .limit(Math.min(args.limit ?? 200, 500));
  if (args.userId) {
    query = query.where("s.user_id", "=", args.userId);
  }
  const rows = await query.execute();
  return rows.map((r) => {
    const { user_name, last_run, recent_problems, ...schedule } = r;
    const last = last_run ? runFromJson(last_run) : null;
    return {
      ...toScheduleDto(schedule as ScheduleRow, last),
      userId: schedule.user_id,
      userName: user_name,
      recentProblems: Number(recent_problems),
    };
  });
}

/** A run row read back from to_jsonb (dates as strings). */
function runFromJson(json: Record<string, unknown>): ScheduleRunRow {
  const date = (v: unknown) => (v ? new Date(String(v)) : null);
  return {
    ...(json as unknown as ScheduleRunRow),
    due_at: date(json.due_at) ?? new Date(0),
    funds_deadline: date(json.funds_deadline),
    created_at: date(json.created_at) ?? new Date(0),
    updated_at: date(json.updated_at) ?? new Date(0),
    price_kobo: json.price_kobo === null || json.price_kobo === undefined ? null : Number(json.price_kobo),
  };
}
