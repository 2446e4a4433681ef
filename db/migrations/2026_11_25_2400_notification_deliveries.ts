import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A notification is 'dispatched' once it has one delivery row per chat the user has, or
-- 'undeliverable' when the user has no chat (an API-only customer).
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
  CHECK (status IN ('pending', 'dispatched', 'undeliverable', 'sent', 'failed'));

-- One message to one chat. 'sending' is taken under a lease; a lease that runs out means the
-- process died mid-send and we cannot know whether the chat got it, so it is never sent again
-- ('unknown'): a notification may be lost after a crash but is never delivered twice.
CREATE TABLE notification_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  notification_id  bigint NOT NULL REFERENCES notifications(id),
  channel          text NOT NULL,
  external_id      text NOT NULL,
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  UNIQUE (notification_id, channel, external_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (channel, next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX notification_deliveries_leased ON notification_deliveries (lease_until)
  WHERE status = 'sending';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS notification_deliveries;
UPDATE notifications SET status = 'sent' WHERE status IN ('dispatched', 'undeliverable');
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
  CHECK (status IN ('pending', 'sent', 'failed'));
`.execute(db);
}
