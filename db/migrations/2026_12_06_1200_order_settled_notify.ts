import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A purchase request waits for its order to leave held/submitting. Instead of polling the order,
-- it hears this notification (api/services/vtu/order-outcomes.ts), sent on commit of whichever
-- transaction moved the order, in whichever process it ran.
CREATE FUNCTION vtu_order_settled_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vtu_order_settled', NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER vtu_orders_settled_notify AFTER UPDATE OF state ON vtu_orders
  FOR EACH ROW WHEN (OLD.state IN ('held', 'submitting') AND NEW.state NOT IN ('held', 'submitting'))
  EXECUTE FUNCTION vtu_order_settled_notify();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS vtu_orders_settled_notify ON vtu_orders;
DROP FUNCTION IF EXISTS vtu_order_settled_notify;
`.execute(db);
}
