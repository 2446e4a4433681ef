import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";
import { TEST_PEPPER } from "../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../test/helpers/db";
import { expectLedgerConsistent } from "../test/helpers/ledger";
import { blockProblems, readmeShellBlocks, type ShellBlock } from "../test/helpers/readme-blocks";
import { type Started, spawnApp } from "../test/helpers/spawn-app";
import { freePort } from "./lib/free-port";

/**
 * The README runs as written (issue 21): every shell block of README.md, in order, pasted into
 * bash against a fresh `npm start` (scripts/start.ts as `npm start` runs it, sandbox mode, on the
 * test PostgreSQL). A block fails the test when a command exits non-zero, when an answer is
 * `"success":false` with a code its comments do not announce ("→ 403 API_KEY_SCOPE_MISSING"), or
 * when an announced code never comes; the failure names the block's heading and shows its output.
 * Blocks that cannot run here carry `<!-- readme-test: skip (why) -->` (test/helpers/readme-blocks.ts).
 *
 * What differs from a reader's terminal, and why:
 *   - the app listens on a free port, so `localhost:3000` in a block is that port (likewise the
 *     callback receiver's port 4000 and its file: asRunHere);
 *   - it uses the test PostgreSQL, so the blocks' shell has DATABASE_URL (and the app's PIN_PEPPER)
 *     and `npm run check-ledger` checks the same database;
 *   - each block runs in its own bash (`set -eu`, in the repository, as a reader's shell would be
 *     there), with the variables the earlier blocks set; after it, nothing it started may still run.
 */

const README = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
const BLOCK_TIMEOUT_MS = 200_000;

let tdb: TestDatabase;
let app: Started | undefined;
let port = 0;
let receiverPort = 0;
const dataDir = path.join(os.tmpdir(), `tada-readme-${process.pid}-${Date.now()}`);
const shellDir = mkdtempSync(path.join(os.tmpdir(), "tada-readme-shell-"));
const stateFile = path.join(shellDir, "variables.sh");

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 2 });
  port = await freePort();
  receiverPort = await freePort();
  app = await spawnApp(
    {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATABASE_URL: tdb.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://localhost:${port}`,
      PIN_PEPPER: TEST_PEPPER,
    },
    { readyWithinMs: 90_000 },
  );
});

afterAll(async () => {
  const child = app?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await exited;
  }
  if (tdb) {
    await expectLedgerConsistent(tdb.db);
    await tdb.destroy();
  }
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(shellDir, { recursive: true, force: true });
});

/**
 * The only changes made to a block before it runs, so that two runs on one machine (two worktrees,
 * CI and a developer) never share a port or a file: the app's port, the callback receiver's port, and
 * where the receiver's file is written.
 */
function asRunHere(code: string): string {
  return code
    .replaceAll("localhost:3000", `localhost:${port}`)
    .replaceAll("127.0.0.1:3000", `127.0.0.1:${port}`)
    .replaceAll("localhost:4000", `localhost:${receiverPort}`)
    .replaceAll(".listen(4000,", `.listen(${receiverPort},`)
    .replaceAll("/tmp/tada-receiver.mjs", path.join(shellDir, "tada-receiver.mjs"));
}

/** Names every bash has before a block runs (its own and the environment's): not carried over. */
function baselineVariables(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "compgen -v"], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    child.once("error", reject);
    child.once("exit", () => resolve(`${out}__readme_names\n`));
  });
}

/** Run one block in bash; resolves with its exit code, its output, and whether it left a process behind. */
async function runBlock(
  block: ShellBlock,
  env: Record<string, string>,
  baselineFile: string,
): Promise<{ code: number | null; output: string; leftRunning: boolean }> {
  const code = asRunHere(block.code);
  const script = [
    `[ -f '${stateFile}' ] && source '${stateFile}'`,
    "set -eu",
    code,
    "set +eu",
    // Carry the block's variables to the next one, as one terminal would.
    `__readme_names=$(compgen -v | grep -vxF -f '${baselineFile}' || true)`,
    `[ -n "$__readme_names" ] && declare -p $__readme_names > '${stateFile}.next' 2>/dev/null && mv '${stateFile}.next' '${stateFile}'`,
    "exit 0",
  ].join("\n");
  const scriptFile = path.join(shellDir, `block-${block.line}.sh`);
  writeFileSync(scriptFile, script);
  // Its own process group: whatever the block starts can be found (and must be gone) afterwards.
  const child: ChildProcess = spawn("bash", [scriptFile], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const timer = setTimeout(() => killGroup(child.pid), BLOCK_TIMEOUT_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  let leftRunning = false;
  for (let waited = 0; groupAlive(child.pid); waited += 100) {
    if (waited >= 3_000) {
      leftRunning = true;
      killGroup(child.pid);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { code: exitCode, output, leftRunning };
}

function groupAlive(pid: number | undefined): boolean {
  try {
    process.kill(-(pid ?? 0), 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined): void {
  try {
    process.kill(-(pid ?? 0), "SIGKILL");
  } catch {
    // already gone
  }
}

describe("README.md runs as written", () => {
  const blocks = readmeShellBlocks(README);

  it("has shell blocks to run, and says why for each one it skips", () => {
    expect(blocks.filter((b) => !b.skip).length).toBeGreaterThan(15);
    for (const block of blocks.filter((b) => b.skip)) {
      expect(block.skip?.length, `README.md:${block.line}: say why it is skipped`).toBeGreaterThan(5);
    }
  });

  it("every shell block, in order, against a fresh npm start", async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATABASE_URL: tdb.url,
      PIN_PEPPER: TEST_PEPPER,
      LANG: "C.UTF-8",
    };
    const baselineFile = path.join(shellDir, "baseline.txt");
    writeFileSync(baselineFile, await baselineVariables(env));
    const started = Date.now();
    const timings: string[] = [];
    for (const block of blocks) {
      if (block.skip) {
        continue;
      }
      const t0 = Date.now();
      const run = await runBlock(block, env, baselineFile);
      timings.push(`${((Date.now() - t0) / 1000).toFixed(1)} s  README.md:${block.line} ${block.heading}`);
      if (process.env.README_TEST_OUTPUT) {
        // README_TEST_OUTPUT=<dir>: keep each block's output, to read what a reader would see.
        writeFileSync(path.join(process.env.README_TEST_OUTPUT, `block-${block.line}.txt`), run.output);
      }
      const problems = blockProblems(block, run);
      expect(
        problems,
        `README.md:${block.line} (${block.heading}) did not run as written:\n- ${problems.join("\n- ")}\n` +
          `--- its output ---\n${run.output.slice(-6_000)}\n--- the app's last output ---\n${app?.output().slice(-3_000)}`,
      ).toEqual([]);
    }
    process.stdout.write(
      `README blocks: ${timings.length} run, ${blocks.length - timings.length} skipped, ${((Date.now() - started) / 1000).toFixed(0)} s\n${timings.join("\n")}\n`,
    );
  }, 600_000);
});
