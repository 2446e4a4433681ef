import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- ───────────────────────── catalogue ─────────────────────────
-- Providers we can route to. Rows are registered at start-up from the configuration; admins may
-- disable one or change the failover order (lower priority first).
CREATE TABLE vtu_providers (
  code              text PRIMARY KEY,
  name              text NOT NULL,
  enabled           boolean NOT NULL DEFAULT true,
  priority          integer NOT NULL DEFAULT 100,
  last_synced_at    timestamptz,
  last_sync_error   text,
  float_kobo        bigint,
  float_checked_at  timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Selling price = provider cost + margin (DESIGN §6). margin_value is kobo for 'flat' and basis
-- points of the cost for 'percent'.
CREATE TABLE pricing_rules (
  service       text PRIMARY KEY CHECK (service IN ('airtime', 'data', 'cable', 'electricity')),
  margin_type   text NOT NULL CHECK (margin_type IN ('flat', 'percent')),
  margin_value  bigint NOT NULL CHECK (margin_value >= 0 AND margin_value <= 100000000),
  updated_by    text,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pricing_rules (service, margin_type, margin_value) VALUES
  ('airtime', 'percent', 100),
  ('data', 'percent', 500),
  ('cable', 'flat', 5000),
  ('electricity', 'flat', 10000);

-- Our own products, keyed canonically so one product maps to each provider's id (failover).
--   airtime:mtn · data:mtn:1024mb:30d:sme · cable:dstv:compact · electricity:ikeja
CREATE TABLE catalogue_products (
  id             text PRIMARY KEY,
  service        text NOT NULL CHECK (service IN ('airtime', 'data', 'cable', 'electricity')),
  network        text CHECK (network IN ('mtn', 'airtel', 'glo', '9mobile')),
  biller         text,
  name           text NOT NULL,
  size_mb        integer CHECK (size_mb > 0),
  validity_days  integer CHECK (validity_days > 0),
  family         text,
  enabled        boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((service IN ('airtime', 'data')) = (network IS NOT NULL)),
  CHECK ((service IN ('cable', 'electricity')) = (biller IS NOT NULL))
);
CREATE INDEX catalogue_products_service ON catalogue_products (service, network, biller);

-- What each provider calls a product and what it costs us there. Data plans carry a cost; airtime,
-- electricity and cable carry the provider's discount (cable also its face price).
CREATE TABLE provider_products (
  provider             text NOT NULL REFERENCES vtu_providers(code),
  product_id           text NOT NULL REFERENCES catalogue_products(id),
  provider_product_id  text NOT NULL,
  provider_name        text,
  cost_kobo            bigint CHECK (cost_kobo > 0),
  face_amount_kobo     bigint CHECK (face_amount_kobo > 0),
  discount_bps         integer NOT NULL DEFAULT 0 CHECK (discount_bps BETWEEN 0 AND 5000),
  available            boolean NOT NULL DEFAULT true,
  synced_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, product_id)
);

-- ───────────────────────── orders ─────────────────────────
-- State machine (DESIGN §6): held → submitting → delivered | failed | pending | unknown;
-- pending/unknown → (requery) → delivered | failed; too long unresolved → manual_review (funds
-- still held); delivered → reversed when the provider reverses it (refunded once).
CREATE TABLE vtu_orders (
  id                  text PRIMARY KEY,
  user_id             text NOT NULL REFERENCES users(id),
  service             text NOT NULL CHECK (service IN ('airtime', 'data', 'cable', 'electricity')),
  product_id          text NOT NULL REFERENCES catalogue_products(id),
  state               text NOT NULL CHECK (state IN ('held', 'submitting', 'pending', 'unknown',
                        'delivered', 'failed', 'manual_review', 'reversed')),
  recipient           text NOT NULL,
  network             text CHECK (network IN ('mtn', 'airtel', 'glo', '9mobile')),
  meter_type          text CHECK (meter_type IN ('prepaid', 'postpaid')),
  subscription        text CHECK (subscription IN ('renew', 'change')),
  contact_phone       text,
  customer_name       text,
  face_amount_kobo    bigint NOT NULL CHECK (face_amount_kobo > 0),
  price_kobo          bigint NOT NULL CHECK (price_kobo > 0),
  cost_kobo           bigint CHECK (cost_kobo > 0),
  provider            text,
  hold_id             bigint NOT NULL UNIQUE REFERENCES holds(id),
  settle_entry_id     bigint UNIQUE REFERENCES journal_entries(id),
  reversal_entry_id   bigint UNIQUE REFERENCES journal_entries(id),
  idempotency_key_id  bigint REFERENCES idempotency_keys(id),
  channel             text NOT NULL DEFAULT 'api',
  token_encrypted     text,
  units               text,
  message             text,
  requery_count       integer NOT NULL DEFAULT 0,
  -- When the sweeper should next act (submit, requery); NULL once nothing is left to do.
  next_check_at       timestamptz,
  unresolved_since    timestamptz,
  delivered_at        timestamptz,
  failed_at           timestamptz,
  reversed_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'delivered' OR state = 'reversed') = (settle_entry_id IS NOT NULL)),
  CHECK ((state = 'reversed') = (reversal_entry_id IS NOT NULL))
);
CREATE INDEX vtu_orders_user ON vtu_orders (user_id, created_at DESC, id DESC);
CREATE INDEX vtu_orders_due ON vtu_orders (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX vtu_orders_state ON vtu_orders (state, created_at);

-- One row per request sent (or about to be sent) to a provider. The row and its request_id are
-- committed before the first byte goes out (P1).
CREATE TABLE vtu_attempts (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id            text NOT NULL REFERENCES vtu_orders(id),
  attempt_no          smallint NOT NULL CHECK (attempt_no > 0),
  provider            text NOT NULL REFERENCES vtu_providers(code),
  provider_product_id text NOT NULL,
  request_id          text NOT NULL UNIQUE,
  state               text NOT NULL CHECK (state IN ('submitting', 'pending', 'unknown', 'delivered', 'failed')),
  provider_reference  text,
  retry_elsewhere     boolean,
  message             text,
  cost_kobo           bigint,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, attempt_no)
);
-- P2: at most one attempt of an order is in flight or delivered at any time.
CREATE UNIQUE INDEX vtu_attempts_one_live ON vtu_attempts (order_id)
  WHERE state IN ('submitting', 'pending', 'unknown', 'delivered');
CREATE INDEX vtu_attempts_reference ON vtu_attempts (provider, provider_reference)
  WHERE provider_reference IS NOT NULL;

-- Every exchange with a provider about an attempt (submit, requery, webhook), raw, for support.
CREATE TABLE vtu_provider_exchanges (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attempt_id  bigint NOT NULL REFERENCES vtu_attempts(id),
  kind        text NOT NULL CHECK (kind IN ('submit', 'requery')),
  outcome     text NOT NULL,
  message     text,
  raw         jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vtu_provider_exchanges_attempt ON vtu_provider_exchanges (attempt_id, id);

-- Provider webhooks, kept as received. They only schedule a requery; nothing trusts them.
CREATE TABLE provider_webhook_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider     text NOT NULL,
  payload      jsonb NOT NULL,
  order_id     text REFERENCES vtu_orders(id),
  received_at  timestamptz NOT NULL DEFAULT now()
);

-- ───────────────────────── sandbox provider ─────────────────────────
-- The sandbox provider's own books (it plays an outside company): what it received and vended.
CREATE TABLE sandbox_vtu_transactions (
  provider      text NOT NULL,
  request_id    text NOT NULL,
  reference     text NOT NULL UNIQUE,
  service       text NOT NULL,
  recipient     text NOT NULL,
  amount_kobo   bigint NOT NULL,
  product       text,
  scenario      text NOT NULL,
  status        text NOT NULL CHECK (status IN ('processing', 'success', 'failed', 'reversed', 'not_processed')),
  token         text,
  resolve_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, request_id)
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS sandbox_vtu_transactions, provider_webhook_events, vtu_provider_exchanges, vtu_attempts,
  vtu_orders, provider_products, catalogue_products, pricing_rules, vtu_providers CASCADE;
`.execute(db);
}
