import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Reseller API keys get scopes, an IP allow-list, their own rate limit and a sandbox flag
 * (DECISIONS §72). Keys made before this keep every scope they had (they could do everything); new
 * keys always name theirs (the service's default is read + purchase). The credential trigger now
 * also fires on the new columns, so every API process forgets a key whose settings changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE api_keys
  ADD COLUMN scopes text[] NOT NULL DEFAULT ARRAY['read', 'purchase', 'withdraw', 'gift'],
  ADD COLUMN ip_allow_list text[] NOT NULL DEFAULT '{}',
  ADD COLUMN rate_limit_per_minute integer,
  ADD COLUMN sandbox boolean NOT NULL DEFAULT false;
ALTER TABLE api_keys ALTER COLUMN scopes DROP DEFAULT;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_scopes_known
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'purchase', 'withdraw', 'gift']),
  ADD CONSTRAINT api_keys_ip_allow_list_size CHECK (cardinality(ip_allow_list) <= 20),
  ADD CONSTRAINT api_keys_rate_limit_range CHECK (rate_limit_per_minute BETWEEN 1 AND 100000);

DROP TRIGGER api_keys_auth_changed ON api_keys;
CREATE TRIGGER api_keys_auth_changed
  AFTER UPDATE OF revoked_at, user_id, key_hash, scopes, ip_allow_list, rate_limit_per_minute, sandbox
  OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION auth_changed_notify();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS api_keys_auth_changed ON api_keys;
CREATE TRIGGER api_keys_auth_changed AFTER UPDATE OF revoked_at, user_id, key_hash OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION auth_changed_notify();
ALTER TABLE api_keys
  DROP COLUMN IF EXISTS scopes,
  DROP COLUMN IF EXISTS ip_allow_list,
  DROP COLUMN IF EXISTS rate_limit_per_minute,
  DROP COLUMN IF EXISTS sandbox;
`.execute(db);
}
