import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";

/**
 * The soak as CI runs it: `npm run soak` on the embedded default, a short version of the default
 * (600 operations, kill -9 of the whole app 3 times), asserting 0 violations (issue 13, item 10).
 * Everything the soak checks (the ledger, every balance against the client-side model, nothing
 * stuck, one order per key, no reversal lost, recovery within 15 s of /healthz, no unexpected 5xx)
 * is in scripts/lib/soak; its violations are the failure message.
 */

const OPS = 600;
const KILL_EVERY = 150;
const SEED = 1313;

describe("npm run soak (CI's short version)", () => {
  it(
    `${OPS} mixed operations with ${OPS / KILL_EVERY - 1} kill -9s end with 0 violations`,
    async () => {
      const report = path.join(os.tmpdir(), `tada-soak-report-${process.pid}.json`);
      const dataDir = path.join(os.tmpdir(), `tada-soak-ci-${process.pid}-${Date.now()}`);
      const started = Date.now();
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          "npm",
          [
            "run",
            "--silent",
            "soak",
            "--",
            "--ops",
            String(OPS),
            "--kill-every",
            String(KILL_EVERY),
            "--seed",
            String(SEED),
            "--data-dir",
            dataDir,
            "--report",
            report,
          ],
          {
            cwd: PROJECT_ROOT,
            env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let text = "";
        child.stdout?.on("data", (d) => {
          text += String(d);
        });
        child.stderr?.on("data", (d) => {
          text += String(d);
        });
        child.once("exit", (exitCode) => resolve({ code: exitCode, output: text }));
      });
      const summary = output.split("\n").find((line) => line.startsWith("soak seed=")) ?? "(no summary line)";
      process.stdout.write(`${summary} in ${Math.round((Date.now() - started) / 1000)} s\n`);
      try {
        expect(summary, output.slice(-8_000)).toMatch(/ violations=0$/);
        expect(code, output.slice(-8_000)).toBe(0);
        const parsed = JSON.parse(readFileSync(report, "utf8"));
        expect(parsed.kills).toHaveLength(OPS / KILL_EVERY - 1);
        expect(parsed.balancesChecked).toBeGreaterThan(0);
        expect(parsed.ledger.ok).toBe(true);
        rmSync(dataDir, { recursive: true, force: true });
      } finally {
        rmSync(report, { force: true });
      }
    },
    20 * 60_000,
  );
});
