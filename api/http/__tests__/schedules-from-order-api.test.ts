import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  makeVtu,
  sandboxNumber,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import type { ServiceContext } from "../../services/context";
import { sweepSchedules } from "../../services/schedules";

/**
 * `POST /api/schedules` with `fromOrderId` (issue 19 §1): what to buy is copied from the
 * customer's own delivered order; another person's order is not found, an undelivered one is
 * refused with its state, the Idempotency-Key replays, and the schedule buys the same thing.
 */
const PASSWORD = "correct-horse-9";
const config = testConfig({ VTU_RESPONSE_WAIT_MS: "0", AUTH_RATE_LIMIT_PER_MINUTE: "1000" });

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
});
afterAll(async () => {
  await harness?.drain();
  await tdb?.destroy();
});

async function customer(): Promise<{ token: string; userId: string }> {
  const phone = uniquePhone();
  expect(
    (await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD } })).status,
  ).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = login.body.data.token as string;
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 2_000_000 } });
  return { token, userId: me.body.data.id as string };
}

async function buy(token: string, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await call(app, "POST", path, {
    token,
    headers: { "idempotency-key": `buy-${Math.random()}` },
    body: { ...body, pin: TEST_PIN },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await harness.drain();
  return res.body.data.order.id as string;
}

const schedule = (token: string, key: string, body: Record<string, unknown>) =>
  call(app, "POST", "/api/schedules", { token, headers: { "idempotency-key": key }, body });

describe("a schedule from a past order", () => {
  it("copies airtime and electricity orders; replays by key; refuses others' and undelivered orders", async () => {
    const who = await customer();
    const phone = sandboxPhone();
    const airtimeOrder = await buy(who.token, "/api/vtu/airtime", {
      network: "mtn",
      phone,
      amountKobo: 70_000,
    });
    const meter = sandboxNumber(11);
    const powerOrder = await buy(who.token, "/api/vtu/electricity", {
      disco: "ikeja",
      meterType: "prepaid",
      meterNumber: meter,
      amountKobo: 500_000,
    });
    const failedOrder = await buy(who.token, "/api/vtu/airtime", {
      network: "mtn",
      phone: sandboxPhone("0001"),
      amountKobo: 10_000,
    });

    const body = { fromOrderId: airtimeOrder, recurrence: { kind: "monthly", day: 1 }, pin: TEST_PIN };
    expectErrorEnvelope(await schedule(who.token, "f-0", { ...body, pin: "0000" }), 422, "INCORRECT_PIN");
    const created = await schedule(who.token, "f-1", body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const made = created.body.data.schedule;
    expect(made).toMatchObject({
      service: "airtime",
      recipient: phone,
      network: "mtn",
      amountKobo: 70_000,
      recurrence: { kind: "monthly", day: 1 },
      status: "active",
    });
    // A retry with the same key and body answers with the same schedule; another body is refused.
    const replay = await schedule(who.token, "f-1", body);
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.data.schedule.id).toBe(made.id);
    expectErrorEnvelope(
      await schedule(who.token, "f-1", { ...body, recurrence: { kind: "daily" } }),
      409,
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect((await call(app, "GET", "/api/schedules", { token: who.token })).body.data.items).toHaveLength(1);

    // Electricity: DisCo, meter type, meter and amount come from the order; caps may be given.
    const power = await schedule(who.token, "f-2", {
      fromOrderId: powerOrder,
      recurrence: { kind: "weekly", weekday: "friday" },
      perRunCapKobo: 600_000,
    });
    expectErrorEnvelope(power, 400, "VALIDATION_ERROR");
    const power2 = await schedule(who.token, "f-2", {
      fromOrderId: powerOrder,
      recurrence: { kind: "weekly", weekday: "friday" },
      perRunCapKobo: 600_000,
      pin: TEST_PIN,
    });
    expect(power2.status, JSON.stringify(power2.body)).toBe(201);
    expect(power2.body.data.schedule).toMatchObject({
      service: "electricity",
      recipient: meter,
      disco: "ikeja",
      meterType: "prepaid",
      amountKobo: 500_000,
      perRunCapKobo: 600_000,
      recurrence: { kind: "weekly", weekday: 5 },
    });

    // What to buy comes from the order only: naming it as well is refused, not merged.
    expectErrorEnvelope(
      await schedule(who.token, "f-3", { ...body, amountKobo: 100_000 }),
      400,
      "VALIDATION_ERROR",
    );
    // Not delivered: refused with its state, and nothing was made.
    const failed = await schedule(who.token, "f-4", { ...body, fromOrderId: failedOrder });
    expectErrorEnvelope(failed, 409, "ORDER_NOT_DELIVERED");
    expect(failed.body.error).toMatch(/only a delivered order.*is failed/i);
    // Someone else's order reads as no order at all.
    const other = await customer();
    expectErrorEnvelope(await schedule(other.token, "f-5", body), 404, "ORDER_NOT_FOUND");
    expectErrorEnvelope(
      await schedule(who.token, "f-6", { ...body, fromOrderId: "ord_doesnotexist000000" }),
      404,
      "ORDER_NOT_FOUND",
    );
    expect((await call(app, "GET", "/api/schedules", { token: who.token })).body.data.items).toHaveLength(2);
    expect((await call(app, "GET", "/api/schedules", { token: other.token })).body.data.items).toEqual([]);

    // The schedule buys what the order bought.
    const ran = await call(app, "POST", `/api/sandbox/schedules/${made.id}/run-now`, { token: who.token });
    expect(ran.body.data.swept.placed, JSON.stringify(ran.body)).toBe(1);
    await harness.drain();
    await sweepSchedules({ ctx, vtu: harness.vtu });
    const orderId = (await call(app, "GET", `/api/schedules/${made.id}`, { token: who.token })).body.data
      .schedule.runs[0].orderId as string;
    const order = await tdb.db
      .selectFrom("vtu_orders")
      .select(["recipient", "network", "face_amount_kobo", "state", "product_id"])
      .where("id", "=", orderId)
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({
      recipient: phone,
      network: "mtn",
      face_amount_kobo: 70_000,
      state: "delivered",
      product_id: "airtime:mtn",
    });
    await expectLedgerConsistent(tdb.db);
  });

  it("copies a data order's plan", async () => {
    const who = await customer();
    const plans = (await call(app, "GET", "/api/vtu/plans/mtn")).body.data.plans as { id: string }[];
    const planId = plans[0]?.id as string;
    const phone = sandboxPhone();
    const dataOrder = await buy(who.token, "/api/vtu/data", { network: "mtn", phone, planId });
    const created = await schedule(who.token, "d-1", {
      fromOrderId: dataOrder,
      recurrence: { kind: "every_n_days", days: 30 },
      pin: TEST_PIN,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.schedule).toMatchObject({ service: "data", recipient: phone, planId });
    await expectLedgerConsistent(tdb.db);
  });
});
