import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A withdrawal whose send never reached the gateway (the process died between committing
-- 'submitting' and the call, or the call was lost on the way) is unknown to the gateway forever.
-- sent_at is when we last sent it and send_count how many times: a transfer the gateway still does
-- not know a grace period after the last send is sent again with the same reference (the gateway
-- refuses a second transfer with one reference, so a resend can never pay twice), a bounded number
-- of times.
ALTER TABLE withdrawals
  ADD COLUMN sent_at    timestamptz,
  ADD COLUMN send_count integer NOT NULL DEFAULT 0;
UPDATE withdrawals SET sent_at = updated_at, send_count = 1 WHERE state <> 'held';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE withdrawals DROP COLUMN IF EXISTS sent_at, DROP COLUMN IF EXISTS send_count;`.execute(
    db,
  );
}
