import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Each API process keeps the bearer credentials it has checked (api/services/auth/credential-cache.ts)
-- and forgets a user's on hearing 'auth_changed' with their id: a key or session revoked, a session's
-- expiry moved, an account suspended or reinstated, a key or user deleted. Writes of last_used_at do
-- not notify (UPDATE OF lists the columns that matter). Deleting sessions (the purge of expired
-- ones) notifies once per statement with '*': forget everything.
CREATE FUNCTION auth_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('auth_changed', '*');
  ELSIF TG_TABLE_NAME = 'users' THEN
    PERFORM pg_notify('auth_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  ELSE
    PERFORM pg_notify('auth_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER api_keys_auth_changed AFTER UPDATE OF revoked_at, user_id, key_hash OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION auth_changed_notify();
CREATE TRIGGER api_sessions_auth_changed AFTER UPDATE OF revoked_at, expires_at, user_id, token_hash ON api_sessions
  FOR EACH ROW EXECUTE FUNCTION auth_changed_notify();
CREATE TRIGGER api_sessions_auth_purged AFTER DELETE ON api_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION auth_changed_notify();
CREATE TRIGGER users_auth_changed AFTER UPDATE OF status OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION auth_changed_notify();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TRIGGER IF EXISTS api_keys_auth_changed ON api_keys;
DROP TRIGGER IF EXISTS api_sessions_auth_changed ON api_sessions;
DROP TRIGGER IF EXISTS api_sessions_auth_purged ON api_sessions;
DROP TRIGGER IF EXISTS users_auth_changed ON users;
DROP FUNCTION IF EXISTS auth_changed_notify;
`.execute(db);
}
