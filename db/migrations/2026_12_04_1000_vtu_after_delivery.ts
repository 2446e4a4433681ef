import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- Truth after delivery: a delivered order stays under watch. verify_due_at is when the next
-- post-delivery requery of the provider that delivered it is due (NULL = no more checks).
-- lease_owner is the process boot that holds the order's current step (submit or requery);
-- a lease whose boot stopped beating is dead and is taken over at once.
-- webhook_requery_at coalesces provider webhook replays to one requery per interval.
ALTER TABLE vtu_orders
  ADD COLUMN verify_due_at      timestamptz,
  ADD COLUMN verify_count       integer NOT NULL DEFAULT 0,
  ADD COLUMN lease_owner        text,
  ADD COLUMN webhook_requery_at timestamptz;
CREATE INDEX vtu_orders_verify_due ON vtu_orders (verify_due_at) WHERE verify_due_at IS NOT NULL;
CREATE INDEX vtu_orders_leased ON vtu_orders (lease_owner) WHERE lease_owner IS NOT NULL;
-- Settled orders have no next step (an older requery of a delivered order could leave one set).
UPDATE vtu_orders SET next_check_at = NULL WHERE state IN ('delivered', 'failed', 'reversed');
-- Deliveries of the last day get one check now; the schedule carries on from their delivery time.
UPDATE vtu_orders SET verify_due_at = now()
 WHERE state = 'delivered' AND delivered_at > now() - interval '1 day';

-- Seconds after delivery at which the provider is asked again; NULL = the configured default.
ALTER TABLE vtu_providers
  ADD COLUMN verify_offsets_seconds integer[]
    CHECK (verify_offsets_seconds IS NULL OR (cardinality(verify_offsets_seconds) <= 20
           AND 0 < ALL (verify_offsets_seconds)));

-- Provider answers are kept as the exact JSON text: jsonb refuses \\u0000 (and a body with one
-- would roll back the transaction that books the delivery). JSON.stringify escapes NUL and lone
-- surrogates, so the text is lossless.
ALTER TABLE vtu_provider_exchanges ALTER COLUMN raw TYPE text USING raw::text;

-- One row per process start. A process beats while alive; a boot whose beat is stale, or that a
-- later boot of the same instance replaced, holds no lease.
CREATE TABLE process_boots (
  boot_id      text PRIMARY KEY,
  instance_id  text NOT NULL,
  role         text NOT NULL,
  host         text NOT NULL,
  pid          integer NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  beat_at      timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);
CREATE INDEX process_boots_instance ON process_boots (instance_id, started_at);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS process_boots;
ALTER TABLE vtu_provider_exchanges ALTER COLUMN raw TYPE jsonb USING raw::jsonb;
ALTER TABLE vtu_providers DROP COLUMN IF EXISTS verify_offsets_seconds;
DROP INDEX IF EXISTS vtu_orders_leased;
DROP INDEX IF EXISTS vtu_orders_verify_due;
ALTER TABLE vtu_orders
  DROP COLUMN IF EXISTS webhook_requery_at,
  DROP COLUMN IF EXISTS lease_owner,
  DROP COLUMN IF EXISTS verify_count,
  DROP COLUMN IF EXISTS verify_due_at;
`.execute(db);
}
