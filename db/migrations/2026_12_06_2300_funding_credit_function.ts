import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A verified payment credited to its funding intent's wallet, in one call (W3: once): the intent
-- locked and its status checked, the entry (payment clearing → wallet, plus the fee to revenue),
-- the intent marked credited, and the customer's notification. The wallet's and the system shards'
-- rows are locked for one statement, in id order (L12). Answers:
--   'credited'          this call credited it;
--   'already_credited'  an earlier call did (credited_tx_id: the gateway transaction it credited);
--   'pending'           people are reviewing it (manual_review): a clean verify does not override them.
-- A second credit for the intent or the gateway transaction fails on their UNIQUE indexes and aborts
-- the whole call. The caller has checked the verified payment against the intent first.
CREATE FUNCTION funding_credit_intent(
  p_intent_id text, p_gateway_tx_id text, p_paid_kobo bigint, p_now timestamptz, p_shards integer,
  p_description text, p_actor text, p_metadata jsonb,
  p_notify_kind text, p_notify_body text, p_notify_payload jsonb, p_notify_outcome text, p_channels text[]
) RETURNS TABLE (outcome text, credited_tx_id text) LANGUAGE plpgsql AS $$
DECLARE
  i funding_intents%ROWTYPE;
  wallet_id bigint;
  clearing_id bigint;
  revenue_id bigint;
  entry_id bigint;
BEGIN
  SELECT * INTO i FROM funding_intents WHERE id = p_intent_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'funding intent % not found', p_intent_id USING ERRCODE = 'TD404';
  END IF;
  IF i.status = 'credited' THEN
    RETURN QUERY SELECT 'already_credited'::text, i.gateway_tx_id;
    RETURN;
  END IF;
  IF i.status = 'manual_review' THEN
    RETURN QUERY SELECT 'pending'::text, NULL::text;
    RETURN;
  END IF;

  SELECT id INTO wallet_id FROM accounts WHERE user_id = i.user_id;
  IF wallet_id IS NULL THEN
    RAISE EXCEPTION 'wallet not found' USING ERRCODE = 'TD404';
  END IF;
  clearing_id := ledger_system_shard('system:payment_clearing',
    CASE WHEN p_shards <= 1 THEN 0 ELSE (wallet_id % p_shards)::integer END);
  revenue_id := ledger_system_shard('system:fees_revenue',
    CASE WHEN p_shards <= 1 THEN 0 ELSE (wallet_id % p_shards)::integer END);
  PERFORM 1 FROM accounts
   WHERE id IN (wallet_id, clearing_id, CASE WHEN i.fee_kobo > 0 THEN revenue_id ELSE wallet_id END)
   ORDER BY id FOR NO KEY UPDATE;

  INSERT INTO journal_entries (type, description, actor, metadata)
  VALUES ('wallet_credit', p_description, p_actor, coalesce(p_metadata, '{}'))
  RETURNING id INTO entry_id;
  INSERT INTO postings (entry_id, account_id, amount)
  SELECT entry_id, a, amt FROM (VALUES (clearing_id, -i.total_kobo), (wallet_id, i.amount_kobo),
                                       (revenue_id, i.fee_kobo)) AS p(a, amt)
   WHERE amt <> 0;

  UPDATE funding_intents
     SET status = 'credited', credit_entry_id = entry_id, gateway_tx_id = p_gateway_tx_id,
         paid_kobo = p_paid_kobo, failure_reason = NULL, credited_at = p_now, last_checked_at = p_now,
         updated_at = p_now
   WHERE id = i.id;
  PERFORM chat_notify(i.user_id, p_notify_kind, p_notify_body, p_notify_payload, p_notify_outcome, p_channels);
  RETURN QUERY SELECT 'credited'::text, p_gateway_tx_id;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS funding_credit_intent;`.execute(db);
}
