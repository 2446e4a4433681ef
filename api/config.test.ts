import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ConfigSchema, loadConfig, PROJECT_ROOT } from "./config";

const PEPPER = "x".repeat(32);
const LIVE_GATEWAY = {
  FLUTTERWAVE_SECRET_KEY: "FLWSECK-live",
  FLUTTERWAVE_SECRET_HASH: "a-secret-hash-0123456789",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe("config", () => {
  it("applies defaults for the embedded default", () => {
    const config = loadConfig({ PIN_PEPPER: PEPPER });
    expect(config).toMatchObject({
      PORT: 3000,
      embeddedDatabase: true,
      sandbox: true,
      PIN_BCRYPT_COST: 12,
      ROLE: "all",
    });
    expect(config.publicBaseUrl).toBe("http://localhost:3000");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("names each bad variable and says what it expects", () => {
    const problems = problemsOf({
      PIN_PEPPER: PEPPER,
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      ROLE: "chef",
    });
    expect(problems.find((p) => p.startsWith("PORT:"))).toMatch(/number.*"eighty"/);
    expect(problems.find((p) => p.startsWith("DATABASE_URL:"))).toMatch(/<hidden>/);
    expect(problems.find((p) => p.startsWith("ROLE:"))).toMatch(/all.*api.*worker/);
  });

  it("requires a long PIN_PEPPER and never prints it", () => {
    expect(problemsOf({})[0]).toMatch(/^PIN_PEPPER: is required/);
    const short = problemsOf({ PIN_PEPPER: "short-secret" });
    expect(short[0]).toMatch(/^PIN_PEPPER: must be at least 32/);
    expect(short.join()).not.toContain("short-secret");
  });

  it("turns sandbox off in production unless asked", () => {
    const key = { INLOMAX_API_KEY: "live-key", ...LIVE_GATEWAY };
    expect(loadConfig({ PIN_PEPPER: PEPPER, NODE_ENV: "production", ...key }).sandbox).toBe(false);
    expect(loadConfig({ PIN_PEPPER: PEPPER, NODE_ENV: "production", SANDBOX_MODE: "on" }).sandbox).toBe(true);
  });

  it("outside sandbox mode needs a provider key and a payment gateway key, and says so", () => {
    const problems = problemsOf({ PIN_PEPPER: PEPPER, NODE_ENV: "production" });
    expect(problems.join("\n")).toMatch(
      /INLOMAX_API_KEY: is required outside sandbox mode \(or SMEPLUG_SECRET_KEY\)/,
    );
    expect(problems.join("\n")).toMatch(/FLUTTERWAVE_SECRET_KEY: is required outside sandbox mode/);
    expect(
      loadConfig({ PIN_PEPPER: PEPPER, NODE_ENV: "production", SMEPLUG_SECRET_KEY: "k", ...LIVE_GATEWAY })
        .sandbox,
    ).toBe(false);
    expect(problemsOf({ PIN_PEPPER: PEPPER, FLUTTERWAVE_SECRET_KEY: "FLWSECK-x" }).join()).toMatch(
      /FLUTTERWAVE_SECRET_HASH: is required with FLUTTERWAVE_SECRET_KEY/,
    );
  });

  it("refuses amount limits where the minimum exceeds the maximum", () => {
    expect(() =>
      loadConfig({ PIN_PEPPER: PEPPER, VTU_AIRTIME_MIN_KOBO: "900", VTU_AIRTIME_MAX_KOBO: "800" }),
    ).toThrow(/VTU_AIRTIME_MIN_KOBO: must not be larger than VTU_AIRTIME_MAX_KOBO/);
  });

  it("stops start-up with a readable message (no stack trace) and exit code 1", () => {
    const result = spawnSync(
      process.execPath,
      // start.ts: the entry point that needs the whole configuration (migrate reads only the
      // database variables, so it would not stop on PORT or PIN_PEPPER).
      ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/start.ts")],
      {
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: "99999" },
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid configuration");
    expect(result.stderr).toMatch(/PORT: .*99999/);
    expect(result.stderr).toMatch(/PIN_PEPPER: is required/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe(".env.example", () => {
  it("lists every variable the schema reads, and nothing else", () => {
    const example = readFileSync(path.join(PROJECT_ROOT, ".env.example"), "utf8");
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const read = new Set(Object.keys(ConfigSchema.shape));
    expect([...read].filter((k) => !listed.has(k))).toEqual([]);
    expect([...listed].filter((k) => k && !read.has(k))).toEqual([]);
  });
});
