import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- One-time PIN pages (S4): on WhatsApp a typed PIN cannot be deleted, so the PIN is entered on a
-- web page whose link is sent to the chat. Only the token's hash is kept; the link is bound to one
-- chat and one flow step (confirm_id), expires quickly and is consumed once.
CREATE TABLE pin_links (
  id           text PRIMARY KEY,
  token_hash   text NOT NULL UNIQUE,
  channel      text NOT NULL,
  user_ref     text NOT NULL,
  user_id      text NOT NULL REFERENCES users(id),
  confirm_id   text NOT NULL,
  purpose      text NOT NULL CHECK (purpose IN ('pay', 'set_pin', 'change_pin')),
  title        text NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now()
);
-- A fresh link supersedes the chat's earlier open ones.
CREATE INDEX pin_links_open_idx ON pin_links (channel, user_ref) WHERE used_at IS NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS pin_links`.execute(db);
}
