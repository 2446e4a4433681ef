import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database";

/**
 * Independent SQL for the admin panel's browser test (web/ may not write SQL): one Lagos day's
 * headline figures, straight from the tables, not through the analytics service or its rollups.
 */
export async function panelFigures(db: Kysely<Database>, day: string) {
  const on = (column: string) => sql`(${sql.raw(column)} AT TIME ZONE 'Africa/Lagos')::date = ${day}::date`;
  const n = async (query: ReturnType<typeof sql>) => {
    const result = await (query as ReturnType<typeof sql<{ n: string | number | null }>>).execute(db);
    return Number(result.rows[0]?.n ?? 0);
  };
  return {
    orders: await n(sql`SELECT count(*) AS n FROM vtu_orders WHERE ${on("created_at")}`),
    delivered: await n(
      sql`SELECT count(*) AS n FROM vtu_orders WHERE state = 'delivered' AND ${on("created_at")}`,
    ),
    unsuccessful: await n(
      sql`SELECT count(*) AS n FROM vtu_orders WHERE state IN ('failed', 'reversed') AND ${on("created_at")}`,
    ),
    volumeKobo: await n(
      sql`SELECT coalesce(sum(price_kobo), 0) AS n FROM vtu_orders WHERE state = 'delivered' AND ${on("created_at")}`,
    ),
    newUsers: await n(sql`SELECT count(*) AS n FROM users WHERE ${on("created_at")}`),
    totalUsers: await n(sql`SELECT count(*) AS n FROM users`),
    activeUsers: await n(
      sql`SELECT count(DISTINCT user_id) AS n FROM (
            SELECT user_id FROM vtu_orders WHERE channel <> 'gift' AND ${on("created_at")}
            UNION SELECT user_id FROM funding_intents WHERE status = 'credited' AND ${on("credited_at")}) a`,
    ),
    fundingKobo: await n(
      sql`SELECT coalesce(sum(amount_kobo), 0) AS n FROM funding_intents
          WHERE status = 'credited' AND ${on("credited_at")}`,
    ),
    manualReview: await n(sql`SELECT count(*) AS n FROM vtu_orders WHERE state = 'manual_review'`),
    adminAdjustments: await n(sql`SELECT count(*) AS n FROM journal_entries WHERE type = 'admin_adjustment'`),
    approvals: await n(sql`SELECT count(*) AS n FROM admin_approvals`),
  };
}
