import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../api/services/admins";
import { raiseSlowResponse } from "../../api/services/alerts";
import type { ServiceContext } from "../../api/services/context";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { conformanceOf } from "../../test/helpers/openapi-conformance";

/** The alerts page, each admin's account (alert chats, API keys) and /api/admin behind those keys. */
const config = testConfig();
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
const PASSWORD = "correct-horse-battery-9";

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
  for (const [email, role] of [
    ["support@tada.test", "support"],
    ["admin@tada.test", "admin"],
  ] as const) {
    await createAdmin({ ctx, input: { email, name: role, password: PASSWORD, role } });
  }
});
afterAll(() => tdb.destroy());

async function signedIn(email: string) {
  const b = adminBrowser(app);
  expect((await adminSignIn(b, email, PASSWORD)).res.status).toBe(303);
  return b;
}

/** Create an admin API key through the panel and read it off the page (it is shown once). */
async function keyFor(email: string) {
  const b = await signedIn(email);
  const account = await b.request("GET", "/admin/account");
  const created = await b.request("POST", "/admin/account/api-keys", { csrf: account.csrf, name: "report" });
  expect(created.res.status).toBe(201);
  const key = /data-new-key="?[^>]*>(tadm_[A-Za-z0-9_-]+)</.exec(created.html)?.[1];
  expect(key).toBeTruthy();
  // Shown once: the next page load has only its prefix.
  expect((await b.request("GET", "/admin/account")).html).not.toContain(key);
  return { key: key ?? "", b };
}

/** A call with an admin key; its answer is also checked against /openapi.json, like `call()`'s. */
async function api(key: string, path: string, init: RequestInit = {}) {
  const res = await app.request(path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
  });
  const problems = (await conformanceOf(app)).check(
    init.method ?? "GET",
    path,
    res.status,
    await res.clone().json(),
  );
  expect(problems).toEqual([]);
  return res;
}

describe("alerts page", () => {
  it("shows open alerts to everyone; only an admin resolves one, with a reason, audited", async () => {
    await raiseSlowResponse(ctx, { method: "GET", route: "/api/vtu/orders", seconds: 6 });
    const support = await signedIn("support@tada.test");
    const seen = await support.request("GET", "/admin/alerts");
    expect(seen.html).toContain("Slow responses on GET /api/vtu/orders");
    expect(seen.html).not.toContain("Mark resolved");
    // The navigation offers support only what support may open, on every page.
    for (const path of [
      "/admin/alerts",
      "/admin/users",
      "/admin/orders",
      "/admin/approvals",
      "/admin/audit",
    ]) {
      const nav = (await support.request("GET", path)).html;
      expect(nav, path).toContain('href="/admin/orders"');
      expect(nav, path).not.toContain('href="/admin/catalogue"');
      expect(nav, path).not.toContain('href="/admin/admins"');
    }
    const [alert] = await tdb.db
      .selectFrom("admin_alerts")
      .select("id")
      .where("resolved_at", "is", null)
      .execute();
    const account = await support.request("GET", "/admin/account");
    const refused = await support.request("POST", `/admin/alerts/${alert?.id}/resolve`, {
      csrf: account.csrf,
      reason: "looked fine",
    });
    expect(refused.res.status).toBe(403);

    const admin = await signedIn("admin@tada.test");
    const page = await admin.request("GET", "/admin/alerts");
    expect(page.html).toContain("Mark resolved");
    const noReason = await admin.request("POST", `/admin/alerts/${alert?.id}/resolve`, {
      csrf: page.csrf,
      reason: "",
    });
    expect(noReason.res.status).toBe(400);
    expect(noReason.html).toContain("reason: say why it is resolved");
    const forged = await admin.request("POST", `/admin/alerts/${alert?.id}/resolve`, { reason: "no csrf" });
    expect(forged.res.status).toBe(403);
    const done = await admin.request("POST", `/admin/alerts/${alert?.id}/resolve`, {
      csrf: page.csrf,
      reason: "database vacuum finished",
    });
    expect(done.res.status).toBe(303);
    const twice = await admin.request("POST", `/admin/alerts/${alert?.id}/resolve`, {
      csrf: page.csrf,
      reason: "again",
    });
    expect(twice.res.status).toBe(409);
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "reason"])
      .where("action", "=", "alert.resolve")
      .execute();
    expect(audit).toEqual([{ action: "alert.resolve", reason: "database vacuum finished" }]);
  });
});

describe("/api/admin with admin API keys", () => {
  it("reads users and transactions with a support key, refuses its actions; an admin key acts, audited", async () => {
    const customer = await createTestUser(tdb.db);
    await tdb.db
      .updateTable("users")
      .set({ display_name: "Chiamaka Obi" })
      .where("id", "=", customer.id)
      .execute();
    const { key: supportKey } = await keyFor("support@tada.test");
    const found = await api(supportKey, "/api/admin/users?q=Chiamaka");
    expect(found.status).toBe(200);
    const body = (await found.json()) as { data: { items: { id: string }[] } };
    expect(body.data.items.map((u) => u.id)).toEqual([customer.id]);
    const detail = await api(supportKey, `/api/admin/users/${customer.id}`);
    expect(detail.status).toBe(200);
    expect(JSON.stringify(await detail.json())).not.toMatch(/pin_hash|password/);
    expect((await api(supportKey, "/api/admin/transactions?state=delivered")).status).toBe(200);
    const unknownFilter = await api(supportKey, "/api/admin/transactions?colour=red");
    expect(unknownFilter.status).toBe(400);

    const action = { action: "suspend", reason: "chargeback investigation" };
    const refused = await api(supportKey, `/api/admin/users/${customer.id}/actions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(action),
    });
    expect(refused.status).toBe(403);

    const { key: adminKey } = await keyFor("admin@tada.test");
    const extraField = await api(adminKey, `/api/admin/users/${customer.id}/actions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...action, balance: 1_000_000 }),
    });
    expect(extraField.status).toBe(400);
    const suspended = await api(adminKey, `/api/admin/users/${customer.id}/actions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(action),
    });
    expect(suspended.status).toBe(200);
    const user = await tdb.db
      .selectFrom("users")
      .select("status")
      .where("id", "=", customer.id)
      .executeTakeFirstOrThrow();
    expect(user.status).toBe("suspended");
    const audit = await tdb.db
      .selectFrom("audit_log as l")
      .innerJoin("admin_users as a", "a.id", "l.actor_id")
      .select(["a.email", "l.action", "l.reason"])
      .where("l.target_id", "=", customer.id)
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({ email: "admin@tada.test", reason: "chargeback investigation" }),
    ]);
  });

  it("serves the dashboard's analytics: totals equal independent SQL; a bad range is a 400 that says why", async () => {
    const { key } = await keyFor("support@tada.test");
    const res = await api(key, "/api/admin/analytics");
    expect(res.status).toBe(200);
    const report = (
      (await res.json()) as {
        data: { range: { days: number }; totals: { totalUsers: number; transactions: number } };
      }
    ).data;
    expect(report.range.days).toBe(30);
    const users = await tdb.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(report.totals.totalUsers).toBe(Number(users.n));
    const bad = await api(key, "/api/admin/analytics?from=2026-13-01");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/date/i);
    expect((await api(key, "/api/admin/analytics?colour=red")).status).toBe(400);
  });

  it("refuses missing, reseller, revoked keys and keys of disabled admins with a clear message", async () => {
    const none = await app.request("/api/admin/users");
    expect(none.status).toBe(401);
    expect(JSON.stringify(await none.json())).toContain("Bearer tadm_");
    expect((await api("tvk_not-an-admin-key", "/api/admin/users")).status).toBe(401);

    const { key, b } = await keyFor("admin@tada.test");
    expect((await api(key, "/api/admin/users")).status).toBe(200);
    const [row] = await tdb.db
      .selectFrom("admin_api_keys")
      .select("id")
      .where("prefix", "=", key.slice(0, 13))
      .execute();
    const account = await b.request("GET", "/admin/account");
    expect(
      (await b.request("POST", `/admin/account/api-keys/${row?.id}/revoke`, { csrf: account.csrf })).res
        .status,
    ).toBe(303);
    const revoked = await api(key, "/api/admin/users");
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(await revoked.json())).toContain("unknown, revoked, or its admin is disabled");

    const { key: other } = await keyFor("support@tada.test");
    await tdb.db
      .updateTable("admin_users")
      .set({ status: "disabled" })
      .where("email", "=", "support@tada.test")
      .execute();
    expect((await api(other, "/api/admin/users")).status).toBe(401);
    await tdb.db
      .updateTable("admin_users")
      .set({ status: "active" })
      .where("email", "=", "support@tada.test")
      .execute();
  });
});
