import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";
import { findRunningPostmaster, isAlive } from "../db/embedded";
import { type Started, spawnApp } from "../test/helpers/spawn-app";
import { freePort } from "./lib/free-port";

const dataDir = path.join(os.tmpdir(), `tada-start-${process.pid}-${Date.now()}`);
const children: ChildProcess[] = [];

/** `npm start` as an operator runs it (node --import tsx scripts/start.ts), on its own data dir and ports. */
async function startApp(env: Record<string, string>): Promise<Started> {
  const started = await spawnApp(
    {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...env,
    },
    { readyWithinMs: 60_000 },
  );
  children.push(started.child);
  return started;
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    }
  }
  const orphan = findRunningPostmaster(path.join(dataDir, "pg"));
  if (orphan) {
    process.kill(orphan.pid, "SIGINT");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start (embedded default)", () => {
  it("serves, survives kill -9 with a fast second start, and stops cleanly on Ctrl-C", async () => {
    const port = await freePort();
    const env = { PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) };

    const first = await startApp(env);
    expect(first.output()).toContain("First admin");
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    // A second copy on the same data dir is refused with a clear message.
    const second = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let secondErr = "";
    second.stderr?.on("data", (d) => {
      secondErr += String(d);
    });
    expect(await new Promise((r) => second.once("exit", r))).toBe(1);
    expect(secondErr).toMatch(/already running/);

    // kill -9: the app dies, its PostgreSQL is orphaned.
    const appPid = Number(readFileSync(path.join(dataDir, "app.pid"), "utf8"));
    expect(appPid).toBe(first.child.pid);
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect(findRunningPostmaster(path.join(dataDir, "pg"))).toBeDefined();

    const started = Date.now();
    const restarted = await startApp(env);
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(15);
    expect(restarted.output()).not.toContain("First admin");
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    restarted.child.kill("SIGINT");
    expect(await new Promise((r) => restarted.child.once("exit", r)), restarted.output()).toBe(0);
    expect(findRunningPostmaster(path.join(dataDir, "pg"))).toBeUndefined();
    expect(existsSync(path.join(dataDir, "app.pid"))).toBe(false);
    expect(isAlive(appPid)).toBe(false);
  }, 120_000);
});
