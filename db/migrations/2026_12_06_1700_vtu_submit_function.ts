import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The first step of sending a held order, in one call (api/services/vtu/process-order.ts,
-- planSubmit, is the same step in statements and the reference for its rules): lock the order,
-- take the first candidate provider not tried yet, commit the attempt with its request id (P1) and
-- the lease. p_candidates are the offers the caller priced for the product and face amount it was
-- told the order has ([{n, provider, provider_product_id, cost_kobo}], in failover order); when the
-- order is not held, is for something else, or no candidate is left, it returns NULL having written
-- nothing, and the caller takes the general path. Returns the order (as read, state now
-- submitting) and the attempt.
CREATE FUNCTION vtu_begin_submit(
  p_order_id text, p_product_id text, p_face_amount_kobo bigint, p_candidates jsonb, p_request_id text,
  p_lease_until timestamptz, p_owner text, p_now timestamptz
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  o vtu_orders%ROWTYPE;
  a vtu_attempts%ROWTYPE;
  tried text[];
  pick record;
BEGIN
  SELECT * INTO o FROM vtu_orders WHERE id = p_order_id FOR UPDATE;
  IF o.id IS NULL OR o.state <> 'held' OR o.product_id <> p_product_id OR o.face_amount_kobo <> p_face_amount_kobo THEN
    RETURN NULL;
  END IF;
  SELECT coalesce(array_agg(provider), '{}') INTO tried FROM vtu_attempts WHERE order_id = o.id;
  SELECT c.provider, c.provider_product_id, c.cost_kobo INTO pick
    FROM jsonb_to_recordset(p_candidates) AS c (n integer, provider text, provider_product_id text, cost_kobo bigint)
   WHERE NOT (c.provider = ANY (tried))
   ORDER BY c.n LIMIT 1;
  IF pick.provider IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO vtu_attempts (order_id, attempt_no, provider, provider_product_id, request_id, state, cost_kobo,
                            created_at, updated_at)
  VALUES (o.id, cardinality(tried) + 1, pick.provider, pick.provider_product_id, p_request_id, 'submitting',
          pick.cost_kobo, p_now, p_now)
  RETURNING * INTO a;
  UPDATE vtu_orders
     SET state = 'submitting', provider = pick.provider, message = NULL, next_check_at = p_lease_until,
         lease_owner = p_owner, updated_at = p_now
   WHERE id = o.id;
  o.state := 'submitting';
  RETURN jsonb_build_object('order', to_jsonb(o), 'attempt', to_jsonb(a));
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS vtu_begin_submit;`.execute(db);
}
