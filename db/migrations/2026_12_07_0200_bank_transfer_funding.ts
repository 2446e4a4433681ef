import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Funding by bank transfer (issue 17): a customer's KYC (the BVN, encrypted), one-time KYC page
 * links, the virtual accounts the gateway issued (static per customer, dynamic per payment), every
 * transfer that came in (credited once, or held in the suspense account for people to decide), and
 * the sandbox gateway's side of it (the accounts it issued, transfers as attempts on their tx_ref).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The BVN never in clear: AES-256-GCM (KYC_ENCRYPTION_KEY), the last 3 digits to show, and a keyed
-- fingerprint (HMAC) so one BVN on two customers can be found without decrypting anything.
CREATE TABLE user_kyc (
  user_id          text PRIMARY KEY REFERENCES users(id),
  bvn_ciphertext   text NOT NULL,
  bvn_last3        char(3) NOT NULL CHECK (bvn_last3 ~ '^[0-9]{3}$'),
  bvn_fingerprint  text NOT NULL,
  first_name       text,
  last_name        text,
  submitted_at     timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_kyc_fingerprint ON user_kyc (bvn_fingerprint);

-- One-time links to the KYC page (like pin_links): the token only as a hash; used once.
CREATE TABLE kyc_links (
  id          text PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  user_id     text NOT NULL REFERENCES users(id),
  channel     text NOT NULL,
  user_ref    text NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kyc_links_user ON kyc_links (user_id) WHERE used_at IS NULL;

-- A virtual account: the row (and its tx_ref) is committed before the gateway is asked, so an
-- answer that never came is asked again with the same tx_ref, and a transfer naming it always finds
-- its owner. static: one per customer while requested or active. dynamic: one payment of total_kobo.
CREATE TABLE virtual_accounts (
  id               text PRIMARY KEY,
  user_id          text NOT NULL REFERENCES users(id),
  gateway          text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('static', 'dynamic')),
  tx_ref           text NOT NULL UNIQUE,
  status           text NOT NULL DEFAULT 'requested'
                   CHECK (status IN ('requested', 'active', 'refused', 'expired', 'closed')),
  account_number   text,
  bank_name        text,
  account_name     text,
  order_ref        text,
  flw_ref          text,
  amount_kobo      bigint CHECK (amount_kobo > 0),
  fee_kobo         bigint CHECK (fee_kobo >= 0),
  total_kobo       bigint CHECK (total_kobo > 0),
  expires_at       timestamptz,
  channel          text NOT NULL DEFAULT 'api',
  failure_reason   text,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  last_checked_at  timestamptz,
  closed_at        timestamptz,
  gateway_closed_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'active' OR (account_number IS NOT NULL AND bank_name IS NOT NULL)),
  CHECK (kind = 'static' OR (amount_kobo IS NOT NULL AND total_kobo IS NOT NULL))
);
CREATE UNIQUE INDEX virtual_accounts_one_static ON virtual_accounts (user_id)
  WHERE kind = 'static' AND status IN ('requested', 'active');
CREATE INDEX virtual_accounts_user ON virtual_accounts (user_id, created_at DESC);
CREATE INDEX virtual_accounts_number ON virtual_accounts (account_number);
CREATE INDEX virtual_accounts_due ON virtual_accounts (next_attempt_at) WHERE status = 'requested';

-- Every bank transfer the gateway verified as ours, once (UNIQUE gateway transaction): credited to
-- its account's owner, or held in system:transfer_suspense until an admin credits or returns it.
CREATE TABLE bank_transfers (
  id                  text PRIMARY KEY,
  gateway             text NOT NULL,
  gateway_tx_id       text NOT NULL,
  virtual_account_id  text REFERENCES virtual_accounts(id),
  user_id             text REFERENCES users(id),
  tx_ref              text NOT NULL,
  paid_kobo           bigint NOT NULL CHECK (paid_kobo > 0),
  fee_kobo            bigint NOT NULL DEFAULT 0 CHECK (fee_kobo >= 0),
  credit_kobo         bigint NOT NULL DEFAULT 0 CHECK (credit_kobo >= 0),
  currency            text NOT NULL,
  payer_name          text,
  payer_bank          text,
  payer_account       text,
  narration           text,
  status              text NOT NULL CHECK (status IN ('credited', 'suspense', 'returned')),
  suspense_reason     text,
  entry_id            bigint NOT NULL REFERENCES journal_entries(id),
  resolve_entry_id    bigint REFERENCES journal_entries(id),
  source              text NOT NULL,
  resolved_by         text,
  resolution_reason   text,
  resolved_at         timestamptz,
  received_at         timestamptz NOT NULL DEFAULT now(),
  credited_at         timestamptz,
  UNIQUE (gateway, gateway_tx_id),
  CHECK (status <> 'credited' OR (user_id IS NOT NULL AND credit_kobo + fee_kobo = paid_kobo)),
  CHECK (status <> 'suspense' OR suspense_reason IS NOT NULL)
);
CREATE INDEX bank_transfers_suspense ON bank_transfers (received_at) WHERE status = 'suspense';
CREATE INDEX bank_transfers_account ON bank_transfers (virtual_account_id, received_at);
CREATE INDEX bank_transfers_user_day ON bank_transfers (user_id, credited_at) WHERE status = 'credited';

-- Money that arrived but is nobody's yet (a wrong amount, a closed account, a blocked customer).
INSERT INTO accounts (code, kind, allow_negative, system_code, shard)
VALUES ('system:transfer_suspense', 'system', false, 'system:transfer_suspense', 0);

-- The sandbox gateway: the accounts it issued, and bank transfers as attempts on their tx_ref
-- (a static account takes many; the one-paid-attempt rule stays for card checkouts).
CREATE TABLE sandbox_gateway_accounts (
  id              bigint GENERATED ALWAYS AS IDENTITY (START WITH 3000001) PRIMARY KEY,
  tx_ref          text NOT NULL UNIQUE,
  order_ref       text NOT NULL UNIQUE,
  account_number  text NOT NULL UNIQUE,
  bank_name       text NOT NULL,
  account_name    text NOT NULL,
  permanent       boolean NOT NULL,
  amount_kobo     bigint,
  expires_at      timestamptz,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE sandbox_gateway_payments
  ADD COLUMN payment_type text NOT NULL DEFAULT 'card',
  ADD COLUMN payer_name text,
  ADD COLUMN payer_bank text,
  ADD COLUMN narration text;
DROP INDEX sandbox_gateway_payments_paid_once;
CREATE UNIQUE INDEX sandbox_gateway_payments_paid_once
  ON sandbox_gateway_payments (tx_ref) WHERE status = 'successful' AND payment_type = 'card';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP INDEX IF EXISTS sandbox_gateway_payments_paid_once;
DELETE FROM sandbox_gateway_payments WHERE payment_type <> 'card';
CREATE UNIQUE INDEX sandbox_gateway_payments_paid_once
  ON sandbox_gateway_payments (tx_ref) WHERE status = 'successful';
ALTER TABLE sandbox_gateway_payments DROP COLUMN payment_type, DROP COLUMN payer_name,
  DROP COLUMN payer_bank, DROP COLUMN narration;
DROP TABLE IF EXISTS sandbox_gateway_accounts, bank_transfers, virtual_accounts, kyc_links, user_kyc;
`.execute(db);
}
