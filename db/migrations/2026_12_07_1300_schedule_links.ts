import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * The customer's "My schedules" web page (DECISIONS §69): a link sent to the chat (or asked for
 * through the API) opens a management session for one customer. Only the token's hash is kept; the
 * link expires (SCHEDULE_LINK_TTL_MINUTES) and works many times until then, and only the newest link
 * of a customer works: a new one revokes the older ones, and the partial unique index holds that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE schedule_links (
  id          text PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  user_id     text NOT NULL REFERENCES users(id),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schedule_links_one_open_idx ON schedule_links (user_id) WHERE revoked_at IS NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS schedule_links`.execute(db);
}
