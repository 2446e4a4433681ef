import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminBrowser, adminSignIn } from "../../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { createAdmin, createAdminApiKey } from "../../services/admins";
import type { ServiceContext } from "../../services/context";

/**
 * The admin API and panel routes for loyalty points and the referral abuse view (issue 18 §5):
 * support keys read, admin keys give bonuses (audited, through the ledger); the panel's forms check
 * the role the same way.
 */
const PASSWORD = "correct-horse-battery-9";
const config = testConfig({ POINT_VALUE_KOBO: "50" });

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let adminKey: string;
let supportKey: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
  const boss = await createAdmin({
    ctx,
    input: { email: "boss@tada.test", name: "Boss", password: PASSWORD, role: "admin" },
  });
  const helper = await createAdmin({
    ctx,
    input: { email: "help@tada.test", name: "Help", password: PASSWORD, role: "support" },
  });
  adminKey = (await createAdminApiKey({ ctx, admin: boss, input: { name: "t" } })).key;
  supportKey = (await createAdminApiKey({ ctx, admin: helper, input: { name: "t" } })).key;
});
afterAll(async () => {
  await tdb?.destroy();
});

describe("points in the admin API", () => {
  it("an admin key gives bonus points; the customer's points and the report show them; support may only look", async () => {
    const customer = await createTestUser(tdb.db);
    const empty = await call(app, "GET", "/api/admin/points", { token: supportKey });
    expect(empty.status, JSON.stringify(empty.body)).toBe(200);
    expect(empty.body.data).toMatchObject({
      outstandingPoints: 0,
      liabilityKobo: 0,
      topHolders: [],
      recent: [],
    });
    expect(empty.body.data.days).toHaveLength(30);

    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${customer.id}/points/bonus`, {
        token: supportKey,
        headers: { "idempotency-key": "s-1" },
        body: { points: 10, reason: "nope" },
      }),
      403,
      "ROLE_REQUIRED",
    );
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${customer.id}/points/bonus`, {
        token: adminKey,
        headers: { "idempotency-key": "a-0" },
        body: { points: 0, reason: "launch gift" },
      }),
      400,
      "VALIDATION_ERROR",
    );
    const nobody = await call(app, "POST", "/api/admin/users/usr_nobody/points/bonus", {
      token: adminKey,
      headers: { "idempotency-key": "a-nobody" },
      body: { points: 10, reason: "launch gift" },
    });
    expect(nobody.status).toBe(404);
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${customer.id}/points/bonus`, {
        token: adminKey,
        body: { points: 250, reason: "launch gift" },
      }),
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
    );

    // Three at once with one key (a retrying script): one bonus, one answer.
    const bonus = () =>
      call(app, "POST", `/api/admin/users/${customer.id}/points/bonus`, {
        token: adminKey,
        headers: { "idempotency-key": "launch-1" },
        body: { points: 250, reason: "launch gift" },
      });
    const given = await Promise.all([bonus(), bonus(), bonus()]);
    for (const res of given) {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data).toEqual(given[0]?.body.data);
    }
    expect(given[0]?.body.data).toMatchObject({ points: 250, balance: 250 });
    const reused = await call(app, "POST", `/api/admin/users/${customer.id}/points/bonus`, {
      token: adminKey,
      headers: { "idempotency-key": "launch-1" },
      body: { points: 999, reason: "launch gift" },
    });
    expect(reused.status).toBe(409);

    const mine = await call(app, "GET", `/api/admin/users/${customer.id}/points?limit=5`, {
      token: supportKey,
    });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.data).toMatchObject({ userId: customer.id, balance: 250, valueKobo: 12_500 });
    expect(mine.body.data.statement.items).toEqual([
      expect.objectContaining({
        kind: "bonus",
        points: 250,
        balanceAfter: 250,
        description: "Bonus: launch gift",
      }),
    ]);
    expectErrorEnvelope(
      await call(app, "GET", `/api/admin/users/${customer.id}/points?before=abc`, { token: supportKey }),
      400,
      "VALIDATION_ERROR",
    );
    expect((await call(app, "GET", "/api/admin/users/usr_nobody/points", { token: supportKey })).status).toBe(
      404,
    );

    const report = await call(app, "GET", "/api/admin/points?days=7&limit=5", { token: supportKey });
    expect(report.body.data).toMatchObject({
      outstandingPoints: 250,
      holders: 1,
      liabilityKobo: 12_500,
      valueAtCurrentRateKobo: 12_500,
      topHolders: [{ userId: customer.id, balance: 250 }],
      recent: [{ userId: customer.id, kind: "bonus", points: 250, valueKobo: 12_500 }],
    });
    expect(report.body.data.days).toHaveLength(7);
    expect(report.body.data.days.at(-1).liabilityKobo).toBe(12_500);

    const audit = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "actor_id", "target_id", "reason"])
      .where("action", "=", "points.bonus")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_id: customer.id, reason: "launch gift" });
    await expectLedgerConsistent(tdb.db);
  });

  it("lists referees who share a BVN in the abuse view", async () => {
    const referrer = await createTestUser(tdb.db);
    const referees = [await createTestUser(tdb.db), await createTestUser(tdb.db)];
    for (const r of referees) {
      await tdb.db
        .updateTable("users")
        .set({ referred_by: referrer.id, referred_at: new Date() })
        .where("id", "=", r.id)
        .execute();
      await tdb.db
        .insertInto("user_kyc")
        .values({ user_id: r.id, bvn_ciphertext: "x", bvn_last3: "456", bvn_fingerprint: "fp-api-shared" })
        .execute();
    }
    const res = await call(app, "GET", "/api/admin/referrals/abuse", { token: supportKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.groups).toHaveLength(1);
    expect(res.body.data.groups[0]).toMatchObject({
      signal: "bvn",
      shared: "BVN •••••••• 456",
      referrers: [{ userId: referrer.id }],
      paidKobo: 0,
    });
    expect(res.body.data.groups[0].referees).toHaveLength(2);
  });
});

describe("points in the panel (forms)", () => {
  it("support sees the Points page without forms and may not give a bonus; an admin gives one from the customer's page", async () => {
    const customer = await createTestUser(tdb.db);
    const support = adminBrowser(app);
    await adminSignIn(support, "help@tada.test", PASSWORD);
    const seen = await support.request("GET", "/admin/points");
    expect(seen.res.status).toBe(200);
    expect(seen.html).toContain("Loyalty points");
    expect(seen.html).not.toContain("Change the rules");
    expect(seen.html).not.toContain('data-testid="bonus-form"');
    const refused = await support.request("POST", `/admin/users/${customer.id}/points/bonus`, {
      csrf: (await support.request("GET", "/admin")).csrf,
      points: "10",
      reason: "not mine to give",
    });
    expect(refused.res.status).toBe(403);
    const abuse = await support.request("GET", "/admin/referrals/abuse");
    expect(abuse.res.status).toBe(200);
    expect(abuse.html).toContain("Possible referral abuse");

    const boss = adminBrowser(app);
    await adminSignIn(boss, "boss@tada.test", PASSWORD);
    const page = await boss.request("GET", `/admin/users/${customer.id}`);
    expect(page.html).toContain('data-testid="customer-points"');
    const bad = await boss.request("POST", `/admin/users/${customer.id}/points/bonus`, {
      csrf: page.csrf,
      points: "ten",
      reason: "birthday",
    });
    expect(bad.res.status).toBe(400);
    const nonce = /name="nonce" value="([0-9a-f]{24})"/.exec(
      page.html.slice(page.html.indexOf('data-testid="bonus-form"')),
    )?.[1];
    expect(nonce).toBeDefined();
    const post = () =>
      boss.request("POST", `/admin/users/${customer.id}/points/bonus`, {
        csrf: page.csrf,
        nonce: nonce ?? "",
        points: "40",
        reason: "birthday",
      });
    const done = await post();
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get("location")).toBe(`/admin/users/${customer.id}?done=bonus_points`);
    // The same form sent again (a double click): still one bonus.
    expect((await post()).res.status).toBe(303);
    const rows = await tdb.db
      .selectFrom("point_entries")
      .select("points")
      .where("user_id", "=", customer.id)
      .execute();
    expect(rows).toEqual([{ points: 40 }]);
    const statement = await boss.request("GET", `/admin/users/${customer.id}/points`);
    expect(statement.html).toContain("Bonus: birthday");
    // The admin sees the rules but cannot change them (super admin only).
    const points = await boss.request("GET", "/admin/points");
    expect(points.html).not.toContain("Change the rules");
    expect(points.html).toContain('data-testid="bonus-form"');
    await expectLedgerConsistent(tdb.db);
  });
});
