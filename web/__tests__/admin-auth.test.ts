import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, ordersCsv } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { whatsAppStatus } from "../../api/services/whatsapp-status";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createFundedUser } from "../../test/helpers/fixtures";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/** The admin panel's sign-in: session cookie, CSRF on every form, lockout, audit rows, sign-out. */
const config = testConfig({ ADMIN_LOGIN_MAX_FAILURES: "3", ADMIN_LOCKOUT_MINUTES: "15" });
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
const PASSWORD = "correct-horse-battery-9";

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  app = makeTestApp(tdb.db, { config }).app;
});
afterAll(() => tdb.destroy());

const browser = () => adminBrowser(() => app);
const signIn = adminSignIn;

async function audits(adminId: string) {
  const rows = await tdb.db
    .selectFrom("audit_log")
    .select("action")
    .where("actor_id", "=", adminId)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.action);
}

describe("admin sign-in", () => {
  it("signs in with a HttpOnly SameSite=Strict cookie, shows the panel, rotates the session at each login, signs out", async () => {
    const admin = await createAdmin({
      ctx,
      input: { email: "ops@tada.test", name: "Ops", password: PASSWORD, role: "admin" },
    });
    const b = browser();
    expect((await b.request("GET", "/admin")).res.headers.get("location")).toBe("/admin/login");
    const signed = await signIn(b, "OPS@tada.test", PASSWORD);
    expect(signed.res.status).toBe(303);
    const cookie = signed.res.headers.getSetCookie().find((c) => c.startsWith("tada_admin="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    const first = b.jar.get("tada_admin");
    const home = await b.request("GET", "/admin");
    expect(home.res.status).toBe(200);
    expect(home.html).toContain("Signed in as Ops");
    expect(home.html).toMatch(/Customers/);
    expect(home.res.headers.get("cache-control")).toBe("no-store");

    // A second sign-in gets a new session id.
    const other = browser();
    await signIn(other, "ops@tada.test", PASSWORD);
    expect(other.jar.get("tada_admin")).not.toBe(first);

    // Sign out without the CSRF token: refused, still signed in.
    const forged = await b.request("POST", "/admin/logout", { csrf: "nope" });
    expect(forged.res.status).toBe(403);
    expect((await b.request("GET", "/admin")).res.status).toBe(200);
    const out = await b.request("POST", "/admin/logout", { csrf: home.csrf });
    expect(out.res.headers.get("location")).toBe("/admin/login");
    // The old cookie value no longer opens the panel.
    b.jar.set("tada_admin", first ?? "");
    expect((await b.request("GET", "/admin")).res.headers.get("location")).toBe("/admin/login");
    expect(await audits(admin.id)).toEqual(expect.arrayContaining(["admin.login", "admin.logout"]));
  });

  it("refuses a sign-in form that did not come from the page (CSRF) and a wrong password, without saying which part was wrong", async () => {
    await createAdmin({
      ctx,
      input: { email: "csrf@tada.test", name: "C", password: PASSWORD, role: "support" },
    });
    const b = browser();
    const noToken = await b.request("POST", "/admin/login", { email: "csrf@tada.test", password: PASSWORD });
    expect(noToken.res.status).toBe(403);
    expect(b.jar.has("tada_admin")).toBe(false);
    const wrong = await signIn(b, "csrf@tada.test", "not-the-password");
    expect(wrong.res.status).toBe(401);
    expect(wrong.html).toContain("Wrong email or password.");
    const unknown = await signIn(b, "nobody@tada.test", "whatever-password");
    expect(unknown.res.status).toBe(401);
    expect(unknown.html).toContain("Wrong email or password.");
  });

  it("locks an account after repeated failures: even the right password waits; audit rows record it", async () => {
    const admin = await createAdmin({
      ctx,
      input: { email: "lock@tada.test", name: "L", password: PASSWORD, role: "super_admin" },
    });
    const b = browser();
    for (let i = 0; i < 3; i++) {
      expect((await signIn(b, "lock@tada.test", "wrong-password-here")).res.status).toBe(401);
    }
    const locked = await signIn(b, "lock@tada.test", PASSWORD);
    expect(locked.res.status).toBe(423);
    expect(locked.html).toMatch(/locked until/);
    expect(b.jar.has("tada_admin")).toBe(false);
    expect(await audits(admin.id)).toEqual([
      "admin.login_failed",
      "admin.login_failed",
      "admin.locked_out",
      "admin.login_locked",
    ]);
  });
});

describe("admin customers", () => {
  it("finds a customer by phone in any form and shows the wallet, PIN state and chats; needs a session", async () => {
    await createAdmin({
      ctx,
      input: { email: "support@tada.test", name: "Sue", password: PASSWORD, role: "support" },
    });
    const customer = await createFundedUser(ctx, 250_000);
    await tdb.db
      .insertInto("identities")
      .values({ user_id: customer.id, channel: "telegram", external_id: "55501234" })
      .execute();
    const anonymous = browser();
    expect((await anonymous.request("GET", "/admin/users")).res.headers.get("location")).toBe("/admin/login");
    const b = browser();
    await signIn(b, "support@tada.test", PASSWORD);
    const phone = customer.phone ?? "";
    // Whole numbers in any form, part of a number, a chat id, the user id.
    const part = `${phone.slice(4, 7)} ${phone.slice(7)}`;
    for (const q of [
      phone,
      `+234${phone.slice(1)}`,
      `+234 ${phone.slice(1, 6)}`,
      part,
      "55501234",
      customer.id,
    ]) {
      const found = await b.request("GET", `/admin/users?q=${encodeURIComponent(q)}`);
      expect(found.html, q).toContain(`/admin/users/${customer.id}`);
    }
    // Digits that begin like the country code but are part of the number: a random phone once had
    // "234" there, and the search read "234 6971" as +234 6971 only.
    await tdb.db.updateTable("users").set({ phone: "08092346971" }).where("id", "=", customer.id).execute();
    const inside = await b.request("GET", `/admin/users?q=${encodeURIComponent("234 6971")}`);
    expect(inside.html).toContain(`/admin/users/${customer.id}`);
    const none = await b.request("GET", "/admin/users?q=nobody-here-at-all");
    expect(none.html).toContain("No customer matches.");
    const detail = await b.request("GET", `/admin/users/${customer.id}`);
    expect(detail.res.status).toBe(200);
    expect(detail.html).toContain("₦2,500");
    expect(detail.html).toContain("telegram");
    expect(detail.html).toMatch(/PIN<\/dt><dd>not set/);
    expect((await b.request("GET", "/admin/users/usr_missing")).res.status).toBe(404);
  });
});

describe("admin actions on a customer", () => {
  it("an admin suspends and reactivates with a reason, each audited with before/after; support cannot; no CSRF, no change", async () => {
    const actor = await createAdmin({
      ctx,
      input: { email: "act@tada.test", name: "Act", password: PASSWORD, role: "admin" },
    });
    await createAdmin({
      ctx,
      input: { email: "look@tada.test", name: "Look", password: PASSWORD, role: "support" },
    });
    const customer = await createFundedUser(ctx, 10_000);
    const b = browser();
    await signIn(b, "act@tada.test", PASSWORD);
    const page = await b.request("GET", `/admin/users/${customer.id}`);
    expect(page.html).toContain("Suspend the account");
    const forged = await b.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: "x",
      action: "suspend",
      reason: "fraud report",
    });
    expect(forged.res.status).toBe(403);
    const noReason = await b.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: page.csrf,
      action: "suspend",
      reason: "",
    });
    expect(noReason.res.status).toBe(400);
    expect(noReason.html).toMatch(/reason/);
    const done = await b.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: page.csrf,
      action: "suspend",
      reason: "fraud report #12",
    });
    expect(done.res.headers.get("location")).toBe(`/admin/users/${customer.id}?done=suspend`);
    // A second suspend finds nothing to do: it says so and writes no audit row (checked below).
    const again = await b.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: page.csrf,
      action: "suspend",
      reason: "fraud report #12, again",
    });
    const againLocation = again.res.headers.get("location") ?? "";
    expect(againLocation).toBe(`/admin/users/${customer.id}?done=nothing_changed`);
    expect((await b.request("GET", againLocation)).html).toContain(
      "Nothing changed: the account already was that way.",
    );
    const level = await b.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: page.csrf,
      action: "set_level",
      level: "2",
      reason: "BVN checked",
    });
    expect(level.res.status).toBe(303);
    const user = await tdb.db
      .selectFrom("users")
      .select(["status", "verification_level"])
      .where("id", "=", customer.id)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ status: "suspended", verification_level: 2 });
    const rows = await tdb.db
      .selectFrom("audit_log")
      .select(["action", "before", "after", "reason"])
      .where("actor_id", "=", actor.id)
      .where("target_id", "=", customer.id)
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      {
        action: "user.suspend",
        before: { status: "active" },
        after: { status: "suspended" },
        reason: "fraud report #12",
      },
      {
        action: "user.set_level",
        before: { level: 0, name: "basic" },
        after: { level: 2, name: "premium" },
        reason: "BVN checked",
      },
    ]);

    // S7: support sees the customer but has no actions, and a hand-made POST is refused.
    const s = browser();
    await signIn(s, "look@tada.test", PASSWORD);
    const seen = await s.request("GET", `/admin/users/${customer.id}`);
    expect(seen.html).not.toContain("Suspend the account");
    const home = await s.request("GET", "/admin");
    const refused = await s.request("POST", `/admin/users/${customer.id}/actions`, {
      csrf: home.csrf,
      action: "reactivate",
      reason: "please",
    });
    expect(refused.res.status).toBe(403);
    expect(
      (
        await tdb.db
          .selectFrom("users")
          .select("status")
          .where("id", "=", customer.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("suspended");
  });
});

describe("admin balance adjustments in the panel", () => {
  it("a large credit waits; the same admin cannot approve; a second admin approves once; a double-submitted small form books once", async () => {
    const adminConfigApp = makeTestApp(tdb.db, {
      config: testConfig({ ADMIN_ADJUSTMENT_APPROVAL_KOBO: "100000" }),
    }).app;
    const original = app;
    app = adminConfigApp;
    try {
      await createAdmin({
        ctx,
        input: { email: "maker@tada.test", name: "Maker", password: PASSWORD, role: "admin" },
      });
      await createAdmin({
        ctx,
        input: { email: "checker@tada.test", name: "Checker", password: PASSWORD, role: "admin" },
      });
      const customer = await createFundedUser(ctx, 10_000);
      const maker = browser();
      await signIn(maker, "maker@tada.test", PASSWORD);
      const page = await maker.request("GET", `/admin/users/${customer.id}`);
      const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(page.html)?.[1] ?? "";
      const small = { csrf: page.csrf, nonce, direction: "credit", amount: "500", reason: "goodwill credit" };
      await maker.request("POST", `/admin/users/${customer.id}/adjust`, small);
      await maker.request("POST", `/admin/users/${customer.id}/adjust`, small);
      const balance = async () =>
        (
          await tdb.db
            .selectFrom("accounts")
            .select("balance")
            .where("user_id", "=", customer.id)
            .executeTakeFirstOrThrow()
        ).balance;
      expect(await balance()).toBe(60_000);
      const junk = await maker.request("POST", `/admin/users/${customer.id}/adjust`, {
        ...small,
        nonce: "abcdefabcdefabcdefabcdef",
        amount: "5.005",
      });
      expect(junk.res.status).toBe(400);
      expect(junk.html).toContain("is not an amount in naira");
      expect(await balance()).toBe(60_000);
      const big = await maker.request("POST", `/admin/users/${customer.id}/adjust`, {
        csrf: page.csrf,
        nonce: "0123456789abcdef01234567",
        direction: "credit",
        amount: "2,000",
        reason: "refund of a failed transfer",
      });
      expect(big.res.headers.get("location")).toBe(`/admin/users/${customer.id}?done=sent_for_approval`);
      expect(await balance()).toBe(60_000);
      const queue = await maker.request("GET", "/admin/approvals");
      // The maker sees their request waiting, with no Approve button (issue 21 §6); a forged POST is refused.
      const id = /data-approval="(\d+)"/.exec(queue.html)?.[1];
      expect(queue.html).not.toContain(`action="/admin/approvals/${id}"`);
      const own = await maker.request("POST", `/admin/approvals/${id}`, {
        csrf: queue.csrf,
        decision: "approve",
      });
      expect(own.res.status).toBe(403);
      const checker = browser();
      await signIn(checker, "checker@tada.test", PASSWORD);
      const theirs = await checker.request("GET", "/admin/approvals");
      const approved = await checker.request("POST", `/admin/approvals/${id}`, {
        csrf: theirs.csrf,
        decision: "approve",
      });
      expect(approved.res.headers.get("location")).toBe("/admin/approvals?done=executed");
      expect(
        (await checker.request("POST", `/admin/approvals/${id}`, { csrf: theirs.csrf, decision: "approve" }))
          .res.status,
      ).toBe(409);
      expect(await balance()).toBe(260_000);
      await expectLedgerConsistent(tdb.db);
    } finally {
      app = original;
    }
  });
});

describe("a debit larger than the customer has", () => {
  it("is refused on the customer's page at once with the available amount; one approved after the balance fell says so to the approver", async () => {
    const limited = makeTestApp(tdb.db, {
      config: testConfig({ ADMIN_ADJUSTMENT_APPROVAL_KOBO: "100000" }),
    }).app;
    const original = app;
    app = limited;
    try {
      await createAdmin({
        ctx,
        input: { email: "debit-maker@tada.test", name: "Debit Maker", password: PASSWORD, role: "admin" },
      });
      await createAdmin({
        ctx,
        input: { email: "debit-checker@tada.test", name: "Debit Checker", password: PASSWORD, role: "admin" },
      });
      const customer = await createFundedUser(ctx, 1_986_682);
      const maker = browser();
      await signIn(maker, "debit-maker@tada.test", PASSWORD);
      const page = await maker.request("GET", `/admin/users/${customer.id}`);
      const form = (nonce: string, amount: string) => ({
        csrf: page.csrf,
        nonce,
        direction: "debit",
        amount,
        reason: "clawback of a duplicate credit",
      });
      for (const [nonce, amount] of [
        ["aaaaaaaaaaaaaaaaaaaaaaa1", "999,999"],
        ["aaaaaaaaaaaaaaaaaaaaaaa2", "19,866.83"],
      ] as const) {
        const refused = await maker.request(
          "POST",
          `/admin/users/${customer.id}/adjust`,
          form(nonce, amount),
        );
        expect(refused.res.status).toBe(422);
        expect(refused.html).toContain(
          "This customer has ₦19,866.82 available; a debit can be at most that.",
        );
        expect(refused.html).not.toContain("Fund your wallet");
      }
      expect((await maker.request("GET", "/admin/approvals")).html).not.toContain("clawback of a duplicate");

      const queued = await maker.request(
        "POST",
        `/admin/users/${customer.id}/adjust`,
        form("aaaaaaaaaaaaaaaaaaaaaaa3", "19,000"),
      );
      expect(queued.res.headers.get("location")).toBe(`/admin/users/${customer.id}?done=sent_for_approval`);
      await maker.request(
        "POST",
        `/admin/users/${customer.id}/adjust`,
        form("aaaaaaaaaaaaaaaaaaaaaaa4", "1,000"),
      );
      const checker = browser();
      await signIn(checker, "debit-checker@tada.test", PASSWORD);
      const queue = await checker.request("GET", "/admin/approvals");
      const id = /data-approval="(\d+)"[\s\S]*?clawback of a duplicate/.exec(queue.html)?.[1];
      const approved = await checker.request("POST", `/admin/approvals/${id}`, {
        csrf: queue.csrf,
        decision: "approve",
      });
      expect(approved.res.status).toBe(422);
      expect(approved.html).toContain(
        "This customer has ₦18,866.82 available now, less than this debit of ₦19,000; reject the request, or approve it once the balance covers it.",
      );
      expect(approved.html).not.toContain("Fund your wallet");
      await expectLedgerConsistent(tdb.db);
    } finally {
      app = original;
    }
  });
});

describe("admin operations pages", () => {
  it("shows the WhatsApp link state and QR, and the audit log of what admins did", async () => {
    await createAdmin({
      ctx,
      input: { email: "ops2@tada.test", name: "Ops Two", password: PASSWORD, role: "support" },
    });
    const b = browser();
    expect((await b.request("GET", "/admin/whatsapp")).res.headers.get("location")).toBe("/admin/login");
    await signIn(b, "ops2@tada.test", PASSWORD);
    const off = await b.request("GET", "/admin/whatsapp");
    expect(off.html).toContain("WhatsApp is off");

    const waApp = makeTestApp(tdb.db, { config: testConfig({ WHATSAPP_ENABLED: "true" }) }).app;
    const original = app;
    app = waApp;
    try {
      whatsAppStatus.update("qr", "2@test-qr-payload");
      const qr = await b.request("GET", "/admin/whatsapp");
      expect(qr.html).toContain("Linked devices");
      expect(qr.html).toMatch(/<img src="data:image\/png;base64,/);
      whatsAppStatus.update("ready");
      expect((await b.request("GET", "/admin/whatsapp")).html).toContain("Linked and answering");
    } finally {
      app = original;
      whatsAppStatus.update("starting");
    }
    const audit = await b.request("GET", "/admin/audit");
    expect(audit.html).toContain("admin.login");
    expect(audit.html).toContain("ops2@tada.test");
  });
});

describe("admin orders", () => {
  it("lists orders with filters and exports the same as CSV", async () => {
    await createAdmin({
      ctx,
      input: { email: "orders@tada.test", name: "Orders", password: PASSWORD, role: "support" },
    });
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    const buyer = await createBuyer(ctx, 500_000);
    const delivered = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    });
    const failed = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone("0001"), amountKobo: 10_000, pin: TEST_PIN },
    });
    await harness.drain();
    const b = browser();
    await signIn(b, "orders@tada.test", PASSWORD);
    const all = await b.request("GET", `/admin/orders?userId=${buyer.id}`);
    expect(all.html).toContain(delivered.id);
    expect(all.html).toContain(failed.id);
    const onlyFailed = await b.request("GET", `/admin/orders?userId=${buyer.id}&state=failed`);
    expect(onlyFailed.html).toContain(failed.id);
    expect(onlyFailed.html).not.toContain(delivered.id);
    const today = new Date(Date.now() + 3_600_000).toISOString().slice(0, 10); // the Lagos day
    expect(
      (await b.request("GET", `/admin/orders?userId=${buyer.id}&from=${today}&to=${today}`)).html,
    ).toContain(failed.id);
    expect((await b.request("GET", `/admin/orders?userId=${buyer.id}&to=2020-01-01`)).html).toContain(
      "No orders match.",
    );
    expect((await b.request("GET", "/admin/orders?from=yesterday")).res.status).toBe(400);
    // An unknown state is a 400 naming the allowed ones, as an unknown service is; days the wrong way round say so.
    for (const [query, said] of [
      ["state=bogus", "state: Invalid option: expected one of"],
      ["service=x", "service: Invalid option: expected one of"],
      ["from=2026-12-08&to=2026-12-01", "from: 2026-12-08 is after to (2026-12-01); swap them."],
    ] as const) {
      const refused = await b.request("GET", `/admin/orders?${query}`);
      expect(refused.res.status, query).toBe(400);
      expect(refused.html, query).toContain(said);
      expect((await b.request("GET", `/admin/orders.csv?${query}`)).res.status, query).toBe(400);
    }
    expect((await b.request("GET", "/admin/orders?state=bogus")).html).toContain("manual_review");
    expect((await b.request("GET", "/admin/orders.csv?from=yesterday")).res.status).toBe(400);
    const csv = await b.request("GET", `/admin/orders.csv?userId=${buyer.id}&state=delivered`);
    expect(csv.res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.res.headers.get("content-disposition")).toMatch(/attachment/);
    const lines = csv.html.trim().split("\r\n");
    expect(lines[0]).toBe(
      "id,created_at,user_id,service,product,recipient,price_naira,cost_naira,state,provider,channel",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${delivered.id},`);
    expect(lines[1]).toContain(",delivered,");
    // The failed one's page shows the provider attempt and what the provider said.
    const page = await b.request("GET", `/admin/orders/${failed.id}`);
    expect(page.res.status).toBe(200);
    expect(page.html).toMatch(/#1 sandbox: failed/);
    expect(page.html).toMatch(/submit → failed/);
    expect((await b.request("GET", "/admin/orders/ord_doesnotexist")).res.status).toBe(404);
    await expectLedgerConsistent(tdb.db);
  });

  it("defuses CSV cells a spreadsheet would run as formulas, and escapes quotes", () => {
    const text = ordersCsv([
      {
        id: "ord_1",
        createdAt: "2026-11-25T10:00:00.000Z",
        userId: "usr_1",
        service: "cable",
        product: '=HYPERLINK("x")',
        recipient: "+2348031234567",
        priceKobo: 150,
        costKobo: null,
        state: "delivered",
        provider: "sandbox",
        channel: "api",
      },
    ]);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).toContain("'+2348031234567");
    expect(text).toContain(",1.50,,delivered,");
  });
});
