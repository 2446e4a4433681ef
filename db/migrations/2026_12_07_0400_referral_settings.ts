import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * The referral rules an admin may change (issue 18: "amounts in config, admin-editable"): one row,
 * absent until a super admin first saves; until then the configuration's REFERRAL_* apply.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE referral_settings (
  id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
  reward_kobo         bigint NOT NULL CHECK (reward_kobo BETWEEN 0 AND 10000000),
  welcome_kobo        bigint NOT NULL CHECK (welcome_kobo BETWEEN 0 AND 10000000),
  min_purchase_kobo   bigint NOT NULL CHECK (min_purchase_kobo BETWEEN 1 AND 100000000),
  monthly_cap         integer NOT NULL CHECK (monthly_cap BETWEEN 0 AND 100000),
  updated_by          text NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS referral_settings;`.execute(db);
}
