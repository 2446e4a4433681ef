import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Scheduled and recurring purchases (issue 19, DECISIONS §65). A schedule is what to buy, for whom,
 * how often (Lagos dates, kept as 'YYYY-MM-DD' text so no time zone ever moves them), and the
 * standing authorisation the customer gave with their PIN: a cap per run and a cap per Lagos month.
 * Each due date becomes one schedule_runs row (UNIQUE (schedule_id, due_on)); its order is placed
 * with the idempotency key `schedule:<id>:<due_on>`, so the row and the key together make a run
 * buy at most once, whoever sweeps it and however often.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE schedules (
  id                 text PRIMARY KEY,
  user_id            text NOT NULL REFERENCES users (id),
  service            text NOT NULL CHECK (service IN ('airtime', 'data', 'electricity', 'cable')),
  -- What to buy: the recipient (phone, meter or smartcard) and the service's own fields.
  recipient          text NOT NULL CHECK (length(recipient) BETWEEN 6 AND 30),
  network            text,
  amount_kobo        bigint CHECK (amount_kobo > 0),
  plan_id            text,
  disco              text,
  meter_type         text CHECK (meter_type IN ('prepaid', 'postpaid')),
  cable_provider     text,
  contact_phone      text,
  label              text CHECK (length(label) <= 80),
  -- Recurrence: daily; weekly on weekday (0 = Sunday); monthly on month_day (31 = the last day of
  -- a shorter month); every interval_days days from start_on.
  recurrence         text NOT NULL CHECK (recurrence IN ('daily', 'weekly', 'monthly', 'every_n_days')),
  weekday            smallint CHECK (weekday BETWEEN 0 AND 6),
  month_day          smallint CHECK (month_day BETWEEN 1 AND 31),
  interval_days      smallint CHECK (interval_days BETWEEN 2 AND 365),
  start_on           text NOT NULL CHECK ((start_on::date)::text = start_on),
  end_on             text CHECK ((end_on::date)::text = end_on AND end_on >= start_on),
  max_runs           integer CHECK (max_runs BETWEEN 1 AND 10000),
  runs_made          integer NOT NULL DEFAULT 0,
  -- The standing authorisation (set or changed with the PIN).
  per_run_cap_kobo   bigint NOT NULL CHECK (per_run_cap_kobo > 0),
  monthly_cap_kobo   bigint NOT NULL CHECK (monthly_cap_kobo >= per_run_cap_kobo),
  authorised_at      timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'ended', 'deleted')),
  pause_reason       text CHECK (pause_reason IN ('customer', 'price_above_cap', 'monthly_cap', 'skipped_runs')),
  -- The next date to make a run for (null once ended or deleted).
  next_due_on        text CHECK ((next_due_on::date)::text = next_due_on),
  consecutive_skips  integer NOT NULL DEFAULT 0,
  -- No run is due before this (creation or resume): a first run today is due at once, not "missed".
  not_before         timestamptz NOT NULL,
  idempotency_key    text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  CHECK ((recurrence = 'weekly') = (weekday IS NOT NULL)),
  CHECK ((recurrence = 'monthly') = (month_day IS NOT NULL)),
  CHECK ((recurrence = 'every_n_days') = (interval_days IS NOT NULL)),
  CHECK ((status = 'paused') = (pause_reason IS NOT NULL)),
  CHECK (service NOT IN ('airtime', 'electricity') OR amount_kobo IS NOT NULL),
  CHECK (service <> 'data' OR plan_id IS NOT NULL),
  CHECK (service <> 'electricity' OR (disco IS NOT NULL AND meter_type IS NOT NULL)),
  CHECK (service <> 'cable' OR cable_provider IS NOT NULL)
);
-- A create with the same key returns the first schedule.
CREATE UNIQUE INDEX schedules_idempotency ON schedules (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX schedules_user ON schedules (user_id, created_at DESC) WHERE status <> 'deleted';
-- The sweep: active schedules with a date due.
CREATE INDEX schedules_due ON schedules (next_due_on) WHERE status = 'active';

CREATE TABLE schedule_runs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schedule_id      text NOT NULL REFERENCES schedules (id),
  user_id          text NOT NULL REFERENCES users (id),
  due_on           text NOT NULL CHECK ((due_on::date)::text = due_on),
  -- The moment the run is due (SCHEDULE_RUN_HOUR Lagos time on due_on).
  due_at           timestamptz NOT NULL,
  state            text NOT NULL CHECK (state IN ('due', 'waiting_funds', 'placed', 'delivered', 'failed', 'skipped')),
  order_id         text REFERENCES vtu_orders (id),
  idempotency_key  text NOT NULL UNIQUE,
  -- Waiting for a top-up until then; the reminder is sent once.
  funds_deadline   timestamptz,
  reminded         boolean NOT NULL DEFAULT false,
  -- Why it ended as it did: delivered, failed, missed, insufficient_funds, price_above_cap,
  -- monthly_cap, paused, invalid (the message says what).
  outcome          text,
  message          text,
  price_kobo       bigint,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  UNIQUE (schedule_id, due_on),
  CHECK (idempotency_key = 'schedule:' || schedule_id || ':' || due_on)
);
CREATE INDEX schedule_runs_open ON schedule_runs (due_at) WHERE state IN ('due', 'waiting_funds', 'placed');
CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, due_on DESC);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE schedule_runs; DROP TABLE schedules;`.execute(db);
}
