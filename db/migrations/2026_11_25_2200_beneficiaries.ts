import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Saved recipients ("beneficiaries"): the numbers, meters and smartcards a person buys for again,
-- offered first when a flow asks for one. One row per (user, service, recipient); buying for it again
-- only moves last_used_at, so the list stays ordered by what the person actually uses.
CREATE TABLE beneficiaries (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id),
  service       text NOT NULL CHECK (service IN ('airtime', 'data', 'electricity', 'cable')),
  -- Phone (airtime, data), meter number (electricity) or smartcard / IUC (cable): digits only.
  recipient     text NOT NULL CHECK (recipient ~ '^[0-9]{6,13}$'),
  -- airtime/data: the network; electricity: the DisCo; cable: the provider.
  provider      text,
  meter_type    text CHECK (meter_type IN ('prepaid', 'postpaid')),
  label         text NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, service, recipient)
);
CREATE INDEX beneficiaries_recent ON beneficiaries (user_id, service, last_used_at DESC);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS beneficiaries`.execute(db);
}
