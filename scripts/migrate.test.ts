import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { PROJECT_ROOT } from "../api/config";

/**
 * `npm run migrate` as the scale-out steps run it (README "Scale-out mode"): DATABASE_URL and
 * NODE_ENV=production, no provider keys, no PIN_PEPPER, no SANDBOX_MODE. Migrating must not need
 * the secrets the app needs to serve (issue 13, item 9).
 */

const adminUrl = inject("adminDatabaseUrl");
const name = `migrate_${randomBytes(5).toString("hex")}`;
const databaseUrl = adminUrl.replace(/\/postgres$/, `/${name}`);

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

function migrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "migrate"], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (d) => {
      output += String(d);
    });
    child.stderr?.on("data", (d) => {
      output += String(d);
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe("npm run migrate", () => {
  it("migrates an empty database with DATABASE_URL alone, in production, without keys or secrets", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const first = await migrate({ NODE_ENV: "production", DATABASE_URL: databaseUrl });
    expect(first.output).toMatch(/^applied: /m);
    expect(first.code, first.output).toBe(0);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const tables = await client.query("SELECT to_regclass('public.vtu_orders') AS t");
    await client.end();
    expect(tables.rows[0].t).toBe("vtu_orders");

    const again = await migrate({ NODE_ENV: "production", DATABASE_URL: databaseUrl });
    expect(again.output).toContain("database is up to date");
    expect(again.code).toBe(0);
  }, 60_000);

  it("still names a bad database variable and exits 1", async () => {
    const bad = await migrate({ NODE_ENV: "production", DATABASE_URL: "mysql://nope" });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("DATABASE_URL");
  }, 60_000);
});
