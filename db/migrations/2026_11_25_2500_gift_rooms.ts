import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A gift room: N gifts paid for up front into the room's own escrow account (kind 'system', never
-- negative), claimed through a link. claimed counts live claims (a definite vend failure frees its
-- slot); the CHECK is the last line of R1.
CREATE TABLE gift_rooms (
  id                 text PRIMARY KEY,
  creator_id         text NOT NULL REFERENCES users(id),
  token              text NOT NULL UNIQUE,
  kind               text NOT NULL CHECK (kind IN ('airtime', 'data', 'cash')),
  -- airtime: face amount per gift; data: the plan (network fixed by the plan); cash: the amount.
  amount_kobo        bigint NOT NULL CHECK (amount_kobo > 0),
  plan_id            text,
  network            text,
  -- What one gift costs the creator (escrowed per gift).
  gift_price_kobo    bigint NOT NULL CHECK (gift_price_kobo > 0),
  capacity           integer NOT NULL CHECK (capacity > 0),
  claimed            integer NOT NULL DEFAULT 0,
  mode               text NOT NULL CHECK (mode IN ('first_come', 'random_draw', 'quiz')),
  quiz_question      text,
  quiz_answers       jsonb,
  draw_at            timestamptz,
  message            text NOT NULL DEFAULT '',
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'drawing', 'closed')),
  expires_at         timestamptz NOT NULL,
  escrow_account_id  bigint NOT NULL UNIQUE REFERENCES accounts(id),
  funding_entry_id   bigint NOT NULL REFERENCES journal_entries(id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  closed_at          timestamptz,
  CHECK (claimed >= 0 AND claimed <= capacity),
  CHECK ((kind = 'data') = (plan_id IS NOT NULL)),
  CHECK ((mode = 'quiz') = (quiz_question IS NOT NULL AND quiz_answers IS NOT NULL)),
  CHECK ((mode = 'random_draw') = (draw_at IS NOT NULL))
);
CREATE INDEX gift_rooms_creator ON gift_rooms (creator_id, created_at DESC);
CREATE INDEX gift_rooms_open_expiry ON gift_rooms (expires_at) WHERE status <> 'closed';

-- One row per claim. Live claims are unique per room on the number, the device and the account
-- (S12); a claim whose vend failed for good is 'failed' and no longer blocks a retry.
CREATE TABLE gift_claims (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room_id           text NOT NULL REFERENCES gift_rooms(id),
  recipient_msisdn  text NOT NULL,
  device_hash       text NOT NULL,
  claimer_user_id   text REFERENCES users(id),
  state             text NOT NULL CHECK (state IN ('ordered', 'delivered', 'credited', 'failed')),
  order_id          text REFERENCES vtu_orders(id),
  credit_entry_id   bigint REFERENCES journal_entries(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX gift_claims_one_per_number ON gift_claims (room_id, recipient_msisdn) WHERE state <> 'failed';
CREATE UNIQUE INDEX gift_claims_one_per_device ON gift_claims (room_id, device_hash) WHERE state <> 'failed';
CREATE UNIQUE INDEX gift_claims_one_per_account ON gift_claims (room_id, claimer_user_id)
  WHERE state <> 'failed' AND claimer_user_id IS NOT NULL;
CREATE UNIQUE INDEX gift_claims_order ON gift_claims (order_id) WHERE order_id IS NOT NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS gift_claims, gift_rooms`.execute(db);
}
