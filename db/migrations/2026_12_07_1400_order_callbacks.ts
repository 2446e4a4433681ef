import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Signed order callbacks for resellers (DECISIONS §71). An order remembers the API key that placed
 * it; a key may have one callback URL with its signing secret (stored encrypted: it must be read to
 * sign). When an order placed with such a key reaches a final state, a trigger writes one delivery
 * row in the same transaction as the state change, whichever code path (SQL function, service,
 * admin action) made it; UNIQUE (order_id, event) makes a second one impossible. The worker's sender
 * claims due rows under a lease and records every attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE vtu_orders ADD COLUMN api_key_id text REFERENCES api_keys(id);

-- As in 2026_12_07_0700, plus api_key_id (the key that placed the order; NULL for chats, gifts,
-- schedules and login sessions).
CREATE OR REPLACE FUNCTION vtu_insert_held_order(
  p_hold_account bigint, p_shards integer, p_key_id bigint, p_description text, p_order jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o vtu_orders%ROWTYPE;
  payer record;
  clearing_id bigint;
  new_hold bigint;
BEGIN
  o := jsonb_populate_record(NULL::vtu_orders, p_order);
  clearing_id := ledger_system_shard('system:vtu_clearing',
    CASE WHEN p_shards <= 1 THEN 0 ELSE (p_hold_account % p_shards)::integer END);
  -- Only the held account changes now; the clearing shard is touched when the hold is posted.
  SELECT a.balance - a.held AS available, a.allow_negative INTO payer
    FROM accounts a WHERE a.id = p_hold_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account not found' USING ERRCODE = 'TD404';
  END IF;
  IF NOT payer.allow_negative AND payer.available < o.price_kobo THEN
    RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'TD402',
      DETAIL = json_build_object('availableKobo', payer.available, 'requiredKobo', o.price_kobo)::text;
  END IF;
  INSERT INTO holds (account_id, destination_account_id, amount, description, idempotency_key_id)
  VALUES (p_hold_account, clearing_id, o.price_kobo, p_description, p_key_id)
  RETURNING id INTO new_hold;
  INSERT INTO vtu_orders (id, user_id, service, product_id, state, recipient, network, meter_type,
                          subscription, contact_phone, customer_name, face_amount_kobo, price_kobo,
                          hold_id, idempotency_key_id, channel, provider, next_check_at, lease_owner,
                          price_tier, api_key_id, created_at, updated_at)
  VALUES (o.id, o.user_id, o.service, o.product_id, 'held', o.recipient, o.network, o.meter_type,
          o.subscription, o.contact_phone, o.customer_name, o.face_amount_kobo, o.price_kobo,
          new_hold, p_key_id, o.channel, o.provider, o.next_check_at, o.lease_owner,
          o.price_tier, o.api_key_id, o.created_at, o.updated_at);
  RETURN o.id;
END $$;

-- One callback URL per API key. The secret is AES-256-GCM sealed by the app (never returned after
-- it is first shown); a row exists only while the callback is registered.
CREATE TABLE api_key_callbacks (
  api_key_id        text PRIMARY KEY REFERENCES api_keys(id),
  url               text NOT NULL CHECK (length(url) <= 2048),
  secret_encrypted  text NOT NULL,
  secret_rotated_at timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per order and final state (UNIQUE): what to POST, and where it stands. 'settlement' is the
-- order's settled fields at that state (as the settled notification carries them), so a delivery
-- says what was true then even if the order moved on (delivered, then reversed).
CREATE TABLE callback_deliveries (
  id                text PRIMARY KEY,
  api_key_id        text NOT NULL REFERENCES api_keys(id),
  user_id           text NOT NULL REFERENCES users(id),
  order_id          text NOT NULL REFERENCES vtu_orders(id),
  event             text NOT NULL CHECK (event IN ('order.delivered', 'order.failed', 'order.reversed')),
  settlement        jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'given_up')),
  attempts          integer NOT NULL DEFAULT 0,
  -- Attempts since first_attempt_at: the backoff counts these (a resend starts again at 30 s).
  window_attempts   integer NOT NULL DEFAULT 0,
  -- When the sender should try next; NULL once delivered or given up.
  next_attempt_at   timestamptz,
  -- The start of the current 24-hour retry window (the first attempt, or the first after a resend).
  first_attempt_at  timestamptz,
  last_attempt_at   timestamptz,
  last_status_code  integer,
  last_error        text,
  delivered_at      timestamptz,
  given_up_at       timestamptz,
  lease_owner       text,
  lease_until       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, event),
  CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX callback_deliveries_key ON callback_deliveries (api_key_id, created_at DESC, id DESC);
CREATE INDEX callback_deliveries_recent ON callback_deliveries (created_at DESC, id DESC);
CREATE INDEX callback_deliveries_user ON callback_deliveries (user_id, created_at DESC);

-- Every POST made (or refused before it left: a URL that now resolves to a private address).
CREATE TABLE callback_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  text NOT NULL REFERENCES callback_deliveries(id),
  url          text NOT NULL,
  status_code  integer,
  error        text,
  duration_ms  integer,
  started_at   timestamptz NOT NULL
);
CREATE INDEX callback_attempts_delivery ON callback_attempts (delivery_id, id);
CREATE INDEX callback_attempts_started ON callback_attempts (started_at);

-- The outbox write: in the transaction that moves an order placed with a key that has a callback
-- into a final state. The order's updated_at is the app's clock for the change (tests move it).
CREATE FUNCTION callback_enqueue_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO callback_deliveries (id, api_key_id, user_id, order_id, event, settlement, next_attempt_at, created_at)
  SELECT 'cbd_' || replace(gen_random_uuid()::text, '-', ''), c.api_key_id, NEW.user_id, NEW.id,
         'order.' || NEW.state,
         jsonb_build_object('id', NEW.id, 'state', NEW.state, 'message', NEW.message,
           'token_encrypted', NEW.token_encrypted, 'units', NEW.units, 'updated_at', NEW.updated_at,
           'delivered_at', NEW.delivered_at),
         COALESCE(NEW.updated_at, now()), COALESCE(NEW.updated_at, now())
    FROM api_key_callbacks c WHERE c.api_key_id = NEW.api_key_id
  ON CONFLICT (order_id, event) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER vtu_orders_callback_enqueue AFTER UPDATE OF state ON vtu_orders
  FOR EACH ROW WHEN (NEW.api_key_id IS NOT NULL AND NEW.state IN ('delivered', 'failed', 'reversed')
                     AND OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION callback_enqueue_order_event();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS vtu_orders_callback_enqueue ON vtu_orders;
DROP FUNCTION IF EXISTS callback_enqueue_order_event;
DROP TABLE IF EXISTS callback_attempts, callback_deliveries, api_key_callbacks;
CREATE OR REPLACE FUNCTION vtu_insert_held_order(
  p_hold_account bigint, p_shards integer, p_key_id bigint, p_description text, p_order jsonb
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o vtu_orders%ROWTYPE;
  payer record;
  clearing_id bigint;
  new_hold bigint;
BEGIN
  o := jsonb_populate_record(NULL::vtu_orders, p_order);
  clearing_id := ledger_system_shard('system:vtu_clearing',
    CASE WHEN p_shards <= 1 THEN 0 ELSE (p_hold_account % p_shards)::integer END);
  SELECT a.balance - a.held AS available, a.allow_negative INTO payer
    FROM accounts a WHERE a.id = p_hold_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'account not found' USING ERRCODE = 'TD404';
  END IF;
  IF NOT payer.allow_negative AND payer.available < o.price_kobo THEN
    RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'TD402',
      DETAIL = json_build_object('availableKobo', payer.available, 'requiredKobo', o.price_kobo)::text;
  END IF;
  INSERT INTO holds (account_id, destination_account_id, amount, description, idempotency_key_id)
  VALUES (p_hold_account, clearing_id, o.price_kobo, p_description, p_key_id)
  RETURNING id INTO new_hold;
  INSERT INTO vtu_orders (id, user_id, service, product_id, state, recipient, network, meter_type,
                          subscription, contact_phone, customer_name, face_amount_kobo, price_kobo,
                          hold_id, idempotency_key_id, channel, provider, next_check_at, lease_owner,
                          price_tier, created_at, updated_at)
  VALUES (o.id, o.user_id, o.service, o.product_id, 'held', o.recipient, o.network, o.meter_type,
          o.subscription, o.contact_phone, o.customer_name, o.face_amount_kobo, o.price_kobo,
          new_hold, p_key_id, o.channel, o.provider, o.next_check_at, o.lease_owner,
          o.price_tier, o.created_at, o.updated_at);
  RETURN o.id;
END $$;
ALTER TABLE vtu_orders DROP COLUMN IF EXISTS api_key_id;
`.execute(db);
}
