import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Loyalty points (issue 18 §2), README "Points" and DECISIONS §63.
 *
 * - `point_entries` is the point ledger: append-only (a trigger refuses UPDATE and DELETE), one row
 *   per change with what caused it (an order, a referral reward, an admin, a redemption key, an
 *   expiry) and the balance after it. An order earns once and is reversed once (unique indexes);
 *   a redemption is once per customer and Idempotency-Key.
 * - `point_accounts` holds each customer's balance: the row every change locks, so two
 *   redemptions of the same points are one after the other and the second sees what is left.
 * - Points are a promise the business owes: each row with a value moves `value_kobo` between
 *   `system:promotions` (what the promise costs) and `system:points_liability` (what is owed), or
 *   from the liability to the customer's wallet on redemption. Check P1 ties the two together.
 * - `reward_events` is written by a trigger in the transaction that delivers or reverses an order,
 *   so no delivery is missed and none is seen twice; the rewards sweeper takes each event once
 *   (FOR UPDATE SKIP LOCKED, deleted in the transaction that books its points).
 * - `points_settings`: the rates an admin may change (absent until first saved: config defaults).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE point_accounts (
  user_id     text PRIMARY KEY REFERENCES users(id),
  balance     integer NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE point_entries (
  id                  text PRIMARY KEY,
  -- The order rows were written in (under the customer's lock): a customer's statement and running
  -- balance follow it. (Ids are time-ordered only to the millisecond.)
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  user_id             text NOT NULL REFERENCES point_accounts(user_id),
  kind                text NOT NULL CHECK (kind IN ('earn', 'referral', 'bonus', 'reverse', 'expire', 'redeem')),
  points              integer NOT NULL CHECK (points <> 0),
  balance_after       integer NOT NULL,
  value_kobo          bigint NOT NULL,
  order_id            text REFERENCES vtu_orders(id),
  referral_reward_id  text REFERENCES referral_rewards(id),
  reverses_id         text REFERENCES point_entries(id),
  idempotency_key     text CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  entry_id            bigint REFERENCES journal_entries(id),
  redeemed_for        text CHECK (redeemed_for IN ('wallet', 'airtime', 'data')),
  credit_kobo         bigint CHECK (credit_kobo > 0),
  actor               text NOT NULL,
  reason              text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind IN ('earn', 'referral', 'bonus')) = (points > 0)),
  CHECK (sign(value_kobo) IN (0, sign(points))),
  CHECK ((value_kobo = 0) = (entry_id IS NULL)),
  CHECK (kind <> 'earn' OR order_id IS NOT NULL),
  CHECK (kind <> 'referral' OR referral_reward_id IS NOT NULL),
  CHECK (kind <> 'reverse' OR reverses_id IS NOT NULL),
  CHECK ((kind = 'redeem') = (idempotency_key IS NOT NULL AND redeemed_for IS NOT NULL AND credit_kobo IS NOT NULL)),
  CHECK (kind <> 'bonus' OR reason IS NOT NULL)
);
CREATE INDEX point_entries_user ON point_entries (user_id, seq);
CREATE UNIQUE INDEX point_entries_one_earn_per_order ON point_entries (order_id) WHERE kind = 'earn';
CREATE UNIQUE INDEX point_entries_one_per_referral ON point_entries (referral_reward_id) WHERE kind = 'referral';
CREATE UNIQUE INDEX point_entries_one_reversal ON point_entries (reverses_id);
CREATE UNIQUE INDEX point_entries_redeem_key ON point_entries (user_id, idempotency_key);
CREATE INDEX point_entries_day ON point_entries (created_at);

CREATE FUNCTION point_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'point_entries is append-only: write a new row (a reversal) instead';
END $$;
CREATE TRIGGER point_entries_append_only BEFORE UPDATE OR DELETE ON point_entries
  FOR EACH ROW EXECUTE FUNCTION point_entries_append_only();

-- What the business owes for points not yet redeemed, expired or reversed (valued when written).
INSERT INTO accounts (code, kind, allow_negative, system_code, shard)
VALUES ('system:points_liability', 'system', true, 'system:points_liability', 0);

CREATE TABLE reward_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id    text NOT NULL REFERENCES vtu_orders(id),
  event       text NOT NULL CHECK (event IN ('delivered', 'reversed')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Only own purchases earn (a gift claim's order is paid by the room: no points for anybody).
CREATE FUNCTION vtu_orders_reward_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reward_events (order_id, event) VALUES (NEW.id, NEW.state);
  RETURN NULL;
END $$;
CREATE TRIGGER vtu_orders_reward_event AFTER UPDATE OF state ON vtu_orders
  FOR EACH ROW
  WHEN (NEW.state IN ('delivered', 'reversed') AND OLD.state IS DISTINCT FROM NEW.state AND NEW.channel <> 'gift')
  EXECUTE FUNCTION vtu_orders_reward_event();

CREATE TABLE points_settings (
  id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
  earn_airtime        integer NOT NULL CHECK (earn_airtime BETWEEN 0 AND 1000),
  earn_data           integer NOT NULL CHECK (earn_data BETWEEN 0 AND 1000),
  earn_cable          integer NOT NULL CHECK (earn_cable BETWEEN 0 AND 1000),
  earn_electricity    integer NOT NULL CHECK (earn_electricity BETWEEN 0 AND 1000),
  referral_points     integer NOT NULL CHECK (referral_points BETWEEN 0 AND 1000000),
  point_value_kobo    integer NOT NULL CHECK (point_value_kobo BETWEEN 1 AND 10000),
  min_redeem_points   integer NOT NULL CHECK (min_redeem_points BETWEEN 1 AND 1000000),
  expiry_days         integer NOT NULL CHECK (expiry_days BETWEEN 1 AND 3650),
  updated_by          text NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS points_settings;
DROP TRIGGER IF EXISTS vtu_orders_reward_event ON vtu_orders;
DROP FUNCTION IF EXISTS vtu_orders_reward_event();
DROP TABLE IF EXISTS reward_events;
DROP TABLE IF EXISTS point_entries;
DROP FUNCTION IF EXISTS point_entries_append_only();
DROP TABLE IF EXISTS point_accounts;
DELETE FROM accounts WHERE system_code = 'system:points_liability' AND version = 0;
`.execute(db);
}
