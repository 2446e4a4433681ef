import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A plan may override its service's margin (same meaning as pricing_rules: kobo for 'flat', basis
-- points of the cost for 'percent'). Both NULL = the service rule applies.
ALTER TABLE catalogue_products
  ADD COLUMN margin_type  text CHECK (margin_type IN ('flat', 'percent')),
  ADD COLUMN margin_value bigint CHECK (margin_value >= 0 AND margin_value <= 100000000),
  ADD CONSTRAINT catalogue_products_margin_pair CHECK ((margin_type IS NULL) = (margin_value IS NULL));

-- Below this float (kobo) the provider is shown as low and the alerts job warns. NULL = no threshold.
ALTER TABLE vtu_providers
  ADD COLUMN low_float_kobo bigint CHECK (low_float_kobo >= 0);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE vtu_providers DROP COLUMN IF EXISTS low_float_kobo;
ALTER TABLE catalogue_products
  DROP CONSTRAINT IF EXISTS catalogue_products_margin_pair,
  DROP COLUMN IF EXISTS margin_value,
  DROP COLUMN IF EXISTS margin_type;
`.execute(db);
}
