import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- W3 in the database, not only in the code: one funding intent, and one gateway transaction, produce
-- at most one wallet credit, whichever path (webhook, redirect, reconciliation) gets there and however
-- they race. The intent's row lock is the first line; these indexes are the last.
CREATE UNIQUE INDEX journal_entries_one_credit_per_funding_intent
  ON journal_entries ((metadata->>'fundingIntentId'))
  WHERE type = 'wallet_credit' AND metadata ? 'fundingIntentId';
CREATE UNIQUE INDEX journal_entries_one_credit_per_gateway_tx
  ON journal_entries ((metadata->>'gatewayTxId'))
  WHERE type = 'wallet_credit' AND metadata ? 'gatewayTxId';

-- What the funding reconciliation reads: intents not credited (pending, or failed after a declined
-- attempt) whose checkout expired recently.
CREATE INDEX funding_intents_uncredited ON funding_intents (expires_at) WHERE status IN ('pending', 'failed');

-- The sandbox gateway, like Flutterwave's hosted checkout, lets the payer try again after a declined
-- attempt: one tx_ref, several attempts (rows), at most one of them paid.
ALTER TABLE sandbox_gateway_payments DROP CONSTRAINT sandbox_gateway_payments_tx_ref_key;
CREATE INDEX sandbox_gateway_payments_tx_ref ON sandbox_gateway_payments (tx_ref, id);
CREATE UNIQUE INDEX sandbox_gateway_payments_paid_once
  ON sandbox_gateway_payments (tx_ref) WHERE status = 'successful';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP INDEX IF EXISTS sandbox_gateway_payments_paid_once, sandbox_gateway_payments_tx_ref,
  funding_intents_uncredited, journal_entries_one_credit_per_gateway_tx,
  journal_entries_one_credit_per_funding_intent;
-- Back to one row per checkout: the sandbox's later attempts go (sandbox money only).
DELETE FROM sandbox_gateway_payments a USING sandbox_gateway_payments b
 WHERE a.tx_ref = b.tx_ref AND a.id > b.id;
ALTER TABLE sandbox_gateway_payments ADD CONSTRAINT sandbox_gateway_payments_tx_ref_key UNIQUE (tx_ref);
`.execute(db);
}
