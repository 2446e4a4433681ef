import { sql } from "kysely";
import type { Db, Trx } from "../context";

/** Same Lagos calendar day as `now` (limits are per day as the customer lives it). */
function sameLagosDay(column: string, now: Date) {
  return sql<boolean>`(${sql.ref(column)} AT TIME ZONE 'Africa/Lagos')::date = (${now}::timestamptz AT TIME ZONE 'Africa/Lagos')::date`;
}

/**
 * What reached the customer's wallet today from outside (card checkouts and bank transfers), in
 * kobo: the amount the daily funding limit of their verification level is measured against.
 */
export async function fundedTodayKobo(db: Db | Trx, userId: string, now: Date): Promise<number> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom("funding_intents")
        .select(sql<string>`coalesce(sum(amount_kobo), 0)`.as("s"))
        .where("user_id", "=", userId)
        .where("status", "=", "credited")
        .where(sameLagosDay("credited_at", now))
        .as("cards"),
      eb
        .selectFrom("bank_transfers")
        .select(sql<string>`coalesce(sum(paid_kobo), 0)`.as("s"))
        .where("user_id", "=", userId)
        .where("status", "=", "credited")
        .where(sameLagosDay("credited_at", now))
        .as("transfers"),
    ])
    .executeTakeFirstOrThrow();
  return Number(row.cards ?? 0) + Number(row.transfers ?? 0);
}
