import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Operational alerts for the people on call. One open row per condition (key): a condition that
-- keeps happening bumps count and last_at instead of flooding the chats; it is resolved when the
-- condition clears (or an admin resolves it), and a later recurrence opens a new row. Each chat
-- channel (Telegram, WhatsApp — possibly separate processes) claims an alert once for sending.
CREATE TABLE admin_alerts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL,
  key          text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('warning', 'critical')),
  title        text NOT NULL,
  body         text NOT NULL,
  count        integer NOT NULL DEFAULT 1,
  first_at     timestamptz NOT NULL DEFAULT now(),
  last_at      timestamptz NOT NULL DEFAULT now(),
  notified_channels text[] NOT NULL DEFAULT '{}',
  resolved_at  timestamptz,
  resolved_by  text
);
CREATE UNIQUE INDEX admin_alerts_open_key ON admin_alerts (key) WHERE resolved_at IS NULL;
CREATE INDEX admin_alerts_open ON admin_alerts (first_at) WHERE resolved_at IS NULL;

-- Where each admin wants alerts: their own Telegram chat id and/or WhatsApp number.
ALTER TABLE admin_users ADD COLUMN alert_telegram_chat_id text, ADD COLUMN alert_whatsapp_phone text;

-- Admin API keys (/api/admin/*): an admin's credential for scripts, with that admin's role.
CREATE TABLE admin_api_keys (
  id            text PRIMARY KEY,
  admin_id      text NOT NULL REFERENCES admin_users(id),
  name          text NOT NULL,
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_api_keys_admin ON admin_api_keys (admin_id);

-- How long each provider call took, for the latency metrics and the slow-provider view.
ALTER TABLE vtu_provider_exchanges ADD COLUMN duration_ms integer;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE vtu_provider_exchanges DROP COLUMN IF EXISTS duration_ms;
DROP TABLE IF EXISTS admin_api_keys;
ALTER TABLE admin_users DROP COLUMN IF EXISTS alert_telegram_chat_id, DROP COLUMN IF EXISTS alert_whatsapp_phone;
DROP TABLE IF EXISTS admin_alerts;
`.execute(db);
}
