import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Each process keeps the tiers of the customers it has priced orders for (the catalogue cache,
 * api/services/catalogue/order-cache.ts) and forgets one on hearing 'tier_changed' with the
 * customer's id (their tier set by the sweep or an admin), or everyone's on '*' (the tier rules
 * changed). Issue 15's purchase path then reads no tier from the database while nothing changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE FUNCTION tier_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('tier_changed', '*');
  ELSE
    PERFORM pg_notify('tier_changed', NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER users_tier_changed AFTER UPDATE OF tier ON users
  FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION tier_changed_notify();
CREATE TRIGGER customer_tiers_changed AFTER INSERT OR UPDATE OR DELETE ON customer_tiers
  FOR EACH STATEMENT EXECUTE FUNCTION tier_changed_notify();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS users_tier_changed ON users;
DROP TRIGGER IF EXISTS customer_tiers_changed ON customer_tiers;
DROP FUNCTION IF EXISTS tier_changed_notify;
`.execute(db);
}
