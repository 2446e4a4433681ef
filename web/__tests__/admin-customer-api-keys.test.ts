import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../api/services/admins";
import { authenticate, createApiKey } from "../../api/services/auth";
import type { ServiceContext } from "../../api/services/context";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createTestUser } from "../../test/helpers/fixtures";
import { makeTestApp, type TestApp } from "../../test/helpers/http";

/**
 * A customer's API keys on their admin page (DECISIONS §72): scopes, limits, sandbox flag and last
 * use for support; a revoke form (with a reason, audited) for admins.
 */
const config = testConfig();
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
  for (const role of ["admin", "support"] as const) {
    await createAdmin({ ctx, input: { email: `${role}@tada.test`, name: role, password: PASSWORD, role } });
  }
}, 60_000);
afterAll(() => tdb.destroy());

describe("a customer's API keys in the panel", () => {
  it("shows each key's scopes, limit, sandbox flag and last use; an admin revokes one with a reason", async () => {
    const customer = await createTestUser(tdb.db);
    const payouts = await createApiKey({
      ctx,
      userId: customer.id,
      input: { name: "<b>payouts</b>", scopes: ["read", "withdraw"], ipAllowList: ["203.0.113.0/24"] },
    });
    const shop = await createApiKey({
      ctx,
      userId: customer.id,
      input: { name: "shop", rateLimitPerMinute: 600 },
    });
    await authenticate({ ctx, bearer: shop.key });

    const support = adminBrowser(app);
    await adminSignIn(support, "support@tada.test", PASSWORD);
    const seen = await support.request("GET", `/admin/users/${customer.id}`);
    expect(seen.res.status).toBe(200);
    const section = /<section data-testid="customer-api-keys">[\s\S]*?<\/section>/.exec(seen.html)?.[0] ?? "";
    expect(section).toContain("&lt;b&gt;payouts&lt;/b&gt;");
    expect(section).toContain("read, withdraw");
    expect(section).toContain("203.0.113.0/24");
    expect(section).toContain("120 (default)");
    expect(section).toContain("read, purchase");
    expect(section).toContain("600");
    expect(section).toContain(`data-key="${shop.id}" data-sandbox="true"`);
    expect(section.match(/<span class="badge">sandbox<\/span>/g)?.length).toBe(2);
    expect(section.match(/never/g)?.length).toBe(1); // payouts was never used; shop was
    // Support may look, not revoke.
    expect(section).not.toContain("/revoke");
    const refused = await support.request("POST", `/admin/users/${customer.id}/api-keys/${shop.id}/revoke`, {
      csrf: seen.csrf,
      reason: "leaked on a forum",
    });
    expect(refused.res.status).toBe(403);

    const admin = adminBrowser(app);
    await adminSignIn(admin, "admin@tada.test", PASSWORD);
    const page = await admin.request("GET", `/admin/users/${customer.id}`);
    expect(page.html).toContain(`/admin/users/${customer.id}/api-keys/${shop.id}/revoke`);
    const noReason = await admin.request("POST", `/admin/users/${customer.id}/api-keys/${shop.id}/revoke`, {
      csrf: page.csrf,
      reason: " ",
    });
    expect(noReason.res.status).toBe(400);
    expect(noReason.html).toContain("Give a reason");
    const done = await admin.request("POST", `/admin/users/${customer.id}/api-keys/${shop.id}/revoke`, {
      csrf: page.csrf,
      reason: "leaked on a forum",
    });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get("location")).toBe(`/admin/users/${customer.id}?done=api_key_revoked`);
    await expect(authenticate({ ctx, bearer: shop.key })).rejects.toMatchObject({ code: "INVALID_API_KEY" });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["actor_type", "reason"])
      .where("action", "=", "api_key.revoke")
      .where("target_id", "=", shop.id)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_type: "admin", reason: "leaked on a forum" });
    const after = await admin.request("GET", `/admin/users/${customer.id}`);
    expect(after.html).toContain(`data-key="${shop.id}" data-sandbox="true" data-revoked="true"`);

    // Another customer's key id on this customer's page is a 404, and changes nothing.
    const other = await createTestUser(tdb.db);
    const theirs = await createApiKey({ ctx, userId: other.id, input: { name: "theirs" } });
    const wrong = await admin.request("POST", `/admin/users/${customer.id}/api-keys/${theirs.id}/revoke`, {
      csrf: page.csrf,
      reason: "wrong page",
    });
    expect(wrong.res.status).toBe(404);
    expect((await authenticate({ ctx, bearer: theirs.key })).userId).toBe(other.id);
    // The customer's other key still works.
    expect((await authenticate({ ctx, bearer: payouts.key, clientIp: "203.0.113.9" })).userId).toBe(
      customer.id,
    );
  });
});
