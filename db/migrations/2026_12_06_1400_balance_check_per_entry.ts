import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * L1 (every entry balances) checked once per entry instead of once per entry and once per posting:
 * a purchase fired seven deferred balance checks at COMMIT, a wallet move three. The posting check
 * existed so that postings added to an entry later would be checked too; instead, a posting may now
 * only join an entry written by its own transaction, whose commit runs the entry's check.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- The transaction that wrote the entry (top-level id, the same inside savepoints). Entries written
-- before this migration have none, so nothing can join them.
ALTER TABLE journal_entries ADD COLUMN txid bigint;
ALTER TABLE journal_entries ALTER COLUMN txid SET DEFAULT txid_current();

CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_balance bigint;
  new_version bigint;
BEGIN
  IF (SELECT e.txid FROM journal_entries e WHERE e.id = NEW.entry_id) IS DISTINCT FROM txid_current() THEN
    RAISE EXCEPTION 'ledger: a posting joins only an entry written in its own transaction (entry %)', NEW.entry_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE accounts SET balance = balance + NEW.amount, version = version + 1
   WHERE id = NEW.account_id
   RETURNING balance, version INTO new_balance, new_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: account % does not exist', NEW.account_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.current_balance := new_balance;
  NEW.previous_balance := new_balance - NEW.amount;
  NEW.account_version := new_version;
  RETURN NEW;
END $$;

-- The entry's own deferred check (journal_entries_balanced) now covers all of its postings.
DROP TRIGGER postings_balanced ON postings;
DROP FUNCTION ledger_check_posting_entry();
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE FUNCTION ledger_check_posting_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ledger_assert_entry_balanced(NEW.entry_id);
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_posting_entry();
CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_balance bigint;
  new_version bigint;
BEGIN
  UPDATE accounts SET balance = balance + NEW.amount, version = version + 1
   WHERE id = NEW.account_id
   RETURNING balance, version INTO new_balance, new_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: account % does not exist', NEW.account_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.current_balance := new_balance;
  NEW.previous_balance := new_balance - NEW.amount;
  NEW.account_version := new_version;
  RETURN NEW;
END $$;
ALTER TABLE journal_entries DROP COLUMN txid;
`.execute(db);
}
