import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- ───────────────────────── users and identities ─────────────────────────
CREATE TABLE users (
  id                  text PRIMARY KEY,
  display_name        text,
  phone               text UNIQUE CHECK (phone ~ '^0[789][01][0-9]{8}$'),
  email               text CHECK (email IS NULL OR email = lower(email)),
  password_hash       text,
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
  verification_level  smallint NOT NULL DEFAULT 0 CHECK (verification_level BETWEEN 0 AND 3),
  referral_code       text NOT NULL UNIQUE,
  referred_by         text REFERENCES users(id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL;

CREATE TABLE identities (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users(id),
  channel      text NOT NULL CHECK (channel IN ('telegram', 'whatsapp', 'web', 'api')),
  external_id  text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, external_id),
  -- One identity per channel per person: a second Telegram account is a second person.
  UNIQUE (user_id, channel)
);

CREATE TABLE link_codes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id),
  code_hash   text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  used_by_identity_id bigint REFERENCES identities(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- ───────────────────────── credentials ─────────────────────────
CREATE TABLE user_pins (
  user_id          text PRIMARY KEY REFERENCES users(id),
  pin_hash         text NOT NULL,
  failed_attempts  integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until     timestamptz,
  lockouts         integer NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pin_reset_codes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id),
  code_hash   text NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pin_reset_codes_user ON pin_reset_codes (user_id, created_at DESC);

CREATE TABLE api_sessions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id),
  token_hash    text NOT NULL UNIQUE,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id),
  name          text NOT NULL,
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- ───────────────────────── admins and audit ─────────────────────────
CREATE TABLE admin_users (
  id             text PRIMARY KEY,
  email          text NOT NULL UNIQUE CHECK (email = lower(email)),
  name           text NOT NULL,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('super_admin', 'admin', 'support')),
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  last_login_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_type   text NOT NULL,
  actor_id     text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  before       jsonb,
  after        jsonb,
  reason       text,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, created_at DESC);

-- Messages to deliver to a user through their chat channel (the bots drain this later).
CREATE TABLE notifications (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id),
  kind        text NOT NULL,
  body        text NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX notifications_pending ON notifications (created_at) WHERE status = 'pending';

-- ───────────────────────── ledger ─────────────────────────
-- Sign convention: a posting's amount is added to its account's balance. For a wallet a positive
-- balance is money we owe the customer. Every entry's postings sum to zero (checked at COMMIT).
CREATE TABLE accounts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code            text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('wallet', 'system')),
  user_id         text UNIQUE REFERENCES users(id),
  currency        char(3) NOT NULL DEFAULT 'NGN',
  allow_negative  boolean NOT NULL DEFAULT false,
  balance         bigint NOT NULL DEFAULT 0,
  held            bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  version         bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'wallet') = (user_id IS NOT NULL)),
  CHECK (kind = 'system' OR NOT allow_negative),
  CONSTRAINT balance_non_negative CHECK (allow_negative OR balance >= 0),
  CONSTRAINT available_non_negative CHECK (allow_negative OR balance - held >= 0)
);

CREATE TABLE idempotency_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope        text NOT NULL,
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  operation    text NOT NULL,
  fingerprint  text NOT NULL,
  response     jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (scope, key)
);

CREATE TABLE holds (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id              bigint NOT NULL REFERENCES accounts(id),
  destination_account_id  bigint NOT NULL REFERENCES accounts(id),
  amount                  bigint NOT NULL CHECK (amount > 0),
  status                  text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'voided')),
  posted_amount           bigint CHECK (posted_amount > 0 AND posted_amount <= amount),
  description             text NOT NULL,
  reference               text,
  idempotency_key_id      bigint REFERENCES idempotency_keys(id),
  created_at              timestamptz NOT NULL DEFAULT now(),
  resolved_at             timestamptz,
  CHECK (account_id <> destination_account_id),
  CHECK ((status = 'posted') = (posted_amount IS NOT NULL)),
  CHECK ((status = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX holds_pending ON holds (account_id) WHERE status = 'pending';

CREATE TABLE journal_entries (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type                text NOT NULL,
  description         text NOT NULL,
  reason              text,
  actor               text NOT NULL,
  hold_id             bigint UNIQUE REFERENCES holds(id),
  reverses_entry_id   bigint UNIQUE REFERENCES journal_entries(id),
  idempotency_key_id  bigint REFERENCES idempotency_keys(id),
  metadata            jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE postings (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id          bigint NOT NULL REFERENCES journal_entries(id),
  account_id        bigint NOT NULL REFERENCES accounts(id),
  amount            bigint NOT NULL CHECK (amount <> 0),
  -- Filled by the postings_apply trigger, never by the application (L4 chain).
  previous_balance  bigint NOT NULL DEFAULT 0,
  current_balance   bigint NOT NULL DEFAULT 0,
  account_version   bigint NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, account_version)
);
CREATE INDEX postings_entry ON postings (entry_id);
CREATE INDEX postings_account ON postings (account_id, id DESC);

-- A posting moves its account's cached balance and version in the same statement (L3).
CREATE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_balance bigint;
  new_version bigint;
BEGIN
  UPDATE accounts SET balance = balance + NEW.amount, version = version + 1
   WHERE id = NEW.account_id
   RETURNING balance, version INTO new_balance, new_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: account % does not exist', NEW.account_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.current_balance := new_balance;
  NEW.previous_balance := new_balance - NEW.amount;
  NEW.account_version := new_version;
  RETURN NEW;
END $$;
CREATE TRIGGER postings_apply BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting();

-- The cached balance, version and held amount change only through postings and holds (depth >= 2
-- means "from inside another trigger"); anything else is a bug, so refuse it.
CREATE FUNCTION ledger_guard_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.balance, NEW.version, NEW.held) IS DISTINCT FROM (OLD.balance, OLD.version, OLD.held)
     AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'ledger: account balances change only through postings and holds'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.code, NEW.kind, NEW.user_id, NEW.currency) IS DISTINCT FROM (OLD.code, OLD.kind, OLD.user_id, OLD.currency) THEN
    RAISE EXCEPTION 'ledger: account identity is immutable' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER accounts_guard BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION ledger_guard_account();
CREATE FUNCTION ledger_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on % is not allowed; the ledger is append-only, post a reversing entry instead',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

-- Append-only journal (L6).
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();

-- Every entry balances, checked at COMMIT so an entry's postings can be inserted one by one (L1).
CREATE FUNCTION ledger_assert_entry_balanced(entry bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  total numeric;
  n bigint;
BEGIN
  SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM postings WHERE entry_id = entry;
  IF n < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'ledger: journal entry % does not balance (% postings, sum %)', entry, n, total
      USING ERRCODE = 'check_violation';
  END IF;
END $$;
CREATE FUNCTION ledger_check_posting_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_entry_balanced(NEW.entry_id);
  RETURN NULL;
END $$;
CREATE FUNCTION ledger_check_new_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_entry_balanced(NEW.id);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_posting_entry();
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_new_entry();

-- Holds reserve money on the account (held) and release it exactly once (L8, L9).
CREATE FUNCTION ledger_apply_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'pending' THEN
      RAISE EXCEPTION 'ledger: a hold starts pending' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE accounts SET held = held + NEW.amount WHERE id = NEW.account_id;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ledger: holds are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'ledger: hold % is already %', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.account_id, NEW.destination_account_id, NEW.amount) IS DISTINCT FROM (OLD.account_id, OLD.destination_account_id, OLD.amount) THEN
    RAISE EXCEPTION 'ledger: a hold''s accounts and amount are immutable' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status <> 'pending' THEN
    UPDATE accounts SET held = held - OLD.amount WHERE id = OLD.account_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER holds_apply BEFORE INSERT OR UPDATE OR DELETE ON holds FOR EACH ROW EXECUTE FUNCTION ledger_apply_hold();

-- System accounts. allow_negative marks the "outside world" side of money movements.
INSERT INTO accounts (code, kind, allow_negative) VALUES
  ('system:payment_clearing', 'system', true),
  ('system:provider_float', 'system', true),
  ('system:vtu_clearing', 'system', false),
  ('system:gift_escrow', 'system', false),
  ('system:fees_revenue', 'system', true),
  ('system:promotions', 'system', true),
  ('system:adjustments', 'system', true),
  ('system:withdrawals_clearing', 'system', true);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS postings, journal_entries, holds, idempotency_keys, accounts, notifications, audit_log,
  admin_users, api_keys, api_sessions, pin_reset_codes, user_pins, link_codes, identities, users CASCADE;
DROP FUNCTION IF EXISTS ledger_apply_posting, ledger_guard_account, ledger_forbid_change,
  ledger_check_posting_entry, ledger_check_new_entry, ledger_assert_entry_balanced, ledger_apply_hold;
`.execute(db);
}
