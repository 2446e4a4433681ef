import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Every message the bots send (replies, order outcomes, funding credits, alerts, button clean-ups)
-- is a row here, written in the transaction of the change that caused it. A sender per channel
-- takes the oldest unsent row of each chat (chats in order), and marks it sent only when the
-- channel accepted it. dedupe_key makes one outcome one message per chat, whoever writes it first
-- (the chat reply or the notification). op: 'send' a message, 'clear_buttons' of an earlier one
-- (by tag), 'delete' a message (channel_message_id in target).
CREATE TABLE chat_outbox (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel            text NOT NULL,
  external_id        text NOT NULL,
  user_id            text,
  kind               text NOT NULL,
  op                 text NOT NULL DEFAULT 'send' CHECK (op IN ('send', 'clear_buttons', 'delete')),
  dedupe_key         text UNIQUE,
  reply              jsonb NOT NULL DEFAULT '{}',
  payload            jsonb NOT NULL DEFAULT '{}',
  tag                text,
  target             text,
  status             text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  lease_owner        text,
  lease_until        timestamptz,
  last_error         text,
  channel_message_id text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  sent_at            timestamptz
);
-- The heads of the chats' queues, and what a sender looks at.
CREATE INDEX chat_outbox_unsent ON chat_outbox (channel, external_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX chat_outbox_due ON chat_outbox (channel, next_attempt_at) WHERE status = 'pending';
CREATE INDEX chat_outbox_tagged ON chat_outbox (channel, external_id, tag) WHERE tag IS NOT NULL;
CREATE INDEX chat_outbox_sent_at ON chat_outbox (created_at);

-- Deliveries the notification job had not sent yet move to the outbox.
INSERT INTO chat_outbox (channel, external_id, user_id, kind, dedupe_key, reply, payload, next_attempt_at, created_at)
SELECT d.channel, d.external_id, n.user_id, n.kind, 'n:' || n.id || '@' || d.channel || ':' || d.external_id,
       jsonb_build_object('text', n.body), n.payload, d.next_attempt_at, d.created_at
  FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
 WHERE d.status = 'pending';
UPDATE notification_deliveries SET status = 'sent', last_error = 'moved to chat_outbox' WHERE status = 'pending';

-- Inbound: an update counts as received once it is a row here; only then is it acknowledged to the
-- channel (the next getUpdates offset, the webhook's 200). handled_at is set once the engine has
-- answered it; a row the receiving process (received_by, a process boot) did not finish is handled
-- after its death by whoever sees it. PIN-shaped texts are stored redacted.
CREATE TABLE chat_updates (
  channel      text NOT NULL,
  update_key   text NOT NULL,
  external_id  text NOT NULL,
  payload      jsonb NOT NULL,
  received_by  text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  handled_at   timestamptz,
  attempts     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (channel, update_key)
);
CREATE INDEX chat_updates_unhandled ON chat_updates (received_at) WHERE handled_at IS NULL;

-- When the chat last took a PIN: a PIN-looking message just after it is deleted too (a second
-- PIN typed quickly).
ALTER TABLE chat_sessions ADD COLUMN pin_taken_at timestamptz;
-- Whether an input's handling finished (its replies are in the outbox); a claimed, unfinished
-- input whose handler died is handled again.
-- claimed_by is the process boot handling it.
ALTER TABLE chat_inputs ADD COLUMN handled_at timestamptz, ADD COLUMN claimed_by text;
UPDATE chat_inputs SET handled_at = received_at;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE chat_inputs DROP COLUMN IF EXISTS handled_at, DROP COLUMN IF EXISTS claimed_by;
ALTER TABLE chat_sessions DROP COLUMN IF EXISTS pin_taken_at;
DROP TABLE IF EXISTS chat_updates;
DROP TABLE IF EXISTS chat_outbox;
`.execute(db);
}
