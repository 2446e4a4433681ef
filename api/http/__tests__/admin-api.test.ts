import { gunzipSync } from "node:zlib";
import { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import { createAdmin, createAdminApiKey, listAuditLog } from "../../services/admins";
import type { ServiceContext } from "../../services/context";
import { ForbiddenError, ValidationError } from "../../services/errors";
import { createGiftRoom } from "../../services/gift-rooms";
import {
  adminSetCardReminders,
  listCableCards,
  rememberVerifiedCard,
  sendCableReminders,
} from "../../services/renewals";
import { createSchedule } from "../../services/schedules";
import { addDays, lagosDate } from "../../services/vtu/due-date";
import { getWalletBalance } from "../../services/wallet";
import type { AppEnv } from "../context";
import { defineRoute } from "../openapi/define-route";

/**
 * The admin API as the OpenAPI document describes it (issue 20): every read answered through
 * `call()`, so a customer with an order, a schedule, a gift room, a cable card and points is checked
 * field by field against /openapi.json; money in kobo; lists as { items, nextCursor }.
 */
const PASSWORD = "admin-horse-battery-9";
const config = testConfig({ VTU_RESPONSE_WAIT_MS: "0", CABLE_REMINDER_DAYS: "3,1" });

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
let supportKey: string;
let adminKey: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
  const key = async (email: string, role: "admin" | "support") => {
    const admin = await createAdmin({ ctx, input: { email, name: role, password: PASSWORD, role } });
    return (await createAdminApiKey({ ctx, admin, input: { name: role } })).key;
  };
  supportKey = await key("api-support@tada.test", "support");
  adminKey = await key("api-admin@tada.test", "admin");
}, 60_000);
afterAll(async () => {
  await harness?.drain();
  await tdb?.destroy();
});

/** A customer with something in every section of their page. */
async function busyCustomer() {
  const user = await createBuyer(ctx, 2_030_633);
  await tdb.db.updateTable("users").set({ display_name: "Chiamaka Obi" }).where("id", "=", user.id).execute();
  await placeOrder(ctx, harness.vtu, user.id, {
    service: "airtime",
    input: { network: "mtn", phone: sandboxPhone(), amountKobo: 50_000, pin: TEST_PIN },
  });
  await harness.drain();
  await createSchedule({
    ctx,
    vtu: harness.vtu,
    userId: user.id,
    input: {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 20_000,
      recurrence: { kind: "weekly", weekday: 5 },
      pin: TEST_PIN,
    },
  });
  await createGiftRoom({
    ctx,
    userId: user.id,
    idempotencyKey: `room-${user.id}`,
    input: { kind: "airtime", amountKobo: 10_000, capacity: 2, pin: TEST_PIN },
  });
  await rememberVerifiedCard(ctx, {
    userId: user.id,
    provider: "dstv",
    smartcard: "7012341111",
    customerName: "CHIAMAKA OBI",
    bouquet: "Compact",
    renewalAmountKobo: 1_900_000,
    dueDate: addDays(lagosDate(ctx.now()), 3),
  });
  expect(await sendCableReminders({ ctx })).toEqual({ sent: 1 });
  const bonus = await call(app, "POST", `/api/admin/users/${user.id}/points/bonus`, {
    token: adminKey,
    headers: { "idempotency-key": `bonus-${user.id}` },
    body: { points: 40, reason: "welcome back" },
  });
  expect(bonus.status, JSON.stringify(bonus.body)).toBe(201);
  return user;
}

describe("/api/admin reads match the document", () => {
  it("a customer's search row and page: kobo integers, ISO times, every section filled", async () => {
    const user = await busyCustomer();
    const balanceKobo = (await getWalletBalance({ ctx, userId: user.id })).balanceKobo;

    const found = await call(app, "GET", "/api/admin/users?q=Chiamaka", { token: supportKey });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.data.nextCursor).toBeNull();
    expect(found.body.data.items).toEqual([expect.objectContaining({ id: user.id, balanceKobo })]);
    expect(found.body.data.items[0]).not.toHaveProperty("balance");
    expect(JSON.stringify(found.body.data)).not.toContain("₦");

    const detail = await call(app, "GET", `/api/admin/users/${user.id}`, { token: supportKey });
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    const d = detail.body.data;
    expect(d.wallet.balanceKobo).toBe(balanceKobo);
    expect(d.orders).toHaveLength(1);
    expect(d.schedules).toEqual([expect.objectContaining({ recurrence: { kind: "weekly", weekday: 5 } })]);
    expect(d.giftRooms).toHaveLength(1);
    expect(d.points).toMatchObject({ balance: 40, recent: [expect.objectContaining({ kind: "bonus" })] });
    expect(d.cableCards).toEqual([
      expect.objectContaining({
        smartcard: "7012341111",
        lastReminderDays: 3,
        lastReminderAt: expect.any(String),
      }),
    ]);
    expect(new Date(d.cableCards[0].lastReminderAt).toISOString()).toBe(d.cableCards[0].lastReminderAt);
    expect(JSON.stringify(d)).not.toMatch(/pin_hash|bvn_ciphertext|password/);

    expectErrorEnvelope(
      await call(app, "GET", "/api/admin/users/usr_nobody", { token: supportKey }),
      404,
      "NOT_FOUND",
    );
    await expectLedgerConsistent(tdb.db);
  });

  it("transactions: the panel's filters, blank means any, an unknown one is a 400; lists carry nextCursor", async () => {
    const user = await busyCustomer();
    const mine = await call(app, "GET", `/api/admin/transactions?userId=${user.id}&state=&from=&limit=`, {
      token: supportKey,
    });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.data).toEqual({
      items: [
        expect.objectContaining({ userId: user.id, service: "airtime", priceKobo: expect.any(Number) }),
      ],
      nextCursor: null,
    });
    const none = await call(app, "GET", `/api/admin/transactions?userId=${user.id}&service=data`, {
      token: supportKey,
    });
    expect(none.body.data.items).toEqual([]);
    const wrong = await call(app, "GET", "/api/admin/transactions?from=2026-02-30", { token: supportKey });
    expectErrorEnvelope(wrong, 400, "VALIDATION_ERROR");
    expect(wrong.body.details).toEqual([expect.objectContaining({ field: "from" })]);
    expectErrorEnvelope(
      await call(app, "GET", "/api/admin/transactions?colour=red", { token: supportKey }),
      400,
      "VALIDATION_ERROR",
    );

    const referrals = await call(app, "GET", "/api/admin/referrals?limit=5", { token: supportKey });
    expect(referrals.status, JSON.stringify(referrals.body)).toBe(200);
    expect(referrals.body.data).toEqual({ items: expect.any(Array), nextCursor: null });
    const abuse = await call(app, "GET", "/api/admin/referrals/abuse", { token: supportKey });
    expect(abuse.body.data.groups).toEqual(abuse.body.data.items);
    const transfers = await call(app, "GET", "/api/admin/transfers", { token: supportKey });
    expect(transfers.body.data).toEqual({ items: [], nextCursor: null });
    await expectLedgerConsistent(tdb.db);
  });

  it("analytics and tiers answer as documented; tiers keep their old list name", async () => {
    await busyCustomer();
    const report = await call(app, "GET", "/api/admin/analytics", { token: supportKey });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.data.totals.transactions).toBeGreaterThan(0);
    expect(report.body.data.series).toHaveLength(30);

    const tiers = await call(app, "GET", "/api/admin/tiers", { token: supportKey });
    expect(tiers.status, JSON.stringify(tiers.body)).toBe(200);
    expect(tiers.body.data.tiers).toEqual(tiers.body.data.items);
    expect(tiers.body.data.items.map((t: { code: string }) => t.code)).toEqual([
      "regular",
      "smart_buyer",
      "reseller",
    ]);
    expect(tiers.body.data.nextCursor).toBeNull();
  });

  it("answers a client that accepts gzip compressed (a 90-day report), and plain JSON to one that does not", async () => {
    await busyCustomer();
    const url = `/api/admin/analytics?from=${addDays(lagosDate(new Date()), -89)}`;
    const headers = { authorization: `Bearer ${supportKey}` };
    const plain = await app.request(url, { headers: { ...headers, "accept-encoding": "identity" } });
    const plainBytes = (await plain.arrayBuffer()).byteLength;
    expect(plain.headers.get("content-encoding")).toBeNull();
    const gzipped = await app.request(url, { headers: { ...headers, "accept-encoding": "gzip" } });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    const bytes = Buffer.from(await gzipped.arrayBuffer());
    expect(bytes.byteLength * 3, `${bytes.byteLength} B gzipped of ${plainBytes} B`).toBeLessThan(plainBytes);
    expect(JSON.parse(gunzipSync(bytes).toString("utf8")).data.series).toHaveLength(90);
  });

  it("actions check their body against the documented schema, after the role", async () => {
    const user = await busyCustomer();
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${user.id}/actions`, {
        token: supportKey,
        body: { action: "nonsense" },
      }),
      403,
      "ROLE_REQUIRED",
    );
    const bad = await call(app, "POST", `/api/admin/users/${user.id}/actions`, {
      token: adminKey,
      body: { action: "suspend", reason: "x" },
    });
    expectErrorEnvelope(bad, 400, "VALIDATION_ERROR");
    expect(bad.body.details).toEqual([expect.objectContaining({ field: "reason" })]);
    const level = await call(app, "POST", `/api/admin/users/${user.id}/actions`, {
      token: adminKey,
      body: { action: "set_level", level: 2, reason: "documents checked" },
    });
    expect(level.status, JSON.stringify(level.body)).toBe(200);
    expect(level.body.data).toEqual({ userId: user.id, action: "set_level", changed: true });
    // Suspending a suspended customer changes nothing, so it writes no audit row.
    const suspend = { action: "suspend", reason: "chargeback investigation" };
    const first = await call(app, "POST", `/api/admin/users/${user.id}/actions`, {
      token: adminKey,
      body: suspend,
    });
    expect(first.body.data).toEqual({ userId: user.id, action: "suspend", changed: true });
    const again = await call(app, "POST", `/api/admin/users/${user.id}/actions`, {
      token: adminKey,
      body: suspend,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data).toEqual({ userId: user.id, action: "suspend", changed: false });
    const suspends = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", user.id)
      .where("action", "=", "user.suspend")
      .execute();
    expect(suspends).toHaveLength(1);
    expectErrorEnvelope(
      await call(app, "POST", "/api/admin/users/usr_nobody/actions", {
        token: adminKey,
        body: { action: "suspend", reason: "no such customer" },
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("an admin turns a customer's cable reminders off and on (DECISIONS §79)", () => {
  /** A customer with one card due in 3 days, not yet reminded. */
  async function customerWithCard(smartcard: string) {
    const user = await createBuyer(ctx, 0);
    await rememberVerifiedCard(ctx, {
      userId: user.id,
      provider: "gotv",
      smartcard,
      customerName: "BISI ADE",
      bouquet: "Max",
      renewalAmountKobo: 850_000,
      dueDate: addDays(lagosDate(ctx.now()), 3),
    });
    const [card] = await listCableCards(ctx, user.id);
    if (!card) {
      throw new Error("the card was not remembered");
    }
    return { user, card };
  }
  const remindersOf = (cardId: number) =>
    tdb.db
      .selectFrom("cable_reminders")
      .select(["days_before", "sent"])
      .where("card_id", "=", cardId)
      .execute();

  it("admin only, a reason, the customer's own card; audited on the customer; the sweep follows it", async () => {
    const { user, card } = await customerWithCard("4611110001");
    const path = `/api/admin/users/${user.id}/cable-cards/${card.id}/reminders`;
    const off = { on: false, reason: "  customer asked by phone  " };

    expectErrorEnvelope(
      await call(app, "POST", path, { token: supportKey, body: off }),
      403,
      "ROLE_REQUIRED",
    );
    const bad = await call(app, "POST", path, { token: adminKey, body: { on: false, reason: " x " } });
    expectErrorEnvelope(bad, 400, "VALIDATION_ERROR");
    expect(bad.body.details).toEqual([
      { field: "reason", in: "body", message: "give a reason of at least 3 characters" },
    ]);
    expectErrorEnvelope(
      await call(app, "POST", path, { token: adminKey, body: { on: "no", reason: "customer asked" } }),
      400,
      "VALIDATION_ERROR",
    );

    const done = await call(app, "POST", path, { token: adminKey, body: off });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.data).toEqual({
      card: expect.objectContaining({
        id: card.id,
        userId: user.id,
        smartcard: "4611110001",
        remindersOff: true,
      }),
      changed: true,
    });
    // The same again: nothing changes, no second audit row, the card all the same.
    const again = await call(app, "POST", path, { token: adminKey, body: off });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data).toEqual({
      card: expect.objectContaining({ remindersOff: true }),
      changed: false,
    });

    // The customer's audit filter finds it, with the reason, before and after.
    const audit = await listAuditLog(ctx, { target: user.id, action: "cable_card." });
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: "cable_card.reminders_off",
        actor: expect.stringContaining("api-admin@tada.test"),
        target: `user:${user.id}`,
        reason: "customer asked by phone",
        before: { cardId: card.id, remindersOff: false },
        after: { cardId: card.id, remindersOff: true },
      }),
    ]);

    // Off: the sweep passes the card over.
    await sendCableReminders({ ctx });
    expect(await remindersOf(card.id)).toEqual([]);

    // Someone else's card, and a customer who does not exist.
    const other = await customerWithCard("4611110002");
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/${other.user.id}/cable-cards/${card.id}/reminders`, {
        token: adminKey,
        body: off,
      }),
      404,
      "CARD_NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "POST", `/api/admin/users/usr_nobody/cable-cards/${card.id}/reminders`, {
        token: adminKey,
        body: off,
      }),
      404,
      "USER_NOT_FOUND",
    );
    expect((await listCableCards(ctx, other.user.id))[0]?.remindersOff).toBe(false);

    // Back on: audited, and the next sweep reminds the card.
    const on = await call(app, "POST", path, {
      token: adminKey,
      body: { on: true, reason: "customer changed their mind" },
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body.data).toEqual({ card: expect.objectContaining({ remindersOff: false }), changed: true });
    expect(
      (await listAuditLog(ctx, { target: user.id, action: "cable_card." })).items.map((r) => r.action),
    ).toEqual(["cable_card.reminders_on", "cable_card.reminders_off"]);
    await sendCableReminders({ ctx });
    expect(await remindersOf(card.id)).toEqual([{ days_before: 3, sent: true }]);
  });

  it("the service (the panel's path) checks the role and names the field it refuses", async () => {
    const { user, card } = await customerWithCard("4611110003");
    const set = (role: "support" | "admin" | "super_admin", reason: string) =>
      adminSetCardReminders({
        ctx,
        admin: { id: "adm_x", role },
        userId: user.id,
        cardId: card.id,
        input: { on: false, reason },
      });
    await expect(set("support", "customer asked")).rejects.toMatchObject({
      constructor: ForbiddenError,
      code: "ROLE_REQUIRED",
    });
    await expect(set("admin", "x".repeat(501))).rejects.toMatchObject({
      constructor: ValidationError,
      message: "reason: keep the reason to 500 characters or fewer.",
    });
    expect((await listCableCards(ctx, user.id))[0]?.remindersOff).toBe(false);
    expect((await set("super_admin", "customer asked")).card.remindersOff).toBe(true);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON.
type OpenApiJson = { paths: Record<string, Record<string, any>> };

describe("the document's admin operations", () => {
  it("each needs the admin key, is tagged Admin, names its role and documents ROLE_REQUIRED", async () => {
    const document = (await (await app.request("/openapi.json")).json()) as OpenApiJson;
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/api/admin/"))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ where: `${method} ${path}`, op })),
      );
    expect(operations).toHaveLength(16);
    for (const { where, op } of operations) {
      expect(op.security, where).toEqual([{ adminKey: [] }]);
      expect(op.tags, where).toEqual(["Admin"]);
      expect(op.description, where).toMatch(/Role: \*\*(support|admin|super_admin)\*\*/);
      expect(op.responses["403"].description, where).toContain("ROLE_REQUIRED");
    }
    const put = document.paths["/api/admin/tiers"]?.put;
    expect(put?.description).toContain("**super_admin** only");
    expect(put?.requestBody.content["application/json"].example).toMatchObject({
      reason: expect.any(String),
    });
    const list = document.paths["/api/admin/users"]?.get;
    const row = list?.responses["200"].content["application/json"].schema.properties.data;
    expect(JSON.stringify(row)).toContain("AdminUser");
    expect(document.paths["/api/admin/users/{id}/points/bonus"]?.post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Idempotency-Key", required: true })]),
    );
  });

  it("defineRoute refuses an admin-key route declared without its key check", () => {
    const router = new OpenAPIHono<AppEnv>();
    const spec = {
      method: "get" as const,
      path: "/open",
      tags: ["Admin"],
      summary: "Forgot its middleware",
      auth: "admin-key" as const,
      response: { description: "x", schema: z.object({}) },
    };
    expect(() => defineRoute(router, spec, async () => ({}))).toThrow(/needs its key check/);
    expect(() =>
      defineRoute(router, { ...spec, middleware: [async (_c, next) => next()] }, async () => ({})),
    ).not.toThrow();
  });
});
