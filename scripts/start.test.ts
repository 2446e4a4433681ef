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

/**
 * `npm start` as an operator runs it (node --import tsx scripts/start.ts), on its own data dir and
 * ports, at the default log level, in a process group of its own as in a terminal.
 */
async function startApp(env: Record<string, string>): Promise<Started & { spawnedAt: number }> {
  const spawnedAt = Date.now();
  const started = await spawnApp(
    { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", DATA_DIR: dataDir, ...env },
    { readyWithinMs: 60_000, processGroup: true },
  );
  children.push(started.child);
  return { ...started, spawnedAt };
}

/** A script run as `npm run <it>` runs it (tsx), on the app's data dir: its exit code and output. */
async function runScript(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}

/** The process group of `pid` (the 5th field of /proc/<pid>/stat). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

/** The banner: from its title line to "Ctrl-C stops everything.", as printed. */
function bannerOf(output: string): { before: string[]; banner: string[] } {
  const lines = output.split("\n");
  const first = lines.findIndex((line) => line.startsWith("  TADA VTU"));
  const last = lines.findIndex((line) => line.includes("Ctrl-C stops everything."));
  expect(first, output).toBeGreaterThan(-1);
  expect(last, output).toBeGreaterThan(first);
  return { before: lines.slice(0, first), banner: lines.slice(first, last + 1) };
}

/**
 * Ctrl-C as a terminal sends it (SIGINT to the whole process group), then every line the stop
 * printed: an error-level line, or anything that is not a JSON log line (a stack trace printed by a
 * library), fails the test. Before the embedded PostgreSQL ran in a session of its own, it got the
 * Ctrl-C too and cut the workers' connections: 4–11 "worker error" lines and pg stack traces.
 */
async function ctrlC(app: Started): Promise<{ code: number | null; stopLines: string[] }> {
  const from = app.output().length;
  const exited = new Promise<number | null>((resolve) => app.child.once("exit", (code) => resolve(code)));
  process.kill(-(app.child.pid ?? 0), "SIGINT");
  const code = await exited;
  const stopLines = app
    .output()
    .slice(from)
    .split("\n")
    .filter((line) => line.trim() !== "");
  const bad = stopLines.filter((line) => {
    try {
      const level = (JSON.parse(line) as { level?: string }).level;
      return level === "error" || level === "fatal";
    } catch {
      return true;
    }
  });
  expect(bad, `the stop printed error lines or raw output:\n${bad.join("\n")}`).toEqual([]);
  return { code, stopLines };
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
    // The banner is one block after the start-up lines, the password inside it, and "ready in" is the
    // wall time from the process's start (module loading included): at least the time to the first
    // log line, which comes after loading the modules; at most the time until the banner appeared.
    const firstBanner = bannerOf(first.output());
    expect(firstBanner.banner.some((line) => /^ {4}password {2}\S{12,}$/.test(line))).toBe(true);
    expect(firstBanner.banner.filter((line) => line.startsWith("{"))).toEqual([]);
    expect(
      firstBanner.before.some((line) => line.includes('"msg":"catalogue seeded from the providers"')),
    ).toBe(true);
    expect(firstBanner.banner.join("\n")).toContain(
      "(the first admin above, or one made with npm run create-admin)",
    );
    const readyIn = Number(/ready in (\d+\.\d)s/.exec(first.output())?.[1]);
    // "catalogue seeded" is logged while starting, before the app serves: module loading and that
    // much of the start lie inside the reported time.
    const seeded = JSON.parse(
      firstBanner.before.find((line) => line.includes('"msg":"catalogue seeded from the providers"')) ?? "{}",
    ) as { time?: string };
    const toSeeded = (Date.parse(seeded.time ?? "") - first.spawnedAt) / 1000;
    expect(readyIn).toBeGreaterThanOrEqual(Math.floor(toSeeded * 10) / 10);
    expect(readyIn).toBeLessThanOrEqual((Date.now() - first.spawnedAt) / 1000 + 0.1);
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
    // No admin is printed on a warm start, so the banner does not point "above" to one.
    expect(bannerOf(restarted.output()).banner.join("\n")).toContain(
      "(the admin printed by the first start, or one made with npm run create-admin)",
    );
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // `npm run admin-api-key` attaches to the running embedded PostgreSQL and prints the key alone
    // on stdout (the README captures it with $(…)); the key works at once.
    const made = await runScript(
      ["scripts/admin-api-key.ts", "--email", "admin@tada.local", "--name", "start test"],
      {
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT,
      },
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^tadm_[A-Za-z0-9_-]+\n$/);
    expect(made.stderr).toContain("shown once");
    const tiers = await fetch(`http://127.0.0.1:${port}/api/admin/tiers`, {
      headers: { authorization: `Bearer ${made.stdout.trim()}` },
    });
    expect(tiers.status).toBe(200);
    const unknown = await runScript(
      ["scripts/admin-api-key.ts", "--email", "nobody@example.com", "--name", "x"],
      {
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT,
      },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain(
      "No admin has the email nobody@example.com. The first admin is admin@tada.local",
    );

    // The embedded PostgreSQL is outside the app's process group, so the Ctrl-C reaches the app alone
    // and the app stops it last.
    const postmaster = findRunningPostmaster(path.join(dataDir, "pg"));
    expect(postmaster).toBeDefined();
    expect(processGroupOf(postmaster?.pid ?? 0)).not.toBe(processGroupOf(restarted.child.pid ?? 0));

    const stop = await ctrlC(restarted);
    expect(stop.code, restarted.output()).toBe(0);
    expect(stop.stopLines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    expect(findRunningPostmaster(path.join(dataDir, "pg"))).toBeUndefined();
    expect(existsSync(path.join(dataDir, "app.pid"))).toBe(false);
    expect(isAlive(appPid)).toBe(false);
  }, 120_000);
});
