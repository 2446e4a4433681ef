import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The settled notification carries what changed about the order (its state and the fields that come
-- with it), so the purchase request waiting for it can answer without reading the order again. A
-- payload near PostgreSQL's 8000-byte limit is sent as the bare id, and the waiter reads the order.
CREATE OR REPLACE FUNCTION vtu_order_settled_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  payload text := json_build_object(
    'id', NEW.id, 'state', NEW.state, 'message', NEW.message, 'token_encrypted', NEW.token_encrypted,
    'units', NEW.units, 'updated_at', NEW.updated_at, 'delivered_at', NEW.delivered_at)::text;
BEGIN
  PERFORM pg_notify('vtu_order_settled', CASE WHEN octet_length(payload) > 7000 THEN NEW.id ELSE payload END);
  RETURN NULL;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE OR REPLACE FUNCTION vtu_order_settled_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vtu_order_settled', NEW.id);
  RETURN NULL;
END $$;
`.execute(db);
}
