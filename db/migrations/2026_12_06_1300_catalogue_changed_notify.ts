import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Orders price from a per-process copy of the sellable catalogue (api/services/catalogue/
-- order-cache.ts), trusted only while this notification is heard: any change to what an order's
-- price or failover order is made of tells every process on commit. (pg_notify sends one
-- notification per transaction for identical payloads.)
CREATE FUNCTION catalogue_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalogue_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;
CREATE TRIGGER catalogue_products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalogue_products
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed_notify();
CREATE TRIGGER provider_products_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON provider_products
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed_notify();
CREATE TRIGGER pricing_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pricing_rules
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed_notify();
-- A provider's float and sync times change often and price nothing: only what decides whether and
-- in which order it sells.
CREATE TRIGGER vtu_providers_added_or_removed AFTER INSERT OR DELETE OR TRUNCATE ON vtu_providers
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed_notify();
CREATE TRIGGER vtu_providers_changed AFTER UPDATE ON vtu_providers
  FOR EACH ROW WHEN (OLD.enabled IS DISTINCT FROM NEW.enabled OR OLD.priority IS DISTINCT FROM NEW.priority
                     OR OLD.code IS DISTINCT FROM NEW.code)
  EXECUTE FUNCTION catalogue_changed_notify();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS catalogue_products_changed ON catalogue_products;
DROP TRIGGER IF EXISTS provider_products_changed ON provider_products;
DROP TRIGGER IF EXISTS pricing_rules_changed ON pricing_rules;
DROP TRIGGER IF EXISTS vtu_providers_added_or_removed ON vtu_providers;
DROP TRIGGER IF EXISTS vtu_providers_changed ON vtu_providers;
DROP FUNCTION IF EXISTS catalogue_changed_notify;
`.execute(db);
}
