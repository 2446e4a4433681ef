import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The console channel (npm run chat) is a channel like the others.
ALTER TABLE identities DROP CONSTRAINT identities_channel_check;
ALTER TABLE identities ADD CONSTRAINT identities_channel_check
  CHECK (channel IN ('telegram', 'whatsapp', 'web', 'api', 'console'));

-- Where each chat is in its conversation, so a restart mid-flow loses nothing. One row per chat;
-- version makes concurrent updates of one chat detectable (optimistic locking).
CREATE TABLE chat_sessions (
  channel      text NOT NULL,
  external_id  text NOT NULL,
  user_id      text NOT NULL REFERENCES users(id),
  flow         text,
  step         text,
  data         jsonb NOT NULL DEFAULT '{}',
  version      integer NOT NULL DEFAULT 0,
  expires_at   timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_id)
);

-- Every chat message or button press we acted on, once (W8: a redelivered update is not re-run).
CREATE TABLE chat_inputs (
  channel      text NOT NULL,
  message_id   text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, message_id)
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS chat_inputs, chat_sessions`.execute(db);
}
