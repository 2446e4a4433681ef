// npm run soak — the embedded default under a mixed workload with kill -9 of the whole app every
// --kill-every operations, then settlement and verification (README "Soak test"). Prints each
// violation, then one summary line; exits 1 when anything was violated.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runEmbeddedSoak } from "./lib/soak/embedded-soak";
import { parseSoakArgs, UsageError } from "./lib/soak/options";
import { reportJson, summaryLine } from "./lib/soak/report";
import { runMain } from "./runtime/boot";

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
  // A 5xx names its requestId: print the app's own log lines for it, so a CI failure shows its cause
  // even though the DATA_DIR it keeps is on the CI machine.
  for (const line of appLogLinesFor(result.dataDir, requestIdsOf(result.violations.list))) {
    process.stdout.write(`  app log: ${line}\n`);
  }
  if (result.violations.count > 0 || options.keep) {
    log(`DATA_DIR kept for inspection: ${result.dataDir} (app logs: app-*.log)`);
  } else {
    rmSync(result.dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`${summaryLine(result)}\n`);
  return result.violations.count > 0 ? 1 : 0;
});

function requestIdsOf(violations: { evidence?: Record<string, unknown> }[]): string[] {
  return violations
    .map((v) => v.evidence?.requestId)
    .filter((id): id is string => typeof id === "string" && id.length > 0);
}

function appLogLinesFor(dataDir: string, requestIds: string[]): string[] {
  if (requestIds.length === 0) {
    return [];
  }
  let files: string[];
  try {
    files = readdirSync(dataDir).filter((f) => /^app-\d+\.log$/.test(f));
  } catch {
    return [];
  }
  return files
    .flatMap((f) => readFileSync(path.join(dataDir, f), "utf8").split("\n"))
    .filter((line) => requestIds.some((id) => line.includes(id)))
    .map((line) => (line.length > 3_000 ? `${line.slice(0, 3_000)}…` : line));
}
