import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Cable renewal reminders and purchase nudges (issue 19 §3–§4), README "Cable renewal reminders"
 * and DECISIONS §66.
 *
 * - `cable_cards`: per customer and smartcard, what the provider last said (name, bouquet, renewal
 *   amount, due date) and whether the customer turned reminders off. Written when a card is
 *   verified for a customer, and when a cable order of theirs is delivered (the due date then moves
 *   on by the bouquet's period unless the provider gave a newer one).
 * - `cable_card_events`: written by a trigger in the transaction that delivers a cable order, so no
 *   renewal is missed and none is applied twice (the sweeper takes each event once, FOR UPDATE SKIP
 *   LOCKED, deleted in the transaction that applies it) — the `reward_events` pattern.
 * - `cable_reminders`: one row per (card, due date, days before), inserted in the transaction that
 *   queues the chat message: the unique key makes a reminder once, across restarts and workers.
 * - `purchase_nudges`: one row per order nudged ("buy again?"), same rule.
 * - `purchase_nudge_opt_outs`: a customer who said "stop" for a kind of nudge.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE cable_cards (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id              text NOT NULL REFERENCES users(id),
  provider             text NOT NULL,
  smartcard            text NOT NULL,
  customer_name        text,
  bouquet              text,
  product_id           text,
  renewal_amount_kobo  bigint CHECK (renewal_amount_kobo >= 0),
  due_date             date,
  due_source           text CHECK (due_source IN ('provider', 'renewal')),
  last_order_id        text REFERENCES vtu_orders(id),
  reminders_off        boolean NOT NULL DEFAULT false,
  verified_at          timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, provider, smartcard)
);
CREATE INDEX cable_cards_due ON cable_cards (due_date) WHERE NOT reminders_off;

CREATE TABLE cable_card_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id    text NOT NULL REFERENCES vtu_orders(id),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION vtu_orders_cable_card_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cable_card_events (order_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER vtu_orders_cable_card_event AFTER UPDATE OF state ON vtu_orders
  FOR EACH ROW
  WHEN (NEW.state = 'delivered' AND OLD.state IS DISTINCT FROM NEW.state AND NEW.service = 'cable')
  EXECUTE FUNCTION vtu_orders_cable_card_event();

CREATE TABLE cable_reminders (
  card_id      bigint NOT NULL REFERENCES cable_cards(id),
  due_date     date NOT NULL,
  days_before  integer NOT NULL CHECK (days_before >= 0),
  -- false: passed over (a nearer reminder was due by the time the sweep ran), nothing was sent.
  sent         boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (card_id, due_date, days_before)
);

CREATE TABLE purchase_nudges (
  order_id    text PRIMARY KEY REFERENCES vtu_orders(id),
  user_id     text NOT NULL REFERENCES users(id),
  kind        text NOT NULL CHECK (kind IN ('electricity', 'data')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchase_nudge_opt_outs (
  user_id     text NOT NULL REFERENCES users(id),
  kind        text NOT NULL CHECK (kind IN ('electricity', 'data')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, kind)
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS purchase_nudge_opt_outs;
DROP TABLE IF EXISTS purchase_nudges;
DROP TABLE IF EXISTS cable_reminders;
DROP TRIGGER IF EXISTS vtu_orders_cable_card_event ON vtu_orders;
DROP FUNCTION IF EXISTS vtu_orders_cable_card_event();
DROP TABLE IF EXISTS cable_card_events;
DROP TABLE IF EXISTS cable_cards;
`.execute(db);
}
