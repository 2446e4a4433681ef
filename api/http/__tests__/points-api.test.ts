import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import type { ServiceContext } from "../../services/context";
import { grantBonusPoints, sweepReferralRewards, sweepRewardEvents } from "../../services/rewards";

/**
 * Points over HTTP (issue 18 §2): a referral and a purchase earn points that GET /api/points and
 * the statement show; redemption to the wallet once per Idempotency-Key; airtime bought with points
 * (the PIN checked before any point moves); the ledger checks after.
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

type Customer = { token: string; userId: string; code: string };

async function customer(body: Record<string, unknown> = {}): Promise<Customer> {
  const phone = uniquePhone();
  const reg = await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD, ...body } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = login.body.data.token as string;
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  const summary = await call(app, "GET", "/api/referrals", { token });
  return { token, userId: me.body.data.id as string, code: summary.body.data.referral.code as string };
}

const balance = async (who: Customer) =>
  (await call(app, "GET", "/api/wallet/balance", { token: who.token })).body.data.balanceKobo as number;
const points = async (who: Customer) => {
  const res = await call(app, "GET", "/api/points", { token: who.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.points;
};

describe("points over the API", () => {
  it("a referral and a purchase earn points; the statement shows them; redemption is once per key", async () => {
    const a = await customer({ name: "Adaeze Okafor" });
    const b = await customer({ name: "Bola Ade", referralCode: a.code });
    await call(app, "POST", "/api/sandbox/fund", { token: b.token, body: { amountKobo: 200_000 } });
    const bought = await call(app, "POST", "/api/vtu/airtime", {
      token: b.token,
      headers: { "idempotency-key": "points-airtime-1" },
      body: { network: "mtn", phone: sandboxPhone(), amountKobo: 100_000, pin: TEST_PIN },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    await harness.drain();
    await sweepRewardEvents({ ctx });
    await sweepReferralRewards({ ctx });

    const price = bought.body.data.order.priceKobo as number;
    expect(await points(b)).toMatchObject({
      balance: Math.floor(price / 10_000),
      lifetimeEarned: Math.floor(price / 10_000),
    });
    const aPoints = await points(a);
    expect(aPoints).toMatchObject({
      balance: 100,
      valueKobo: 5_000,
      rules: { pointValueKobo: 50, minRedeemPoints: 100 },
    });
    expect(aPoints.recent[0]).toMatchObject({
      kind: "referral",
      points: 100,
      description: "For a friend you referred",
    });

    const statement = await call(app, "GET", "/api/points/statement?limit=1", { token: b.token });
    expect(statement.status).toBe(200);
    expect(statement.body.data.items[0]).toMatchObject({ kind: "earn", orderId: bought.body.data.order.id });
    expect(statement.body.data.nextCursor).toBeNull();

    expectErrorEnvelope(
      await call(app, "POST", "/api/points/redeem", { token: a.token, body: { to: "wallet", points: 100 } }),
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
    );
    const before = await balance(a);
    const redeem = () =>
      call(app, "POST", "/api/points/redeem", {
        token: a.token,
        headers: { "idempotency-key": "redeem-a-1" },
        body: { to: "wallet", points: 100 },
      });
    const first = await redeem();
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data.redemption).toMatchObject({ points: 100, creditKobo: 5_000, balance: 0 });
    const again = await redeem();
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await balance(a)).toBe(before + 5_000);
    expectErrorEnvelope(
      await call(app, "POST", "/api/points/redeem", {
        token: a.token,
        headers: { "idempotency-key": "redeem-a-2" },
        body: { to: "wallet", points: 100 },
      }),
      422,
      "POINTS_INSUFFICIENT",
    );
    // Airtime with points is priced by what it buys (no minimum), and says what it would cost.
    const short = await call(app, "POST", "/api/points/redeem", {
      token: a.token,
      headers: { "idempotency-key": "redeem-a-air" },
      body: { to: "airtime", network: "mtn", phone: sandboxPhone(), amountKobo: 5_000, pin: TEST_PIN },
    });
    expectErrorEnvelope(short, 422, "POINTS_INSUFFICIENT");
    expect(short.body.error).toMatch(/^This airtime costs ₦[\d.]+, which is \d+ points; you have 0\.$/);
    await expectLedgerConsistent(tdb.db);
  });

  it("airtime bought with points: the PIN first, then the points that cover the price, then the order", async () => {
    const c = await customer({ name: "Chidi Eze" });
    await grantBonusPoints({
      ctx,
      adminId: "adm_test",
      userId: c.userId,
      points: 500,
      reason: "welcome back",
    });
    const body = { to: "airtime", network: "mtn", phone: sandboxPhone(), amountKobo: 10_000 };
    expectErrorEnvelope(
      await call(app, "POST", "/api/points/redeem", {
        token: c.token,
        headers: { "idempotency-key": "air-points-0" },
        body: { ...body, pin: "0000" },
      }),
      422,
      "INCORRECT_PIN",
    );
    expect((await points(c)).balance).toBe(500);

    const bought = await call(app, "POST", "/api/points/redeem", {
      token: c.token,
      headers: { "idempotency-key": "air-points-1" },
      body: { ...body, pin: TEST_PIN },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const { redemption, order } = bought.body.data;
    expect(redemption.points).toBe(Math.ceil(order.priceKobo / 50));
    expect(redemption.redeemedFor).toBe("airtime");
    await harness.drain();
    const settled = await call(app, "GET", `/api/vtu/orders/${order.id}`, { token: c.token });
    expect(settled.body.data.order.state).toBe("delivered");
    // What the points paid beyond the price (at most one point's worth) stays in the wallet.
    expect(await balance(c)).toBe(redemption.creditKobo - order.priceKobo);
    expect((await points(c)).balance).toBe(500 - redemption.points);
    const replay = await call(app, "POST", "/api/points/redeem", {
      token: c.token,
      headers: { "idempotency-key": "air-points-1" },
      body: { ...body, pin: TEST_PIN },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.data.order.id).toBe(order.id);
    expect((await points(c)).balance).toBe(500 - redemption.points);
    await expectLedgerConsistent(tdb.db);
  });
});
