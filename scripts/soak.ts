// npm run soak — the embedded default under a mixed workload with kill -9 of the whole app every
// --kill-every operations, then settlement and verification (README "Soak test"). Prints each
// violation, then one summary line; exits 1 when anything was violated.
import { rmSync, writeFileSync } from "node:fs";
import { runMain } from "./lib/runtime";
import { runEmbeddedSoak } from "./lib/soak/embedded-soak";
import { parseSoakArgs, UsageError } from "./lib/soak/options";
import { reportJson, summaryLine } from "./lib/soak/report";

runMain(async () => {
  let options: ReturnType<typeof parseSoakArgs>;
  try {
    options = parseSoakArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message.trim()}\n`);
      return 2;
    }
    throw error;
  }
  const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
  const result = await runEmbeddedSoak(options, log);
  if (options.report) {
    writeFileSync(options.report, `${reportJson(result)}\n`);
    log(`report written to ${options.report}`);
  }
  for (const line of result.violations.format()) {
    process.stdout.write(`${line}\n`);
  }
  if (result.violations.count > 0 || options.keep) {
    log(`DATA_DIR kept for inspection: ${result.dataDir} (app logs: app-*.log)`);
  } else {
    rmSync(result.dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`${summaryLine(result)}\n`);
  return result.violations.count > 0 ? 1 : 0;
});
