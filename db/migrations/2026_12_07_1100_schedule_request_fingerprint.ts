import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * What a schedule's creating request asked for (a hash of it, without the PIN), so a request
 * replaying its Idempotency-Key with another body is refused (409) instead of answered with the
 * first schedule; compared with the request, not the row, which later changes may have edited.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE schedules ADD COLUMN request_fingerprint text;`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE schedules DROP COLUMN IF EXISTS request_fingerprint;`.execute(db);
}
