// npm run check-ledger — prove the ledger invariants (DESIGN §5) on DATABASE_URL or the embedded database.
import { checkLedger, formatLedgerChecks } from "../api/services/ledger";
import { openRuntime, runMain } from "./runtime/boot";

runMain(async () => {
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  try {
    const results = await checkLedger(runtime.db);
    process.stdout.write(`${formatLedgerChecks(results)}\n`);
    const failed = results.filter((r) => !r.ok).length;
    process.stdout.write(failed ? `\n${failed} check(s) FAILED\n` : "\nledger OK\n");
    return failed ? 1 : 0;
  } finally {
    await runtime.close();
  }
});
