import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { makeTestApp } from "../../../test/helpers/http";
import { ConfigError, loadConfig } from "../../config";

/**
 * Issue 13 §9: per-IP limits key on the client address, so X-Forwarded-For counts only as far as
 * TRUST_PROXY says proxies of ours wrote it. Unset, a client cannot dodge the auth limiter by
 * sending a new X-Forwarded-For each time; with TRUST_PROXY=N the Nth entry from the right is the
 * key. (app.request has no socket, so "the socket address" is the same "unknown" for everyone.)
 */
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.destroy());

const LIMIT = 3;
function appWith(env: Record<string, string>) {
  // Production, where the old rule trusted the first X-Forwarded-For entry (sandbox kept on so no
  // provider keys are needed).
  const config = testConfig({
    NODE_ENV: "production",
    SANDBOX_MODE: "on",
    AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT),
    ...env,
  });
  const { app } = makeTestApp(tdb.db, { config });
  // An empty body: the limiter counts the attempt before the body is read (400 below the limit).
  return async (forwardedFor?: string) => {
    const res = await app.request("/api/auth/login", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
      },
      body: "{}",
    });
    return res.status;
  };
}

describe("TRUST_PROXY", () => {
  it("unset: a new X-Forwarded-For on each try does not dodge the per-IP auth limit", async () => {
    const attempt = appWith({});
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(await attempt(`203.0.113.${i + 1}`));
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("=1: the right-most entry (what our proxy appended) is the key; the client's own entries are not", async () => {
    const attempt = appWith({ TRUST_PROXY: "1" });
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(await attempt(`10.0.0.${i + 1}, 198.51.100.7`));
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    // Another client behind the same proxy has its own budget.
    expect(await attempt("10.0.0.1, 198.51.100.8")).toBe(400);
  });

  it("=2: the second entry from the right; fewer entries fall back to the socket address", async () => {
    const attempt = appWith({ TRUST_PROXY: "2" });
    for (let i = 0; i < LIMIT; i++) {
      expect(await attempt(`spoofed-${i}, 198.51.100.9, 192.0.2.1`)).toBe(400);
    }
    expect(await attempt("anything, 198.51.100.9, 192.0.2.1")).toBe(429);
    // One entry only, or none: both are "the socket address", one shared budget.
    for (let i = 0; i < LIMIT; i++) {
      expect(await attempt(i % 2 ? undefined : "192.0.2.1")).toBe(400);
    }
    expect(await attempt()).toBe(429);
  });

  it("parses 0/false, true, a count; anything else stops start-up naming the variable", () => {
    const load = (value?: string) =>
      loadConfig({ PIN_PEPPER: "x".repeat(32), ...(value === undefined ? {} : { TRUST_PROXY: value }) })
        .TRUST_PROXY;
    expect(load()).toBe(0);
    expect(load("false")).toBe(0);
    expect(load("0")).toBe(0);
    expect(load("true")).toBe(1);
    expect(load("TRUE")).toBe(1);
    expect(load("2")).toBe(2);
    for (const bad of ["yes", "-1", "11", "1.5"]) {
      try {
        load(bad);
        expect.unreachable(`TRUST_PROXY=${bad} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems[0]).toMatch(/^TRUST_PROXY: must be 0 or false/);
      }
    }
  });
});
