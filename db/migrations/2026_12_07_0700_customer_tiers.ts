import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Customer tiers with their own prices (issue 18 §3, DECISIONS §62). A tier has a rank, the rolling
 * delivered volume that earns it automatically, and per service a margin that replaces the service's
 * pricing rule for its customers (null: the service rule). A customer is never charged more than the
 * Regular price (the service code applies min(tier price, regular price)).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE customer_tiers (
  code                      text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,29}$'),
  name                      text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  rank                      integer NOT NULL UNIQUE CHECK (rank BETWEEN 0 AND 100),
  min_volume_kobo           bigint NOT NULL CHECK (min_volume_kobo BETWEEN 0 AND 100000000000),
  airtime_margin_type       text CHECK (airtime_margin_type IN ('flat', 'percent')),
  airtime_margin_value      bigint CHECK (airtime_margin_value BETWEEN 0 AND 100000000),
  data_margin_type          text CHECK (data_margin_type IN ('flat', 'percent')),
  data_margin_value         bigint CHECK (data_margin_value BETWEEN 0 AND 100000000),
  cable_margin_type         text CHECK (cable_margin_type IN ('flat', 'percent')),
  cable_margin_value        bigint CHECK (cable_margin_value BETWEEN 0 AND 100000000),
  electricity_margin_type   text CHECK (electricity_margin_type IN ('flat', 'percent')),
  electricity_margin_value  bigint CHECK (electricity_margin_value BETWEEN 0 AND 100000000),
  updated_by                text,
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CHECK ((airtime_margin_type IS NULL) = (airtime_margin_value IS NULL)),
  CHECK ((data_margin_type IS NULL) = (data_margin_value IS NULL)),
  CHECK ((cable_margin_type IS NULL) = (cable_margin_value IS NULL)),
  CHECK ((electricity_margin_type IS NULL) = (electricity_margin_value IS NULL))
);

-- The defaults (a super admin changes them in the panel, audited). margin_value as pricing_rules:
-- kobo for 'flat', basis points of the cost for 'percent'.
INSERT INTO customer_tiers (code, name, rank, min_volume_kobo,
    airtime_margin_type, airtime_margin_value, data_margin_type, data_margin_value,
    cable_margin_type, cable_margin_value, electricity_margin_type, electricity_margin_value) VALUES
  ('regular',     'Regular',     0, 0,        NULL, NULL,        NULL, NULL,        NULL, NULL,       NULL, NULL),
  ('smart_buyer', 'Smart Buyer', 1, 5000000,  'percent', 50,     'percent', 300,    'flat', 3000,     'flat', 5000),
  ('reseller',    'Reseller',    2, 30000000, 'percent', 0,      'percent', 150,    'flat', 1000,     'flat', 2000);

-- The customer's tier; tier_set_by_admin is the admin who fixed it (null: automatic, from volume).
ALTER TABLE users
  ADD COLUMN tier text NOT NULL DEFAULT 'regular' REFERENCES customer_tiers (code) ON UPDATE CASCADE,
  ADD COLUMN tier_set_by_admin text,
  ADD COLUMN tier_changed_at timestamptz;

-- The tier an order was priced at (null for orders from before tiers). A historical fact: no FK.
ALTER TABLE vtu_orders ADD COLUMN price_tier text;

-- The tier sweep sums each customer's delivered orders of the last days.
CREATE INDEX vtu_orders_delivered_at ON vtu_orders (delivered_at) WHERE state = 'delivered';

-- As in 2026_12_06_1600, plus price_tier.
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
                          price_tier, created_at, updated_at)
  VALUES (o.id, o.user_id, o.service, o.product_id, 'held', o.recipient, o.network, o.meter_type,
          o.subscription, o.contact_phone, o.customer_name, o.face_amount_kobo, o.price_kobo,
          new_hold, p_key_id, o.channel, o.provider, o.next_check_at, o.lease_owner,
          o.price_tier, o.created_at, o.updated_at);
  RETURN o.id;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
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
                          created_at, updated_at)
  VALUES (o.id, o.user_id, o.service, o.product_id, 'held', o.recipient, o.network, o.meter_type,
          o.subscription, o.contact_phone, o.customer_name, o.face_amount_kobo, o.price_kobo,
          new_hold, p_key_id, o.channel, o.provider, o.next_check_at, o.lease_owner,
          o.created_at, o.updated_at);
  RETURN o.id;
END $$;
DROP INDEX IF EXISTS vtu_orders_delivered_at;
ALTER TABLE vtu_orders DROP COLUMN IF EXISTS price_tier;
ALTER TABLE users DROP COLUMN IF EXISTS tier, DROP COLUMN IF EXISTS tier_set_by_admin,
  DROP COLUMN IF EXISTS tier_changed_at;
DROP TABLE IF EXISTS customer_tiers;
`.execute(db);
}
