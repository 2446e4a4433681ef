import { chmodSync, mkdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureTraversableByPostgres } from "./embedded";

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
});
