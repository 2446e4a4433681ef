import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";

/** Admin accounts from the panel (super_admin only): add, role, disable/enable, unlock, the last super admin. */
const config = testConfig({ ADMIN_LOGIN_MAX_FAILURES: "3", ADMIN_LOCKOUT_MINUTES: "15" });
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let rootId = "";

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
  rootId = (
    await createAdmin({
      ctx,
      input: { email: "root@tada.test", name: "Root", password: PASSWORD, role: "super_admin" },
    })
  ).id;
});
afterAll(() => tdb.destroy());

async function signedIn(email = "root@tada.test", password = PASSWORD) {
  const b = adminBrowser(() => app);
  const signed = await adminSignIn(b, email, password);
  expect(signed.res.status, `${email} signs in`).toBe(303);
  const home = await b.request("GET", "/admin");
  return { b, csrf: home.csrf };
}

async function adminRow(email: string) {
  return tdb.db.selectFrom("admin_users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

async function auditsOf(action: string, targetId: string) {
  return tdb.db
    .selectFrom("audit_log")
    .select(["actor_id", "before", "after", "reason"])
    .where("action", "=", action)
    .where("target_id", "=", targetId)
    .orderBy("id")
    .execute();
}

describe("the last super admin", () => {
  it("cannot demote or disable themself while no other super admin is active; once there is one, can", async () => {
    const { b, csrf } = await signedIn();
    const demote = await b.request("POST", `/admin/admins/${rootId}/role`, {
      csrf,
      role: "admin",
      reason: "stepping down",
    });
    expect(demote.res.status).toBe(409);
    expect(demote.html).toContain("You are the last active super admin");
    const disable = await b.request("POST", `/admin/admins/${rootId}/status`, {
      csrf,
      status: "disabled",
      reason: "leaving",
    });
    expect(disable.res.status).toBe(409);
    expect(await adminRow("root@tada.test")).toMatchObject({ role: "super_admin", status: "active" });
    expect(await auditsOf("admin.change_role", rootId)).toEqual([]);

    // A disabled super admin does not count.
    const spare = await createAdmin({
      ctx,
      input: { email: "spare@tada.test", name: "Spare", password: PASSWORD, role: "super_admin" },
    });
    await b.request("POST", `/admin/admins/${spare.id}/status`, {
      csrf,
      status: "disabled",
      reason: "on leave",
    });
    expect((await adminRow("spare@tada.test")).status).toBe("disabled");
    expect(
      (await b.request("POST", `/admin/admins/${rootId}/role`, { csrf, role: "support", reason: "x-x" })).res
        .status,
    ).toBe(409);
    // Enabled again, the spare makes room: root may step down, then the spare is the last one.
    await b.request("POST", `/admin/admins/${spare.id}/status`, { csrf, status: "active", reason: "back" });
    const stepDown = await b.request("POST", `/admin/admins/${rootId}/role`, {
      csrf,
      role: "admin",
      reason: "stepping down",
    });
    expect(stepDown.res.headers.get("location")).toBe("/admin/admins?done=role");
    // Root is an admin now: the page is closed to them at once.
    expect((await b.request("GET", "/admin/admins")).res.status).toBe(403);
    const s = await signedIn("spare@tada.test");
    const last = await s.b.request("POST", `/admin/admins/${spare.id}/status`, {
      csrf: s.csrf,
      status: "disabled",
      reason: "testing",
    });
    expect(last.res.status).toBe(409);
    // Put root back for the other tests.
    await s.b.request("POST", `/admin/admins/${rootId}/role`, {
      csrf: s.csrf,
      role: "super_admin",
      reason: "back",
    });
    expect((await adminRow("root@tada.test")).role).toBe("super_admin");
    expect(await auditsOf("admin.change_role", rootId)).toEqual([
      {
        actor_id: rootId,
        before: { role: "super_admin" },
        after: { role: "admin" },
        reason: "stepping down",
      },
      { actor_id: spare.id, before: { role: "admin" }, after: { role: "super_admin" }, reason: "back" },
    ]);
  });
});

describe("managing admins", () => {
  it("lists admins, adds one (password of 12+ characters), changes a role; each audited", async () => {
    const { b, csrf } = await signedIn();
    const page = await b.request("GET", "/admin/admins");
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("root@tada.test");
    expect(page.html).toContain("super admin");
    expect(page.html).not.toMatch(/Last sign-in<\/th>[\s\S]*never[\s\S]*root@tada/); // root has signed in

    const short = await b.request("POST", "/admin/admins", {
      csrf,
      email: "new@tada.test",
      name: "New",
      role: "support",
      password: "short-pass1",
    });
    expect(short.res.status).toBe(400);
    expect(short.html).toContain("at least 12 characters");
    expect(short.html).toContain('value="new@tada.test"'); // the form keeps what was typed
    expect(short.html).not.toContain("short-pass1");
    const badRole = await b.request("POST", "/admin/admins", {
      csrf,
      email: "new@tada.test",
      name: "New",
      role: "owner",
      password: "a-long-enough-password",
    });
    expect(badRole.res.status).toBe(400);
    const added = await b.request("POST", "/admin/admins", {
      csrf,
      email: "new@tada.test",
      name: "New",
      role: "support",
      password: "a-long-enough-password",
    });
    expect(added.res.headers.get("location")).toBe("/admin/admins?done=created");
    const twice = await b.request("POST", "/admin/admins", {
      csrf,
      email: "NEW@tada.test",
      name: "New again",
      role: "support",
      password: "a-long-enough-password",
    });
    expect(twice.res.status).toBe(409);
    expect(twice.html).toContain("already exists");
    const created = await adminRow("new@tada.test");
    expect(created).toMatchObject({ role: "support", status: "active", name: "New" });
    expect(await auditsOf("admin.create", created.id)).toEqual([
      { actor_id: rootId, before: null, after: { email: "new@tada.test", role: "support" }, reason: null },
    ]);
    // The new admin signs in with the initial password.
    const n = await signedIn("new@tada.test", "a-long-enough-password");
    expect((await n.b.request("GET", "/admin/orders")).res.status).toBe(200);

    const role = await b.request("POST", `/admin/admins/${created.id}/role`, {
      csrf,
      role: "admin",
      reason: "now runs support shifts",
    });
    expect(role.res.status).toBe(303);
    expect((await adminRow("new@tada.test")).role).toBe("admin");
    expect(await auditsOf("admin.change_role", created.id)).toEqual([
      {
        actor_id: rootId,
        before: { role: "support" },
        after: { role: "admin" },
        reason: "now runs support shifts",
      },
    ]);
    const noReason = await b.request("POST", `/admin/admins/${created.id}/role`, {
      csrf,
      role: "support",
      reason: "",
    });
    expect(noReason.res.status).toBe(400);
    expect((await adminRow("new@tada.test")).role).toBe("admin");
  });

  it("disabling an admin ends their sessions at once and stops sign-in; enabling lets them back", async () => {
    const { b, csrf } = await signedIn();
    const target = await createAdmin({
      ctx,
      input: { email: "gone@tada.test", name: "Gone", password: PASSWORD, role: "admin" },
    });
    const victim = await signedIn("gone@tada.test");
    expect((await victim.b.request("GET", "/admin")).res.status).toBe(200);

    const off = await b.request("POST", `/admin/admins/${target.id}/status`, {
      csrf,
      status: "disabled",
      reason: "left the company",
    });
    expect(off.res.headers.get("location")).toBe("/admin/admins?done=disabled");
    expect((await victim.b.request("GET", "/admin")).res.headers.get("location")).toBe("/admin/login");
    const theirPost = await victim.b.request("POST", "/admin/logout", { csrf: victim.csrf });
    expect(theirPost.res.headers.get("location")).toBe("/admin/login");
    const sessions = await tdb.db
      .selectFrom("admin_sessions")
      .select("revoked_at")
      .where("admin_id", "=", target.id)
      .execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.revoked_at !== null)).toBe(true);
    const again = adminBrowser(() => app);
    expect((await adminSignIn(again, "gone@tada.test", PASSWORD)).res.status).toBe(401);
    expect((await b.request("GET", "/admin/admins")).html).toMatch(
      /gone@tada\.test[\s\S]*?badge bad">disabled/,
    );

    await b.request("POST", `/admin/admins/${target.id}/status`, {
      csrf,
      status: "active",
      reason: "rehired",
    });
    await signedIn("gone@tada.test");
    const audits = await auditsOf("admin.disable", target.id);
    expect(audits).toEqual([
      {
        actor_id: rootId,
        before: { status: "active" },
        after: { status: "disabled", sessionsRevoked: 1 },
        reason: "left the company",
      },
    ]);
    expect(await auditsOf("admin.enable", target.id)).toHaveLength(1);
  });

  it("unlocks an account locked by wrong passwords", async () => {
    const { b, csrf } = await signedIn();
    const target = await createAdmin({
      ctx,
      input: { email: "locked@tada.test", name: "Locked", password: PASSWORD, role: "support" },
    });
    const them = adminBrowser(() => app);
    for (let i = 0; i < 3; i++) {
      await adminSignIn(them, "locked@tada.test", "wrong-password-here");
    }
    expect((await adminSignIn(them, "locked@tada.test", PASSWORD)).res.status).toBe(423);
    const page = await b.request("GET", "/admin/admins");
    expect(page.html).toContain(`/admin/admins/${target.id}/unlock`);
    const unlock = await b.request("POST", `/admin/admins/${target.id}/unlock`, {
      csrf,
      reason: "verified by phone",
    });
    expect(unlock.res.headers.get("location")).toBe("/admin/admins?done=unlocked");
    expect((await adminRow("locked@tada.test")).locked_until).toBeNull();
    expect((await adminSignIn(them, "locked@tada.test", PASSWORD)).res.status).toBe(303);
    const [audit] = await auditsOf("admin.unlock", target.id);
    expect(audit).toMatchObject({
      actor_id: rootId,
      after: { failedLogins: 0, lockedUntil: null },
      reason: "verified by phone",
    });
    expect((audit?.before as { lockedUntil: string | null } | undefined)?.lockedUntil).toMatch(/^20/);
  });
});

describe("who may", () => {
  it("admin and support get 403 on the page and every POST; nothing changes", async () => {
    const target = await createAdmin({
      ctx,
      input: { email: "target@tada.test", name: "Target", password: PASSWORD, role: "support" },
    });
    for (const role of ["admin", "support"] as const) {
      await createAdmin({
        ctx,
        input: { email: `${role}-who@tada.test`, name: role, password: PASSWORD, role },
      });
    }
    // Signing in touches the signers' own rows; the target and the list of admins must not change.
    const snapshot = async () => ({
      target: await adminRow("target@tada.test"),
      ids: (await tdb.db.selectFrom("admin_users").select("id").orderBy("id").execute()).map((r) => r.id),
    });
    const was = await snapshot();
    for (const email of ["admin-who@tada.test", "support-who@tada.test"]) {
      const { b, csrf } = await signedIn(email);
      const page = await b.request("GET", "/admin/admins");
      expect(page.res.status).toBe(403);
      expect(page.html).toContain("needs the super admin role");
      const posts: [string, Record<string, string>][] = [
        [
          "/admin/admins",
          { email: "x@tada.test", name: "X", role: "super_admin", password: "a-long-enough-password" },
        ],
        [`/admin/admins/${target.id}/role`, { role: "super_admin", reason: "promote me" }],
        [`/admin/admins/${target.id}/status`, { status: "disabled", reason: "bye" }],
        [`/admin/admins/${target.id}/unlock`, { reason: "please" }],
      ];
      for (const [path, form] of posts) {
        const res = await b.request("POST", path, { csrf, ...form });
        expect(res.res.status, `${email} POST ${path}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(was);
  });

  it("a super admin's POST without the CSRF token is refused", async () => {
    const { b } = await signedIn();
    const res = await b.request("POST", "/admin/admins", {
      email: "csrf@tada.test",
      name: "C",
      role: "support",
      password: "a-long-enough-password",
    });
    expect(res.res.status).toBe(403);
    expect(res.html).toContain("CSRF");
    const role = await b.request("POST", `/admin/admins/${rootId}/role`, {
      role: "support",
      reason: "forged",
    });
    expect(role.res.status).toBe(403);
    expect(
      await tdb.db
        .selectFrom("admin_users")
        .select("id")
        .where("email", "=", "csrf@tada.test")
        .executeTakeFirst(),
    ).toBeUndefined();
    expect((await adminRow("root@tada.test")).role).toBe("super_admin");
  });
});
