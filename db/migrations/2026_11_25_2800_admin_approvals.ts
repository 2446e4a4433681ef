import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Maker-checker: an action above a threshold waits here until a second admin decides. The row is
-- the guard: only a 'pending' row can be decided, once, and never by the admin who asked.
CREATE TABLE admin_approvals (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('balance_adjustment')),
  user_id       text NOT NULL REFERENCES users(id),
  amount_kobo   bigint NOT NULL CHECK (amount_kobo <> 0),
  reason        text NOT NULL,
  requested_by  text NOT NULL REFERENCES admin_users(id),
  decided_by    text REFERENCES admin_users(id),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'executed', 'rejected')),
  entry_id      bigint REFERENCES journal_entries(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK ((status = 'executed') = (entry_id IS NOT NULL))
);
CREATE INDEX admin_approvals_pending ON admin_approvals (created_at) WHERE status = 'pending';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS admin_approvals`.execute(db);
}
