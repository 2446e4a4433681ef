import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A busy system account (VTU clearing, provider float, fees revenue, payment clearing…) is one row
-- that every purchase and every funding credit updates: under load every money step queues on it.
-- It is now a family of shard accounts: the original row is shard 0 of its family (system_code =
-- its code), shards 1…N-1 are created when first used (code 'system:vtu_clearing#3'), and an entry
-- picks the shard of the wallet (or gift room) on its other side (DECISIONS §1). Every ledger rule
-- holds per shard account as before; a family's balance is the sum of its shards.
ALTER TABLE accounts
  ADD COLUMN system_code text,
  ADD COLUMN shard integer NOT NULL DEFAULT 0 CHECK (shard >= 0),
  ADD CONSTRAINT accounts_shard_is_system CHECK (system_code IS NULL OR kind = 'system'),
  ADD CONSTRAINT accounts_shard_has_family CHECK (shard = 0 OR system_code IS NOT NULL),
  ADD CONSTRAINT accounts_system_shard UNIQUE (system_code, shard);
UPDATE accounts SET system_code = code WHERE kind = 'system' AND code LIKE 'system:%';
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE accounts DROP CONSTRAINT accounts_system_shard, DROP CONSTRAINT accounts_shard_has_family,
  DROP CONSTRAINT accounts_shard_is_system, DROP COLUMN shard, DROP COLUMN system_code;
`.execute(db);
}
