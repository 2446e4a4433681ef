import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * The language a person's chat replies are written in (issue 16): English or Nigerian Pidgin, null
 * until chosen (replies are English then). `language_offered_at` records that Pidgin was offered
 * once, so a person who ignored the offer is not asked again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE users ADD COLUMN language text CONSTRAINT users_language_check CHECK (language IN ('en', 'pcm'));
ALTER TABLE users ADD COLUMN language_offered_at timestamptz;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE users DROP COLUMN IF EXISTS language_offered_at;
ALTER TABLE users DROP COLUMN IF EXISTS language;
`.execute(db);
}
