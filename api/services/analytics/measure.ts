import { type RawBuilder, sql } from "kysely";
import type { Db } from "../context";

/** One rolled-up number: on a Lagos day, a metric, split by a dimension ('' when it has none). */
export type MetricRow = { day: string; metric: string; dimension: string; value: number };

/**
 * The metrics, each with its rule. Every rule is one SELECT of (day, dimension, value) over the
 * rows whose Lagos day falls in [from, to]; the rollup stores them per day and the report reads
 * today's straight from here, so each rule lives in this one place.
 */
type Rule = (from: RawBuilder<unknown>, to: RawBuilder<unknown>) => RawBuilder<unknown>;

/** The Lagos day of a timestamptz column, as 'YYYY-MM-DD'. */
const dayOf = (column: string) => sql`(${sql.ref(column)} AT TIME ZONE 'Africa/Lagos')::date::text`;
/** `column` falls on a Lagos day in [from, to]. */
export const within = (column: string, from: RawBuilder<unknown>, to: RawBuilder<unknown>) =>
  sql`${sql.ref(column)} >= (${from}::date::timestamp AT TIME ZONE 'Africa/Lagos')
      AND ${sql.ref(column)} < ((${to}::date + 1)::timestamp AT TIME ZONE 'Africa/Lagos')`;

/**
 * (day, user_id) for every act that makes a customer active: an order they placed themselves (a gift
 * claim's order is the room's, not something its creator did that day) or a top-up credited.
 */
export const activity = (from: RawBuilder<unknown>, to: RawBuilder<unknown>) => sql`
  SELECT ${dayOf("created_at")} AS day, user_id FROM vtu_orders
  WHERE channel <> 'gift' AND ${within("created_at", from, to)}
  UNION ALL
  SELECT ${dayOf("credited_at")} AS day, user_id FROM funding_intents
  WHERE status = 'credited' AND ${within("credited_at", from, to)}`;

/** A state in which an order's outcome is final and it was not delivered (the money went back). */
export const UNSUCCESSFUL_STATES = ["failed", "reversed"] as const;

export const RULES: Record<string, Rule> = {
  // Orders placed that day, by "service/state" (the state they are in now): count and price paid.
  "orders.count": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, service || '/' || state AS dimension, count(*) AS value
    FROM vtu_orders WHERE ${within("created_at", from, to)} GROUP BY 1, 2`,
  "orders.amount": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, service || '/' || state AS dimension, sum(price_kobo) AS value
    FROM vtu_orders WHERE ${within("created_at", from, to)} GROUP BY 1, 2`,
  // What delivered orders cost us at the provider (the price when a provider reported no cost).
  "orders.cost": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, service AS dimension, sum(coalesce(cost_kobo, price_kobo)) AS value
    FROM vtu_orders WHERE state = 'delivered' AND ${within("created_at", from, to)} GROUP BY 1, 2`,
  "users.new": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, '' AS dimension, count(*) AS value
    FROM users WHERE ${within("created_at", from, to)} GROUP BY 1, 2`,
  "users.active": (from, to) => sql`
    SELECT day, '' AS dimension, count(DISTINCT user_id) AS value FROM (${activity(from, to)}) a GROUP BY 1, 2`,
  "funding.count": (from, to) => sql`
    SELECT ${dayOf("credited_at")} AS day, '' AS dimension, count(*) AS value
    FROM funding_intents WHERE status = 'credited' AND ${within("credited_at", from, to)} GROUP BY 1, 2`,
  // What reached wallets (amount_kobo; the fee is the gateway's).
  "funding.amount": (from, to) => sql`
    SELECT ${dayOf("credited_at")} AS day, '' AS dimension, sum(amount_kobo) AS value
    FROM funding_intents WHERE status = 'credited' AND ${within("credited_at", from, to)} GROUP BY 1, 2`,
  "withdrawals.count": (from, to) => sql`
    SELECT ${dayOf("completed_at")} AS day, '' AS dimension, count(*) AS value
    FROM withdrawals WHERE state = 'successful' AND ${within("completed_at", from, to)} GROUP BY 1, 2`,
  "withdrawals.amount": (from, to) => sql`
    SELECT ${dayOf("completed_at")} AS day, '' AS dimension, sum(amount_kobo) AS value
    FROM withdrawals WHERE state = 'successful' AND ${within("completed_at", from, to)} GROUP BY 1, 2`,
  "gifts.rooms": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, kind AS dimension, count(*) AS value
    FROM gift_rooms WHERE ${within("created_at", from, to)} GROUP BY 1, 2`,
  "gifts.capacity": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, kind AS dimension, sum(capacity) AS value
    FROM gift_rooms WHERE ${within("created_at", from, to)} GROUP BY 1, 2`,
  // Claims made that day that hold a gift (a failed claim gave its slot back).
  "gifts.claims": (from, to) => sql`
    SELECT ${dayOf("c.created_at")} AS day, r.kind AS dimension, count(*) AS value
    FROM gift_claims c JOIN gift_rooms r ON r.id = c.room_id
    WHERE c.state <> 'failed' AND ${within("c.created_at", from, to)} GROUP BY 1, 2`,
  "providers.delivered": (from, to) => sql`
    SELECT ${dayOf("created_at")} AS day, provider AS dimension, count(*) AS value
    FROM vtu_orders WHERE state = 'delivered' AND provider IS NOT NULL AND ${within("created_at", from, to)}
    GROUP BY 1, 2`,
  // Failover: orders placed that day that needed more than one attempt…
  "failover.orders": (from, to) => sql`
    SELECT ${dayOf("o.created_at")} AS day, '' AS dimension, count(*) AS value
    FROM vtu_orders o WHERE ${within("o.created_at", from, to)}
      AND (SELECT count(*) FROM vtu_attempts a WHERE a.order_id = o.id) > 1
    GROUP BY 1, 2`,
  // …and the later attempts, by the provider that took them over.
  "failover.attempts": (from, to) => sql`
    SELECT ${dayOf("o.created_at")} AS day, a.provider AS dimension, count(*) AS value
    FROM vtu_attempts a JOIN vtu_orders o ON o.id = a.order_id
    WHERE a.attempt_no > 1 AND ${within("o.created_at", from, to)} GROUP BY 1, 2`,
};

/** Every metric of every Lagos day in [from, to], straight from the source tables. */
export async function measureDays(db: Db, from: string, to: string): Promise<MetricRow[]> {
  const f = sql`${from}`;
  const t = sql`${to}`;
  const selects = Object.entries(RULES).map(
    ([metric, rule]) =>
      sql`SELECT ${metric}::text AS metric, m.day, m.dimension::text, m.value::bigint FROM (${rule(f, t)}) m`,
  );
  const result = await sql<MetricRow>`${sql.join(selects, sql` UNION ALL `)} ORDER BY 2, 1, 3`.execute(db);
  return result.rows.map((r) => ({ ...r, value: Number(r.value) }));
}
