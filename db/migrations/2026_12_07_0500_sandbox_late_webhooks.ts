import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * The sandbox bank's "late webhook": when the gateway will send it, kept on the payment's row so a
 * restart does not lose it (the payments sweeper delivers the due ones), instead of a timer.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE sandbox_gateway_payments ADD COLUMN webhook_due_at timestamptz;
CREATE INDEX sandbox_gateway_payments_webhook_due ON sandbox_gateway_payments (webhook_due_at)
  WHERE webhook_due_at IS NOT NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sandbox_gateway_payments DROP COLUMN IF EXISTS webhook_due_at;`.execute(db);
}
