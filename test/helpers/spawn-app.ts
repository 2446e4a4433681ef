import { type ChildProcess, spawn } from "node:child_process";
import { PROJECT_ROOT } from "../../api/config";

export type Started = { child: ChildProcess; output: () => string };

/**
 * Run `scripts/start.ts` as an operator does (`node --import tsx`, so a signal reaches the app
 * itself) with exactly `env`, and wait until its banner says it is up ("Ctrl-C stops …").
 * `processGroup`: in a process group of its own, as in a terminal, so `process.kill(-pid, "SIGINT")`
 * is a Ctrl-C (it reaches every process the app started in its group).
 */
export async function spawnApp(
  env: Record<string, string>,
  options: { readyWithinMs: number; processGroup?: boolean },
): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.processGroup ?? false,
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const deadline = Date.now() + options.readyWithinMs;
  while (!output.includes("Ctrl-C stops")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`scripts/start.ts did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output };
}
