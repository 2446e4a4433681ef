import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The open-orders cap (S14) counts a user's unresolved orders on every purchase; without this index
-- it read every order the user ever made.
CREATE INDEX vtu_orders_open_by_user ON vtu_orders (user_id)
  WHERE state IN ('held', 'submitting', 'pending', 'unknown');

-- The money side of a new order in one call (api/services/vtu/create-order.ts, insertHeldOrder,
-- documents it): a hold on p_hold_account (a wallet, or a gift room's escrow) towards its VTU
-- clearing shard, and the order row in state held. p_order carries the order's columns (as
-- vtu_orders names them); the hold and key ids are filled in here. Errors: TD402 not enough money
-- (DETAIL: available and required kobo), TD404 no such account.
CREATE FUNCTION vtu_insert_held_order(
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
                          created_at, updated_at)
  VALUES (o.id, o.user_id, o.service, o.product_id, 'held', o.recipient, o.network, o.meter_type,
          o.subscription, o.contact_phone, o.customer_name, o.face_amount_kobo, o.price_kobo,
          new_hold, p_key_id, o.channel, o.provider, o.next_check_at, o.lease_owner,
          o.created_at, o.updated_at);
  RETURN o.id;
END $$;

-- A purchase from the wallet, idempotent per (scope, key) (L7): the key, the hold and the order in
-- one call, so the wallet's row lock lasts one statement. Returns the order id, and whether it is
-- an earlier request's (a replay). Errors: TD409 key reused for another request (DETAIL: its
-- operation), TD404 no wallet, TD402 not enough money.
CREATE FUNCTION vtu_create_order(
  p_scope text, p_key text, p_operation text, p_fingerprint text, p_user_id text, p_shards integer,
  p_description text, p_order jsonb
) RETURNS TABLE (order_id text, replayed boolean) LANGUAGE plpgsql AS $$
DECLARE
  key_id bigint;
  existing record;
  wallet_id bigint;
  new_order text;
BEGIN
  -- A concurrent call with the same key waits here until the first one ends.
  INSERT INTO idempotency_keys (scope, key, operation, fingerprint, response)
  VALUES (p_scope, p_key, p_operation, p_fingerprint, 'null')
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING id INTO key_id;
  IF key_id IS NULL THEN
    SELECT k.fingerprint, k.operation, k.response INTO existing
      FROM idempotency_keys k WHERE k.scope = p_scope AND k.key = p_key;
    IF existing.fingerprint <> p_fingerprint THEN
      RAISE EXCEPTION 'idempotency key reused' USING ERRCODE = 'TD409', DETAIL = existing.operation;
    END IF;
    RETURN QUERY SELECT existing.response ->> 'orderId', true;
    RETURN;
  END IF;
  SELECT id INTO wallet_id FROM accounts WHERE user_id = p_user_id;
  IF wallet_id IS NULL THEN
    RAISE EXCEPTION 'wallet not found' USING ERRCODE = 'TD404';
  END IF;
  new_order := vtu_insert_held_order(wallet_id, p_shards, key_id, p_description, p_order);
  UPDATE idempotency_keys SET response = jsonb_build_object('orderId', new_order) WHERE id = key_id;
  RETURN QUERY SELECT new_order, false;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP FUNCTION IF EXISTS vtu_create_order, vtu_insert_held_order;
DROP INDEX IF EXISTS vtu_orders_open_by_user;
`.execute(db);
}
