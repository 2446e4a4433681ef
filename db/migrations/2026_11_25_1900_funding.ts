import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A customer's intention to put money in: our tx_ref, what they will be charged, and, once a
-- verified payment arrives, the one credit it produced (W3: UNIQUE tx_ref, gateway id, entry).
CREATE TABLE funding_intents (
  id                 text PRIMARY KEY,
  user_id            text NOT NULL REFERENCES users(id),
  tx_ref             text NOT NULL UNIQUE,
  gateway            text NOT NULL,
  amount_kobo        bigint NOT NULL CHECK (amount_kobo > 0),
  fee_kobo           bigint NOT NULL DEFAULT 0 CHECK (fee_kobo >= 0),
  total_kobo         bigint NOT NULL CHECK (total_kobo = amount_kobo + fee_kobo),
  currency           char(3) NOT NULL DEFAULT 'NGN',
  status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'credited', 'failed', 'manual_review')),
  checkout_link      text,
  channel            text NOT NULL DEFAULT 'api',
  expires_at         timestamptz NOT NULL,
  gateway_tx_id      text UNIQUE,
  paid_kobo          bigint,
  credit_entry_id    bigint UNIQUE REFERENCES journal_entries(id),
  failure_reason     text,
  idempotency_key_id bigint REFERENCES idempotency_keys(id),
  last_checked_at    timestamptz,
  credited_at        timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'credited') = (credit_entry_id IS NOT NULL))
);
CREATE INDEX funding_intents_user ON funding_intents (user_id, created_at DESC);
CREATE INDEX funding_intents_pending ON funding_intents (created_at) WHERE status = 'pending';

-- Every authenticated gateway webhook, once (W4): the inbox is what makes a replay harmless.
CREATE TABLE payment_webhook_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  gateway       text NOT NULL,
  event_key     text NOT NULL UNIQUE,
  event         text NOT NULL,
  scheme        text NOT NULL,
  payload       jsonb NOT NULL,
  deliveries    integer NOT NULL DEFAULT 1,
  outcome       text,
  processed_at  timestamptz,
  received_at   timestamptz NOT NULL DEFAULT now()
);

-- Money out to a bank account: held, then posted when the transfer succeeds or voided when it fails.
CREATE TABLE withdrawals (
  id                 text PRIMARY KEY,
  user_id            text NOT NULL REFERENCES users(id),
  reference          text NOT NULL UNIQUE,
  gateway            text NOT NULL,
  bank_code          text NOT NULL,
  bank_name          text,
  account_number     text NOT NULL CHECK (account_number ~ '^[0-9]{10}$'),
  account_name       text NOT NULL,
  amount_kobo        bigint NOT NULL CHECK (amount_kobo > 0),
  fee_kobo           bigint NOT NULL DEFAULT 0 CHECK (fee_kobo >= 0),
  state              text NOT NULL CHECK (state IN ('held', 'submitting', 'pending', 'unknown', 'successful', 'failed')),
  hold_id            bigint NOT NULL UNIQUE REFERENCES holds(id),
  settle_entry_id    bigint UNIQUE REFERENCES journal_entries(id),
  transfer_id        text,
  message            text,
  idempotency_key_id bigint REFERENCES idempotency_keys(id),
  next_check_at      timestamptz,
  requery_count      integer NOT NULL DEFAULT 0,
  completed_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'successful') = (settle_entry_id IS NOT NULL))
);
CREATE INDEX withdrawals_user ON withdrawals (user_id, created_at DESC);
CREATE INDEX withdrawals_due ON withdrawals (next_check_at) WHERE next_check_at IS NOT NULL;

-- The sandbox gateway's own books (it plays Flutterwave): checkouts and transfers.
CREATE TABLE sandbox_gateway_payments (
  id           bigint GENERATED ALWAYS AS IDENTITY (START WITH 7000001) PRIMARY KEY,
  tx_ref       text NOT NULL UNIQUE,
  amount_kobo  bigint NOT NULL,
  currency     char(3) NOT NULL DEFAULT 'NGN',
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'successful', 'failed')),
  customer_email text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  paid_at      timestamptz
);
CREATE TABLE sandbox_gateway_transfers (
  id              bigint GENERATED ALWAYS AS IDENTITY (START WITH 9000001) PRIMARY KEY,
  reference       text NOT NULL UNIQUE,
  bank_code       text NOT NULL,
  account_number  text NOT NULL,
  amount_kobo     bigint NOT NULL,
  status          text NOT NULL CHECK (status IN ('NEW', 'SUCCESSFUL', 'FAILED')),
  resolve_at      timestamptz,
  final_status    text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS sandbox_gateway_transfers, sandbox_gateway_payments, withdrawals, payment_webhook_events,
  funding_intents CASCADE;
`.execute(db);
}
