import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A message to every chat a user has, in the caller's transaction (api/services/notifications.ts
-- documents the rule): the notification row, and one chat_outbox row per chat identity, keyed by
-- the outcome it announces (p_outcome) so a chat already told by a reply gets nothing more.
CREATE FUNCTION chat_notify(
  p_user_id text, p_kind text, p_body text, p_payload jsonb, p_outcome text, p_channels text[]
) RETURNS void LANGUAGE sql AS $$
  WITH chats AS (
    SELECT channel, external_id FROM identities WHERE user_id = p_user_id AND channel = ANY (p_channels)
  ), n AS (
    INSERT INTO notifications (user_id, kind, body, payload, status)
    VALUES (p_user_id, p_kind, p_body, p_payload,
            CASE WHEN EXISTS (SELECT 1 FROM chats) THEN 'dispatched' ELSE 'undeliverable' END)
    RETURNING id
  )
  INSERT INTO chat_outbox (channel, external_id, user_id, kind, dedupe_key, reply, payload)
  SELECT c.channel, c.external_id, p_user_id, p_kind,
         coalesce(p_outcome, 'n:' || n.id) || '@' || c.channel || ':' || c.external_id,
         jsonb_build_object('text', p_body), p_payload
    FROM n, chats c
  ON CONFLICT (dedupe_key) DO NOTHING
$$;

-- A provider said "delivered" for the attempt in flight of an open order: everything the delivery
-- writes, in one call (api/services/vtu/transitions.ts, deliverOrder, is the same step in
-- statements and the reference for every rule here): the exchange, the attempt, the hold posted to
-- its clearing shard, the settlement (clearing → provider float + fees revenue, shards of the
-- payer), the order, its first post-delivery check and the customer's message. Locks: the order
-- and the attempt, then the four accounts in id order, NO KEY. Returns 'delivered', or 'other'
-- without writing anything when the order or attempt is not in that state (the caller then takes
-- the general path, which knows every other case).
CREATE FUNCTION vtu_deliver_order(
  p_order_id text, p_attempt_id bigint, p_kind text, p_exchange_message text, p_raw text,
  p_duration_ms integer, p_provider_reference text, p_units text, p_customer_name text,
  p_token_encrypted text, p_message text, p_payload jsonb, p_outcome text, p_default_offsets integer[],
  p_shards integer, p_channels text[], p_now timestamptz
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o vtu_orders%ROWTYPE;
  a vtu_attempts%ROWTYPE;
  h holds%ROWTYPE;
  shard integer;
  float_id bigint;
  revenue_id bigint;
  clearing record;
  cost bigint;
  actor text;
  hold_entry bigint;
  settle_entry bigint;
  offsets integer[];
  verify_at timestamptz;
BEGIN
  SELECT * INTO o FROM vtu_orders WHERE id = p_order_id FOR UPDATE;
  SELECT * INTO a FROM vtu_attempts WHERE id = p_attempt_id AND order_id = p_order_id FOR UPDATE;
  IF o.id IS NULL OR a.id IS NULL OR a.state NOT IN ('submitting', 'pending', 'unknown')
     OR o.state NOT IN ('submitting', 'pending', 'unknown', 'manual_review') THEN
    RETURN 'other';
  END IF;

  INSERT INTO vtu_provider_exchanges (attempt_id, kind, outcome, message, raw, duration_ms)
  VALUES (a.id, p_kind, 'delivered', left(p_exchange_message, 500), p_raw, p_duration_ms);
  UPDATE vtu_attempts
     SET state = 'delivered', provider_reference = coalesce(a.provider_reference, p_provider_reference),
         message = left(p_exchange_message, 500), updated_at = p_now
   WHERE id = a.id;

  SELECT * INTO h FROM holds WHERE id = o.hold_id;
  IF h.status IS DISTINCT FROM 'pending' THEN
    RAISE EXCEPTION 'This hold is already %.', coalesce(h.status, 'missing') USING ERRCODE = 'TD409';
  END IF;
  shard := CASE WHEN p_shards <= 1 THEN 0 ELSE (h.account_id % p_shards)::integer END;
  float_id := ledger_system_shard('system:provider_float', shard);
  revenue_id := ledger_system_shard('system:fees_revenue', shard);
  PERFORM 1 FROM accounts WHERE id IN (h.account_id, h.destination_account_id, float_id, revenue_id)
    ORDER BY id FOR NO KEY UPDATE;

  -- The hold: exactly one of post/void succeeds (L8); the whole amount moves to its clearing shard.
  UPDATE holds SET status = 'posted', posted_amount = h.amount, resolved_at = p_now
   WHERE id = h.id AND status = 'pending';
  actor := 'system:vtu:' || a.provider;
  INSERT INTO journal_entries (type, description, actor, hold_id)
  VALUES ('hold_post', 'Delivered: ' || o.id, actor, h.id) RETURNING id INTO hold_entry;
  INSERT INTO postings (entry_id, account_id, amount)
  VALUES (hold_entry, h.account_id, -h.amount), (hold_entry, h.destination_account_id, h.amount);

  -- Clearing pays what the provider consumed from our float and our margin (negative after a
  -- dearer failover); clearing may not go below zero.
  cost := coalesce(a.cost_kobo, o.price_kobo);
  SELECT balance - held AS available, allow_negative INTO clearing FROM accounts WHERE id = h.destination_account_id;
  IF NOT clearing.allow_negative AND clearing.available < o.price_kobo THEN
    RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'TD402',
      DETAIL = json_build_object('availableKobo', clearing.available, 'requiredKobo', o.price_kobo)::text;
  END IF;
  INSERT INTO journal_entries (type, description, actor, metadata)
  VALUES ('vtu_settle', 'Settle ' || o.id || ' at ' || a.provider, actor,
          jsonb_build_object('orderId', o.id, 'attemptId', a.id, 'costKobo', cost))
  RETURNING id INTO settle_entry;
  INSERT INTO postings (entry_id, account_id, amount)
  SELECT settle_entry, p.account_id, p.amount
    FROM (VALUES (1, h.destination_account_id, -o.price_kobo), (2, float_id, cost),
                 (3, revenue_id, o.price_kobo - cost)) AS p (n, account_id, amount)
   WHERE p.amount <> 0 ORDER BY p.n;

  -- The first post-delivery check: the provider's own offsets, else the configured ones.
  SELECT verify_offsets_seconds INTO offsets FROM vtu_providers WHERE code = a.provider;
  SELECT p_now + make_interval(secs => min(s)) INTO verify_at
    FROM unnest(coalesce(offsets, p_default_offsets)) AS s WHERE s > 0;
  UPDATE vtu_orders
     SET state = 'delivered', settle_entry_id = settle_entry, cost_kobo = cost, provider = a.provider,
         token_encrypted = p_token_encrypted, units = p_units,
         customer_name = coalesce(o.customer_name, p_customer_name), message = p_message,
         next_check_at = NULL, lease_owner = NULL, verify_due_at = verify_at, delivered_at = p_now,
         updated_at = p_now
   WHERE id = o.id;
  PERFORM chat_notify(o.user_id, 'order.delivered', p_message, p_payload, p_outcome, p_channels);
  RETURN 'delivered';
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS vtu_deliver_order, chat_notify;`.execute(db);
}
