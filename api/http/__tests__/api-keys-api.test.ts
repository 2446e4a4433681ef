import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogger, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  type JsonResponse,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { until } from "../../../test/helpers/until";
import { AUTH_CHANGED_CHANNEL, CredentialCache } from "../../services/auth";
import { PgListener } from "../../services/pg-listener";
import { routeAuthOf } from "../middleware";

/**
 * Reseller API keys (issue 20, DECISIONS §72): scopes per key and per route, IP allow-lists, per-key
 * rate limits shared by every API process, sandbox keys, PATCH and rotate.
 */
let tdb: TestDatabase;
let app: TestApp;

// One clock for the apps whose rate limits a test counts: a minute boundary mid-test would reset them.
const fixedNow = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 5_000);
const config = testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000" });

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = makeTestApp(tdb.db, { config }).app;
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

async function createKey(token: string, body: Record<string, unknown>, on: TestApp = app) {
  const res = await call(on, "POST", "/api/api-keys", { token, body: { name: "shop", ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; key: string; scopes: string[] } & Record<string, unknown>;
}

/** One route per scope, with a body that fails validation once the scope check lets it through. */
const SCOPED = {
  read: { method: "GET", path: "/api/wallet/balance" },
  purchase: { method: "POST", path: "/api/vtu/airtime" },
  withdraw: { method: "POST", path: "/api/wallet/withdraw" },
  gift: { method: "POST", path: "/api/gift-rooms/create" },
} as const;

function hit(token: string, scope: keyof typeof SCOPED, on: TestApp = app): Promise<JsonResponse> {
  const { method, path } = SCOPED[scope];
  return call(on, method, path, { token, ...(method === "POST" ? { body: {} } : {}) });
}

describe("create and list", () => {
  it("makes a sandbox key with read + purchase by default; the list pages as { items, nextCursor }", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const created = await createKey(token, {});
    expect(created).toMatchObject({
      scopes: ["read", "purchase"],
      ipAllowList: [],
      rateLimitPerMinute: null,
      sandbox: true,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.key).toMatch(/^tvk_sbx_/);
    expect(created.prefix).toBe(created.key.slice(0, 12));

    const list = await call(app, "GET", "/api/api-keys", { token });
    expect(list.body.data.nextCursor).toBeNull();
    expect(list.body.data.items).toHaveLength(1);
    expect(Object.keys(list.body.data.items[0]).sort()).toEqual(
      [
        "id",
        "name",
        "prefix",
        "scopes",
        "ipAllowList",
        "rateLimitPerMinute",
        "sandbox",
        "createdAt",
        "lastUsedAt",
        "revokedAt",
      ].sort(),
    );
    expect(JSON.stringify(list.body)).not.toContain(created.key);

    expect((await hit(created.key, "read")).status).toBe(200);
    const used = await call(app, "GET", "/api/api-keys", { token });
    expect(used.body.data.items[0].lastUsedAt).toEqual(expect.any(String));
  });

  it("validates scopes, allow-list entries and the rate limit, naming the field", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const bad = async (body: Record<string, unknown>, field: string, text: RegExp) => {
      const res = await call(app, "POST", "/api/api-keys", { token, body: { name: "x", ...body } });
      expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(String(res.body.error)).toMatch(text);
    };
    await bad({ scopes: ["read", "admin"] }, "scopes.1", /read|purchase/);
    await bad({ scopes: [] }, "scopes", /at least one scope/);
    await bad({ ipAllowList: ["203.0.113.0/24", "not-an-ip"] }, "ipAllowList.1", /not an IP address/);
    await bad({ ipAllowList: ["10.1.2.3/8"] }, "ipAllowList.0", /did you mean 10\.0\.0\.0\/8/);
    await bad({ ipAllowList: ["2001:db8::/129"] }, "ipAllowList.0", /0 to 128/);
    await bad(
      { ipAllowList: Array.from({ length: 21 }, (_, i) => `203.0.113.${i}`) },
      "ipAllowList",
      /at most 20/,
    );
    await bad({ rateLimitPerMinute: 0 }, "rateLimitPerMinute", /rateLimitPerMinute/);
    await bad({ rateLimitPerMinute: 100_001 }, "rateLimitPerMinute", /100000/);
    await bad({ rateLimitPerMinute: 1.5 }, "rateLimitPerMinute", /whole number/);

    const ok = await createKey(token, {
      scopes: ["gift", "read", "read"],
      ipAllowList: ["2001:DB8:0:0::/64", "::ffff:203.0.113.7", "203.0.113.7"],
      rateLimitPerMinute: 30,
    });
    expect(ok).toMatchObject({
      scopes: ["read", "gift"],
      ipAllowList: ["2001:db8::/64", "203.0.113.7"],
      rateLimitPerMinute: 30,
    });
  });
});

describe("scopes", () => {
  it("refuses a key each scope it lacks with 403 API_KEY_SCOPE_MISSING, naming the scope and the way to get it", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    for (const scope of ["read", "purchase", "withdraw", "gift"] as const) {
      const others = (["read", "purchase", "withdraw", "gift"] as const).filter((s) => s !== scope);
      const { key, id } = await createKey(token, { scopes: others });
      const refused = await hit(key, scope);
      expectErrorEnvelope(refused, 403, "API_KEY_SCOPE_MISSING");
      expect(refused.body.details).toEqual({ scope, keyScopes: others });
      expect(refused.body.error).toContain(`"${scope}" scope`);
      expect(refused.body.error).toContain(`PATCH /api/api-keys/${id}`);
      expect(refused.body.error).toContain("POST /api/api-keys");
      // Every other scope passes the check (and reaches the route: 200, or 400 for the empty body).
      for (const other of others) {
        expect((await hit(key, other)).status, `${scope} key on ${other}`).not.toBe(403);
      }
      await call(app, "DELETE", `/api/api-keys/${id}`, { token });
    }
  });

  it("a login session holds every scope", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    expect((await hit(token, "read")).status).toBe(200);
    for (const scope of ["purchase", "withdraw", "gift"] as const) {
      const res = await hit(token, scope);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
    }
  });

  it("a default key cannot withdraw or claim gifts, and never manages keys", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const { key, id } = await createKey(token, {});
    expectErrorEnvelope(await hit(key, "withdraw"), 403, "API_KEY_SCOPE_MISSING");
    expectErrorEnvelope(
      await call(app, "POST", "/api/wallet/withdraw/resolve", { token: key, body: {} }),
      403,
      "API_KEY_SCOPE_MISSING",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/gift-rooms/claim", {
        token: key,
        body: { token: "no-such-room", phone: "08031234567" },
      }),
      403,
      "API_KEY_SCOPE_MISSING",
    );
    for (const [method, path] of [
      ["GET", "/api/api-keys"],
      ["POST", "/api/api-keys"],
      ["PATCH", `/api/api-keys/${id}`],
      ["POST", `/api/api-keys/${id}/rotate`],
      ["DELETE", `/api/api-keys/${id}`],
    ] as const) {
      expectErrorEnvelope(
        await call(app, method, path, { token: key, ...(method === "GET" ? {} : { body: { name: "x" } }) }),
        401,
        "SESSION_REQUIRED",
      );
    }
  });

  it("every route that takes a bearer credential declares its scope: GETs read, the map as documented", () => {
    const declared = new Map<string, string>();
    for (const route of app.routes) {
      const auth = routeAuthOf(route.handler);
      if (auth) {
        declared.set(`${route.method} ${route.path}`, "sessionOnly" in auth ? "session" : auth.scope);
      }
    }
    for (const [route, need] of declared) {
      if (route.startsWith("GET ") && !route.startsWith("GET /api/api-keys")) {
        expect(need, route).toBe("read");
      }
    }
    expect(Object.fromEntries(declared)).toMatchObject({
      "GET /api/wallet/balance": "read",
      "GET /api/vtu/plans/:network": "read",
      "POST /api/vtu/airtime": "purchase",
      "POST /api/vtu/data": "purchase",
      "POST /api/vtu/cable": "purchase",
      "POST /api/vtu/electricity": "purchase",
      "POST /api/vtu/verify": "purchase",
      "POST /api/points/redeem": "purchase",
      "POST /api/schedules": "purchase",
      "PATCH /api/schedules/:id": "purchase",
      "DELETE /api/schedules/:id": "purchase",
      "POST /api/wallet/withdraw": "withdraw",
      "POST /api/wallet/withdraw/resolve": "withdraw",
      "POST /api/gift-rooms/create": "gift",
      "POST /api/gift-rooms/:id{gft_[0-9a-z]+}/close": "gift",
      "POST /api/gift-rooms/claim": "gift",
      "POST /api/gift-rooms/join": "gift",
      "GET /api/api-keys": "session",
      "POST /api/api-keys": "session",
      "PATCH /api/api-keys/:id": "session",
      "POST /api/api-keys/:id/rotate": "session",
      "DELETE /api/api-keys/:id": "session",
    });
    // Every bearer route of the customer API is covered (admin keys and webhooks have their own auth).
    const customerRoutes = app.routes.filter(
      (r) =>
        r.path.startsWith("/api/") &&
        !/^\/api\/(admin|webhooks|telegram|auth\/(register|login))/.test(r.path) &&
        ![
          "/api/vtu/networks",
          "/api/vtu/electricity/discos",
          "/api/vtu/network-guess",
          "/api/gift-rooms/:token",
        ].includes(r.path) &&
        r.method !== "ALL",
    );
    for (const route of customerRoutes) {
      expect(declared.has(`${route.method} ${route.path}`), `${route.method} ${route.path}`).toBe(true);
    }
  });
});

describe("IP allow-list", () => {
  it("lets a key in from its addresses and CIDRs (IPv4 and IPv6) and refuses others, naming the address", async () => {
    const proxied = makeTestApp(tdb.db, { config: testConfig({ TRUST_PROXY: "1" }) }).app;
    const token = await registerAndLogin(app, uniquePhone());
    const { key, id } = await createKey(token, {
      ipAllowList: ["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"],
    });
    const from = (ip?: string, on: TestApp = proxied) =>
      call(on, "GET", "/api/wallet/balance", {
        token: key,
        headers: ip ? { "x-forwarded-for": ip } : {},
      });
    for (const ip of ["203.0.113.1", "203.0.113.254", "198.51.100.7", "2001:db8::1", "2001:db8:ffff::9"]) {
      expect((await from(ip)).status, ip).toBe(200);
    }
    for (const ip of ["203.0.114.1", "198.51.100.8", "2001:db9::1", "10.0.0.1"]) {
      const refused = await from(ip);
      expectErrorEnvelope(refused, 403, "API_KEY_IP_NOT_ALLOWED");
      expect(refused.body.error).toContain(ip);
      expect(refused.body.error).toContain(`PATCH /api/api-keys/${id}`);
      expect(refused.body.details).toEqual({ ip });
    }
    // Without TRUST_PROXY the header is not believed: the socket address ("unknown" here) is refused.
    expectErrorEnvelope(await from("203.0.113.1", app), 403, "API_KEY_IP_NOT_ALLOWED");
    // A session is not bound to the key's list; a key without a list works from anywhere.
    expect((await call(proxied, "GET", "/api/wallet/balance", { token })).status).toBe(200);
    const open = await createKey(token, {});
    expect((await call(app, "GET", "/api/wallet/balance", { token: open.key })).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("sends RateLimit-* headers on every key request and 429 RATE_LIMITED with Retry-After past the limit", async () => {
    const clocked = makeTestApp(tdb.db, { config, now: () => fixedNow }).app;
    const token = await registerAndLogin(app, uniquePhone());
    const { key } = await createKey(token, { rateLimitPerMinute: 3, scopes: ["purchase"] });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      // A refused scope still counts: a key hammering a route it may not use is limited too.
      answers.push(await call(clocked, "GET", "/api/wallet/balance", { token: key }));
    }
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403]);
    expect(answers.map((a) => a.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0"]);
    for (const a of answers) {
      expect(a.headers.get("ratelimit-limit")).toBe("3");
      expect(a.headers.get("ratelimit-reset")).toBe("55");
    }
    const limited = await call(clocked, "POST", "/api/vtu/airtime", { token: key, body: {} });
    expectErrorEnvelope(limited, 429, "RATE_LIMITED");
    expect(limited.headers.get("retry-after")).toBe("55");
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(limited.body.details).toEqual({ retryAfterSeconds: 55 });
    // Sessions are not limited per key.
    const session = await call(clocked, "GET", "/api/wallet/balance", { token });
    expect(session.status).toBe(200);
    expect(session.headers.get("ratelimit-limit")).toBeNull();
  });

  it("uses the deployment's default unless the key has its own", async () => {
    const clocked = makeTestApp(tdb.db, {
      config: testConfig({ API_KEY_RATE_LIMIT_PER_MINUTE: "2" }),
      now: () => fixedNow,
    }).app;
    const token = await registerAndLogin(app, uniquePhone());
    const { key } = await createKey(token, {});
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(clocked, "GET", "/api/wallet/balance", { token: key })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("holds across two app instances on one database", async () => {
    const a = makeTestApp(tdb.db, { config, now: () => fixedNow }).app;
    const b = makeTestApp(tdb.db, { config, now: () => fixedNow }).app;
    const token = await registerAndLogin(app, uniquePhone());
    // 4 a minute: taken one at a time, so the count is exact whichever instance answers.
    const small = await createKey(token, { rateLimitPerMinute: 4 });
    const statuses = [];
    for (const on of [a, b, a, b, a, b]) {
      statuses.push((await call(on, "GET", "/api/wallet/balance", { token: small.key })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);

    // 100 a minute: each instance takes leases of 5; together they never admit more than 100, and
    // refuse at most a lease's worth early.
    const large = await createKey(token, { rateLimitPerMinute: 100 });
    const admitted = { a: 0, b: 0 };
    await Promise.all(
      (["a", "b"] as const).map(async (name) => {
        for (let i = 0; i < 70; i++) {
          const res = await call(name === "a" ? a : b, "GET", "/api/wallet/balance", { token: large.key });
          if (res.status === 200) {
            admitted[name] += 1;
          } else {
            expectErrorEnvelope(res, 429, "RATE_LIMITED");
          }
        }
      }),
    );
    expect(admitted.a + admitted.b).toBeLessThanOrEqual(100);
    expect(admitted.a + admitted.b).toBeGreaterThanOrEqual(95);
    expect(Math.min(admitted.a, admitted.b)).toBeGreaterThan(0);
  });

  it("sends the same headers on the auth endpoints' per-IP limit", async () => {
    const res = await call(app, "POST", "/api/auth/login", { body: {} });
    expect(res.status).toBe(400);
    expect(res.headers.get("ratelimit-limit")).toBe("1000");
    expect(Number(res.headers.get("ratelimit-remaining"))).toBeLessThan(1000);
    expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
  });
});

describe("PATCH and rotate", () => {
  it("PATCH changes name, scopes, allow-list and limit at once (audited), and validates", async () => {
    const token = await registerAndLogin(app, uniquePhone());
    const { key, id } = await createKey(token, {});
    expectErrorEnvelope(await hit(key, "withdraw"), 403, "API_KEY_SCOPE_MISSING");
    const patched = await call(app, "PATCH", `/api/api-keys/${id}`, {
      token,
      body: { name: "payouts", scopes: ["read", "withdraw"], rateLimitPerMinute: 50 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({
      id,
      name: "payouts",
      scopes: ["read", "withdraw"],
      rateLimitPerMinute: 50,
    });
    expect((await hit(key, "withdraw")).status).toBe(400);
    expectErrorEnvelope(await hit(key, "purchase"), 403, "API_KEY_SCOPE_MISSING");
    const reset = await call(app, "PATCH", `/api/api-keys/${id}`, {
      token,
      body: { rateLimitPerMinute: null },
    });
    expect(reset.body.data.rateLimitPerMinute).toBeNull();

    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["before", "after", "actor_type"])
      .where("action", "=", "api_key.update")
      .where("target_id", "=", id)
      .orderBy("id")
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      actor_type: "user",
      before: { name: "shop", scopes: ["read", "purchase"], rateLimitPerMinute: null },
      after: { name: "payouts", scopes: ["read", "withdraw"], rateLimitPerMinute: 50 },
    });

    const bad = async (body: unknown, status: number, code: string) =>
      expectErrorEnvelope(await call(app, "PATCH", `/api/api-keys/${id}`, { token, body }), status, code);
    await bad({}, 400, "VALIDATION_ERROR");
    await bad({ scopes: ["everything"] }, 400, "VALIDATION_ERROR");
    await bad({ ipAllowList: ["300.1.1.1"] }, 400, "VALIDATION_ERROR");
    await bad({ rateLimitPerMinute: -1 }, 400, "VALIDATION_ERROR");
    await bad({ prefix: "tvk_mine" }, 400, "VALIDATION_ERROR");
    await bad({ name: "" }, 400, "VALIDATION_ERROR");

    const other = await registerAndLogin(app, uniquePhone());
    expectErrorEnvelope(
      await call(app, "PATCH", `/api/api-keys/${id}`, { token: other, body: { name: "mine" } }),
      404,
      "NOT_FOUND",
    );
    await call(app, "DELETE", `/api/api-keys/${id}`, { token });
    await bad({ name: "again" }, 409, "API_KEY_REVOKED");
  });

  it("rotate: a new secret for the same key; the old one is refused at once, in this process and the others", async () => {
    // Two API processes with their own credential caches, as `npm start` runs them.
    const listener = await new PgListener(tdb.url, captureLogger().logger, [AUTH_CHANGED_CHANNEL]).start();
    try {
      const here = makeTestApp(tdb.db, { config, credentials: new CredentialCache(listener) }).app;
      const there = makeTestApp(tdb.db, { config, credentials: new CredentialCache(listener) }).app;
      const token = await registerAndLogin(here, uniquePhone());
      const created = await createKey(token, { scopes: ["read", "gift"], rateLimitPerMinute: 77 }, here);
      // Both processes have the key in memory.
      for (const on of [here, there]) {
        expect((await call(on, "GET", "/api/wallet/balance", { token: created.key })).status).toBe(200);
      }
      const rotated = await call(here, "POST", `/api/api-keys/${created.id}/rotate`, { token });
      expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
      const fresh = rotated.body.data;
      expect(fresh).toMatchObject({
        id: created.id,
        name: created.name,
        scopes: ["read", "gift"],
        rateLimitPerMinute: 77,
        sandbox: true,
      });
      expect(fresh.key).toMatch(/^tvk_sbx_/);
      expect(fresh.key).not.toBe(created.key);
      expect(fresh.prefix).toBe(fresh.key.slice(0, 12));
      // The answering process forgot the old secret before answering; the other hears it on commit.
      expectErrorEnvelope(
        await call(here, "GET", "/api/wallet/balance", { token: created.key }),
        401,
        "INVALID_API_KEY",
      );
      await until(
        async () => (await call(there, "GET", "/api/wallet/balance", { token: created.key })).status === 401,
        2_000,
        "the other process refusing the old secret",
      );
      for (const on of [here, there]) {
        expect((await call(on, "GET", "/api/wallet/balance", { token: fresh.key })).status).toBe(200);
      }
      const audit = await tdb.db
        .selectFrom("audit_log")
        .select(["actor_id", "before", "after"])
        .where("action", "=", "api_key.rotate")
        .where("target_id", "=", created.id)
        .executeTakeFirstOrThrow();
      expect(audit.before).toEqual({ prefix: created.prefix });
      expect(audit.after).toEqual({ prefix: fresh.prefix });
      expect(JSON.stringify(audit)).not.toContain(fresh.key);

      const other = await registerAndLogin(here, uniquePhone());
      expectErrorEnvelope(
        await call(here, "POST", `/api/api-keys/${created.id}/rotate`, { token: other }),
        404,
        "NOT_FOUND",
      );
      await call(here, "DELETE", `/api/api-keys/${created.id}`, { token });
      expectErrorEnvelope(
        await call(here, "POST", `/api/api-keys/${created.id}/rotate`, { token }),
        409,
        "API_KEY_REVOKED",
      );
    } finally {
      await listener.close();
    }
  });
});

describe("sandbox keys", () => {
  it("a live deployment sharing the database refuses a sandbox key; a live key works there", async () => {
    const live = makeTestApp(tdb.db, {
      config: testConfig({
        SANDBOX_MODE: "off",
        FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-live-deployment-in-a-test",
        FLUTTERWAVE_SECRET_HASH: "live-deployment-hash",
        INLOMAX_API_KEY: "inlomax-live-deployment-key",
      }),
    }).app;
    const phone = uniquePhone();
    const sandboxToken = await registerAndLogin(app, phone);
    const sandboxKey = await createKey(sandboxToken, {});
    expect(sandboxKey.sandbox).toBe(true);
    const refused = await call(live, "GET", "/api/wallet/balance", { token: sandboxKey.key });
    expectErrorEnvelope(refused, 401, "API_KEY_SANDBOX_ONLY");
    expect(refused.body.error).toMatch(/sandbox API key.*create a live key/);

    const login = await call(live, "POST", "/api/auth/login", {
      body: { phone, password: "correct-horse-9" },
    });
    const liveToken = login.body.data.token as string;
    const liveKey = await createKey(liveToken, {}, live);
    expect(liveKey.sandbox).toBe(false);
    expect(liveKey.key).toMatch(/^tvk_(?!sbx_)/);
    expect((await call(live, "GET", "/api/wallet/balance", { token: liveKey.key })).status).toBe(200);
    // Both listed, each marked.
    const list = await call(live, "GET", "/api/api-keys", { token: liveToken });
    expect(list.body.data.items.map((k: { sandbox: boolean }) => k.sandbox).sort()).toEqual([false, true]);
  });
});
