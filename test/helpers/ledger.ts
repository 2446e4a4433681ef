import type { Kysely } from "kysely";
import { expect } from "vitest";
import { checkLedger, formatLedgerChecks } from "../../api/services/ledger";
import type { Database } from "../../db/database";

/** Every money test ends with this: the same checks as `npm run check-ledger`. */
export async function expectLedgerConsistent(db: Kysely<Database>): Promise<void> {
  const results = await checkLedger(db);
  const failed = results.filter((r) => !r.ok);
  expect(failed, formatLedgerChecks(results)).toEqual([]);
}
