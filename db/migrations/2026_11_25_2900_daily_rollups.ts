import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The analytics rollup: one integer per (Lagos day, metric, dimension), e.g. ('2026-11-24',
-- 'orders.count', 'airtime/delivered') = 12. Generic so a new metric needs no migration. A day is
-- rolled up by deleting its rows and inserting them again in one transaction; the 'rollup.day' row
-- says the day was rolled up even when nothing happened on it.
CREATE TABLE daily_rollups (
  day          date NOT NULL,
  metric       text NOT NULL,
  dimension    text NOT NULL DEFAULT '',
  value        bigint NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, metric, dimension)
);
-- The rollup reads a day at a time by these timestamps.
CREATE INDEX vtu_orders_created ON vtu_orders (created_at);
CREATE INDEX users_created ON users (created_at);
CREATE INDEX funding_intents_credited ON funding_intents (credited_at) WHERE status = 'credited';
CREATE INDEX withdrawals_completed ON withdrawals (completed_at) WHERE state = 'successful';
CREATE INDEX gift_rooms_created ON gift_rooms (created_at);
CREATE INDEX gift_claims_created ON gift_claims (created_at);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP INDEX IF EXISTS vtu_orders_created, users_created, funding_intents_credited, withdrawals_completed,
  gift_rooms_created, gift_claims_created;
DROP TABLE IF EXISTS daily_rollups;
`.execute(db);
}
