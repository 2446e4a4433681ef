import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- vtu_checked_create_order becomes the one place the purchase pre-checks run (the app had them again
-- as a query of its own): without an order (p_order NULL) it runs the checks only and answers 'pin'
-- with the PIN's credentials row for the caller to check; with an order and the hash the PIN was
-- just seen to match, it makes the order when the row still has that hash. A 'pin' answer always
-- carries the row (pin_hash NULL: no PIN set).
DROP FUNCTION vtu_checked_create_order;
CREATE FUNCTION vtu_checked_create_order(
  p_scope text, p_key text, p_operation text, p_fingerprint text, p_user_id text, p_shards integer,
  p_description text, p_order jsonb, p_money_key text, p_window_start timestamptz, p_money_limit integer,
  p_open_cap integer, p_pin_hash text
) RETURNS TABLE (order_id text, replayed boolean, refusal text, detail bigint, pin_hash text,
                 pin_locked_until timestamptz, pin_failed_attempts integer) LANGUAGE plpgsql AS $$
DECLARE
  existing record;
  account_status text;
  n bigint;
  pin record;
BEGIN
  SELECT k.fingerprint, k.operation, k.response INTO existing
    FROM idempotency_keys k WHERE k.scope = p_scope AND k.key = p_key;
  IF FOUND THEN
    IF existing.fingerprint <> p_fingerprint THEN
      RAISE EXCEPTION 'idempotency key reused' USING ERRCODE = 'TD409', DETAIL = existing.operation;
    END IF;
    IF existing.response ->> 'orderId' IS NOT NULL THEN
      RETURN QUERY SELECT existing.response ->> 'orderId', true, NULL::text, NULL::bigint, NULL::text,
                          NULL::timestamptz, NULL::integer;
      RETURN;
    END IF;
  END IF;
  SELECT status INTO account_status FROM users WHERE id = p_user_id;
  IF account_status IS DISTINCT FROM 'active' THEN
    RETURN QUERY SELECT NULL::text, false, 'suspended'::text, NULL::bigint, NULL::text, NULL::timestamptz, NULL::integer;
    RETURN;
  END IF;
  INSERT INTO rate_limit_counters (key, window_start, count) VALUES (p_money_key, p_window_start, 1)
  ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
  RETURNING count INTO n;
  IF n > p_money_limit THEN
    RETURN QUERY SELECT NULL::text, false, 'rate_limited'::text, n, NULL::text, NULL::timestamptz, NULL::integer;
    RETURN;
  END IF;
  -- The open states are literals so the partial index vtu_orders_open_by_user serves the count.
  SELECT count(*) INTO n FROM vtu_orders
   WHERE user_id = p_user_id AND state IN ('held', 'submitting', 'pending', 'unknown');
  IF n >= p_open_cap THEN
    RETURN QUERY SELECT NULL::text, false, 'too_many_open'::text, n, NULL::text, NULL::timestamptz, NULL::integer;
    RETURN;
  END IF;
  SELECT p.pin_hash, p.failed_attempts, p.locked_until INTO pin FROM user_pins p WHERE p.user_id = p_user_id;
  IF p_order IS NULL OR p_pin_hash IS NULL OR pin.pin_hash IS DISTINCT FROM p_pin_hash
     OR pin.failed_attempts <> 0 OR pin.locked_until IS NOT NULL THEN
    RETURN QUERY SELECT NULL::text, false, 'pin'::text, NULL::bigint, pin.pin_hash, pin.locked_until, pin.failed_attempts;
    RETURN;
  END IF;
  RETURN QUERY SELECT c.order_id, c.replayed, NULL::text, NULL::bigint, NULL::text, NULL::timestamptz, NULL::integer
    FROM vtu_create_order(p_scope, p_key, p_operation, p_fingerprint, p_user_id, p_shards, p_description, p_order) c;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS vtu_checked_create_order;`.execute(db);
}
