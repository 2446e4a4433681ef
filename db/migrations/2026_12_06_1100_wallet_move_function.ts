import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Shard 'shard' of the system account family 'family', created on first use with the family's
-- rules (allow_negative, currency). A concurrent creator may win; either way the row exists after.
CREATE FUNCTION ledger_system_shard(family text, shard integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  found_id bigint;
BEGIN
  SELECT id INTO found_id FROM accounts WHERE system_code = family AND accounts.shard = ledger_system_shard.shard;
  IF found_id IS NOT NULL THEN
    RETURN found_id;
  END IF;
  INSERT INTO accounts (code, kind, allow_negative, currency, system_code, shard)
  SELECT family || '#' || ledger_system_shard.shard, 'system', a.allow_negative, a.currency, a.system_code,
         ledger_system_shard.shard
    FROM accounts a WHERE a.system_code = family AND a.shard = 0
  ON CONFLICT DO NOTHING;
  SELECT id INTO found_id FROM accounts WHERE system_code = family AND accounts.shard = ledger_system_shard.shard;
  IF found_id IS NULL THEN
    RAISE EXCEPTION 'ledger: system account % is missing; run the migrations', family USING ERRCODE = 'TD404';
  END IF;
  RETURN found_id;
END $$;

-- A wallet credit or debit against a system account, idempotent per (scope, key), in one call: the
-- same writes the service made in ten statements (key, locks, entry, postings, balance, response),
-- so the wallet's row lock is held for the time of one statement, not of ten round trips. amount is
-- signed from the wallet's side (+ credit, − debit). Errors: TD402 not enough money (DETAIL:
-- available and required kobo), TD409 key reused for another request (DETAIL: its operation),
-- TD404 no wallet. The rules are the ledger's (post-entry.ts, idempotency.ts); the triggers and
-- CHECKs enforce them again.
CREATE FUNCTION ledger_move_wallet(
  p_scope text, p_key text, p_operation text, p_fingerprint text, p_user_id text, p_family text,
  p_shards integer, p_amount bigint, p_type text, p_description text, p_actor text, p_metadata jsonb
) RETURNS TABLE (response jsonb, replayed boolean) LANGUAGE plpgsql AS $$
DECLARE
  key_id bigint;
  existing record;
  wallet_id bigint;
  other_id bigint;
  payer record;
  entry_id bigint;
  result jsonb;
BEGIN
  -- A concurrent call with the same key waits here until the first one ends (L7).
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
    RETURN QUERY SELECT existing.response, true;
    RETURN;
  END IF;

  SELECT id INTO wallet_id FROM accounts WHERE user_id = p_user_id;
  IF wallet_id IS NULL THEN
    RAISE EXCEPTION 'wallet not found' USING ERRCODE = 'TD404';
  END IF;
  other_id := ledger_system_shard(p_family, CASE WHEN p_shards <= 1 THEN 0 ELSE (wallet_id % p_shards)::integer END);

  -- Both rows, in id order like every money step (L12); NO KEY: foreign-key checks go on meanwhile.
  PERFORM 1 FROM accounts WHERE id IN (wallet_id, other_id) ORDER BY id FOR NO KEY UPDATE;
  SELECT a.balance - a.held AS available, a.allow_negative INTO payer
    FROM accounts a WHERE a.id = CASE WHEN p_amount < 0 THEN wallet_id ELSE other_id END;
  IF NOT payer.allow_negative AND payer.available < abs(p_amount) THEN
    RAISE EXCEPTION 'insufficient funds' USING ERRCODE = 'TD402',
      DETAIL = json_build_object('availableKobo', payer.available, 'requiredKobo', abs(p_amount))::text;
  END IF;

  INSERT INTO journal_entries (type, description, actor, idempotency_key_id, metadata)
  VALUES (p_type, p_description, p_actor, key_id, coalesce(p_metadata, '{}'))
  RETURNING id INTO entry_id;
  INSERT INTO postings (entry_id, account_id, amount)
  VALUES (entry_id, wallet_id, p_amount), (entry_id, other_id, -p_amount);

  SELECT jsonb_build_object('entryId', entry_id, 'amountKobo', abs(p_amount), 'balanceKobo', a.balance,
                            'heldKobo', a.held, 'availableKobo', a.balance - a.held, 'currency', a.currency)
    INTO result FROM accounts a WHERE a.id = wallet_id;
  UPDATE idempotency_keys SET response = result WHERE id = key_id;
  RETURN QUERY SELECT result, false;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS ledger_move_wallet, ledger_system_shard;`.execute(db);
}
