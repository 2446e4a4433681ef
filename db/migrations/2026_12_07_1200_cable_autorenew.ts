import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Cable auto-renew (issue 19 §3, DECISIONS §67): a schedule whose recurrence is `before_due` renews
 * one cable card (`cable_card_id`) `days_before` days before each of the card's due dates. Its runs
 * keep the key `schedule:<id>:<due_on>`, `due_on` being the card's due date the run renews (the
 * cycle), not the day it buys: one due date, one run. One live auto-renew per card (active or paused).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE schedules DROP CONSTRAINT schedules_recurrence_check;
ALTER TABLE schedules ADD CONSTRAINT schedules_recurrence_check
  CHECK (recurrence IN ('daily', 'weekly', 'monthly', 'every_n_days', 'before_due'));
ALTER TABLE schedules
  ADD COLUMN cable_card_id bigint REFERENCES cable_cards (id),
  ADD COLUMN days_before smallint CHECK (days_before BETWEEN 0 AND 14),
  ADD CONSTRAINT schedules_before_due_check
    CHECK ((recurrence = 'before_due') = (cable_card_id IS NOT NULL AND days_before IS NOT NULL)),
  ADD CONSTRAINT schedules_before_due_cable CHECK (recurrence <> 'before_due' OR service = 'cable');
CREATE UNIQUE INDEX schedules_autorenew_card ON schedules (cable_card_id)
  WHERE cable_card_id IS NOT NULL AND status IN ('active', 'paused');
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP INDEX IF EXISTS schedules_autorenew_card;
DELETE FROM schedule_runs WHERE schedule_id IN (SELECT id FROM schedules WHERE recurrence = 'before_due');
DELETE FROM schedules WHERE recurrence = 'before_due';
ALTER TABLE schedules DROP CONSTRAINT IF EXISTS schedules_before_due_cable;
ALTER TABLE schedules DROP CONSTRAINT IF EXISTS schedules_before_due_check;
ALTER TABLE schedules DROP COLUMN IF EXISTS days_before;
ALTER TABLE schedules DROP COLUMN IF EXISTS cable_card_id;
ALTER TABLE schedules DROP CONSTRAINT schedules_recurrence_check;
ALTER TABLE schedules ADD CONSTRAINT schedules_recurrence_check
  CHECK (recurrence IN ('daily', 'weekly', 'monthly', 'every_n_days'));
`.execute(db);
}
