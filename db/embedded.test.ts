import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../scripts/lib/free-port";
import { ensureTraversableByPostgres, startEmbeddedPostgres } from "./embedded";

const root = path.join(os.tmpdir(), `tada-perm-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(process.getuid?.() !== 0)("running as root", () => {
  it("adds the search bit to folders the postgres user cannot enter, and says so", () => {
    const closed = path.join(root, "clone-here");
    mkdirSync(path.join(closed, "repo", ".data"), { recursive: true });
    chmodSync(closed, 0o700);
    const messages: string[] = [];
    ensureTraversableByPostgres([path.join(closed, "repo", ".data", "pg")], (m) => messages.push(m));
    expect(statSync(closed).mode & 0o001).toBe(0o001);
    expect(statSync(closed).mode & 0o004).toBe(0); // enter, not list
    expect(messages.join()).toContain(closed);
  });

  it("starts over a postmaster.pid whose pid is a live process that is not our postmaster", async () => {
    // After kill -9 of the whole app the dead postmaster's pid can still answer signals (a zombie not
    // yet reaped) or belong to another process; PostgreSQL alone would refuse to start.
    const dataDir = path.join(root, "stale-pid");
    const port = await freePort();
    const messages: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir, port, mode: "own" });
    await first.stop();
    const postgresUid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const postgresGid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    const squatter = spawn("sleep", ["60"], { uid: postgresUid, gid: postgresGid, stdio: "ignore" });
    try {
      const pgDir = path.join(dataDir, "pg");
      writeFileSync(
        path.join(pgDir, "postmaster.pid"),
        `${squatter.pid}\n${pgDir}\n0\n${port}\n\n127.0.0.1\n`,
      );
      const second = await startEmbeddedPostgres({
        dataDir,
        port,
        mode: "own",
        log: (m) => messages.push(m),
      });
      await second.stop();
      expect(messages.join("\n")).toContain(`removing a stale postmaster.pid (pid ${squatter.pid}`);
    } finally {
      squatter.kill("SIGKILL");
    }
  }, 60_000);
});
