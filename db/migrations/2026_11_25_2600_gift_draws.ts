import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Who joined a random-draw room. One entry per number, device and account (S12), like claims.
CREATE TABLE gift_draw_entries (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id           text NOT NULL REFERENCES gift_rooms(id),
  recipient_msisdn  text NOT NULL,
  network           text,
  device_hash       text NOT NULL,
  user_id           text REFERENCES users(id),
  outcome           text NOT NULL DEFAULT 'waiting' CHECK (outcome IN ('waiting', 'won', 'lost', 'undeliverable')),
  claim_id          bigint REFERENCES gift_claims(id),
  joined_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (room_id, recipient_msisdn),
  UNIQUE (room_id, device_hash)
);
CREATE UNIQUE INDEX gift_draw_entries_one_per_account ON gift_draw_entries (room_id, user_id) WHERE user_id IS NOT NULL;

-- The record of a draw, enough to audit it: the participants in entry order, the random seed, and
-- the winners. Re-running the documented procedure on (participants, seed) gives the same winners.
CREATE TABLE gift_draws (
  room_id       text PRIMARY KEY REFERENCES gift_rooms(id),
  seed_hex      text NOT NULL,
  participants  jsonb NOT NULL,
  winners       jsonb NOT NULL,
  drawn_at      timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS gift_draws, gift_draw_entries`.execute(db);
}
