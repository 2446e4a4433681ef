import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
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
import {
  makeVtu,
  sandboxNumber,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import { createSandboxProvider } from "../../providers/sandbox/provider";
import type { Db } from "../../services/context";
import { getWalletAccountId } from "../../services/ledger";
import { createProviderRegistry } from "../../services/vtu";

/**
 * The VTU API through the real Hono app on a real database, with the sandbox providers. Purchases
 * answer at once (VTU_RESPONSE_WAIT_MS=0, state `held`); jobs run only when a test calls drain().
 */
const WEBHOOK_TOKEN = "whk_test_0123456789abcdefghij";
const config = testConfig({
  VTU_RESPONSE_WAIT_MS: "0",
  PROVIDER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
});
/** ₦500 MTN airtime: 3% provider discount + 1% margin (see sandbox-orders.test.ts). */
const AIRTIME_500_PRICE = 48_985;

let tdb: TestDatabase;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
});
afterAll(async () => {
  await harness.drain();
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

type Buyer = { token: string; userId: string; app: TestApp };

/** Register, log in, set the PIN and (optionally) fund, all over HTTP. */
async function newBuyer(fundKobo = 0, on: TestApp = app): Promise<Buyer> {
  const token = await registerAndLogin(on, uniquePhone());
  const pin = await call(on, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } });
  expect(pin.status, JSON.stringify(pin.body)).toBe(200);
  if (fundKobo > 0) {
    const fund = await call(on, "POST", "/api/sandbox/fund", { token, body: { amountKobo: fundKobo } });
    expect(fund.status, JSON.stringify(fund.body)).toBe(200);
    expect(fund.body.data).toMatchObject({ creditedKobo: fundKobo, availableKobo: fundKobo });
  }
  const me = await call(on, "GET", "/api/auth/me", { token });
  return { token, userId: me.body.data.id as string, app: on };
}

let keys = 0;
function buy(
  who: Buyer,
  service: "airtime" | "data" | "cable" | "electricity",
  body: Record<string, unknown>,
  key: string | null = `key-${Date.now()}-${++keys}`,
): Promise<JsonResponse> {
  return call(who.app, "POST", `/api/vtu/${service}`, {
    token: who.token,
    body: { pin: TEST_PIN, ...body },
    headers: key ? { "idempotency-key": key } : {},
  });
}

const airtime = (phone = sandboxPhone(), amountKobo = 50_000) => ({ network: "mtn", phone, amountKobo });
const power = (meterType: string, meterNumber = sandboxNumber(11), amountKobo = 500_000) =>
  ({ disco: "ikeja", meterType, meterNumber, amountKobo }) as const;
const verify = (who: Buyer, body: Record<string, unknown>) =>
  call(who.app, "POST", "/api/vtu/verify", { token: who.token, body });

async function wallet(who: Buyer) {
  const res = await call(who.app, "GET", "/api/wallet/balance", { token: who.token });
  expect(res.status).toBe(200);
  return res.body.data as { balanceKobo: number; heldKobo: number; availableKobo: number };
}

async function getOrder(who: Buyer, id: string) {
  const res = await call(who.app, "GET", `/api/vtu/orders/${id}`, { token: who.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.order;
}

async function counts(db: Db, userId: string) {
  const walletId = await getWalletAccountId(db, userId);
  const [orders, holds, acct] = await Promise.all([
    db.selectFrom("vtu_orders").select("id").where("user_id", "=", userId).execute(),
    db.selectFrom("holds").select("id").where("account_id", "=", walletId).execute(),
    db.selectFrom("accounts").selectAll().where("id", "=", walletId).executeTakeFirstOrThrow(),
  ]);
  return { orders: orders.length, holds: holds.length, balance: acct.balance, held: acct.held };
}

describe("catalogue (public)", () => {
  it("lists networks, data plans (integer kobo, cheapest first), bouquets and discos", async () => {
    const networks = await call(app, "GET", "/api/vtu/networks");
    expect(networks.status).toBe(200);
    const names = networks.body.data.networks.map((n: { network: string }) => n.network);
    expect(names.sort().join()).toBe("9mobile,airtel,glo,mtn");
    expect(networks.body.data.networks[0]).toMatchObject({ minKobo: 5_000, maxKobo: 5_000_000 });

    const plans = (await call(app, "GET", "/api/vtu/plans/mtn")).body.data.plans as {
      network: string;
      priceKobo: number;
    }[];
    expect(plans).toHaveLength(6);
    expect(plans.every((p) => p.network === "mtn" && Number.isInteger(p.priceKobo) && p.priceKobo > 0)).toBe(
      true,
    );
    const prices = plans.map((p) => p.priceKobo);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));

    const foo = await call(app, "GET", "/api/vtu/plans/foo");
    expectErrorEnvelope(foo, 400, "VALIDATION_ERROR");
    expect(foo.body.error).toContain("mtn, airtel, glo, 9mobile");

    const bouquets = (await call(app, "GET", "/api/vtu/cable/bouquets?provider=dstv")).body.data.bouquets;
    expect(bouquets.map((b: { name: string }) => b.name).join(",")).toMatch(/Padi.*Compact.*Premium/);
    expect(bouquets.every((b: { cable: string; priceKobo: number }) => b.cable === "dstv")).toBe(true);
    expect(bouquets).toHaveLength(6);

    const discos = (await call(app, "GET", "/api/vtu/electricity/discos")).body.data.discos;
    expect(discos).toHaveLength(12);
    expect(discos).toContainEqual(
      expect.objectContaining({ disco: "ikeja", meterTypes: ["prepaid", "postpaid"] }),
    );
  });

  it("guesses the network from the prefix, flags disputed prefixes, refuses non-numbers", async () => {
    const guess = await call(app, "GET", "/api/vtu/network-guess?phone=%2B234%20803%20123%204567");
    expect(guess.body.data).toMatchObject({ phone: "08031234567", network: "mtn", confidence: "prefix" });
    const disputed = await call(app, "GET", "/api/vtu/network-guess?phone=07041234567");
    expect(disputed.body.data).toMatchObject({
      phone: "07041234567",
      network: "mtn",
      confidence: "disputed",
    });
    expectErrorEnvelope(await call(app, "GET", "/api/vtu/network-guess?phone=12345"), 400, "INVALID_PHONE");
  });
});

describe("POST /api/vtu/airtime refuses bad requests without moving money", () => {
  it("needs a key, a confirmed network, an amount in range, the right PIN and known fields", async () => {
    const b = await newBuyer(100_000);
    expectErrorEnvelope(await buy(b, "airtime", airtime(), null), 400, "IDEMPOTENCY_KEY_REQUIRED");

    const unconfirmed = await buy(b, "airtime", { phone: "08031234567", amountKobo: 50_000 });
    expectErrorEnvelope(unconfirmed, 400, "NETWORK_CONFIRMATION_REQUIRED");
    expect(unconfirmed.body.details).toMatchObject({ guessedNetwork: "mtn", confidence: "prefix" });

    for (const amountKobo of [4_999, 5_000_001]) {
      const res = await buy(b, "airtime", airtime(sandboxPhone(), amountKobo));
      expectErrorEnvelope(res, 400, "AMOUNT_OUT_OF_RANGE");
      expect(res.body.error).toContain("₦50 and ₦50,000");
      expect(res.body.details).toMatchObject({ minKobo: 5_000, maxKobo: 5_000_000 });
    }

    const wrongPin = await buy(b, "airtime", { ...airtime(), pin: "9999" });
    expectErrorEnvelope(wrongPin, 422, "INCORRECT_PIN");
    expect(wrongPin.body.details).toEqual({ attemptsLeft: 4 });

    const unknown = await buy(b, "airtime", { ...airtime(), discountKobo: 1 });
    expectErrorEnvelope(unknown, 400, "VALIDATION_ERROR");
    expect(JSON.stringify(unknown.body.details)).toContain("discountKobo");

    expect(await wallet(b)).toMatchObject({ balanceKobo: 100_000, heldKobo: 0, availableKobo: 100_000 });
    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 0, holds: 0 });
  });

  it("400 AMOUNT_NOT_WHOLE_NAIRA: airtime and electricity with kobo in the amount hold nothing, send nothing", async () => {
    const b = await newBuyer(1_000_000);
    const vendsBefore = await tdb.db.selectFrom("sandbox_vtu_transactions").select("request_id").execute();
    const odd = await buy(b, "airtime", airtime(sandboxPhone(), 5_050));
    expectErrorEnvelope(odd, 400, "AMOUNT_NOT_WHOLE_NAIRA");
    expect(odd.body.error).toContain("amountKobo 5000 (₦50) or 5100 (₦51)");
    expect(odd.body.details).toMatchObject({ field: "amountKobo" });
    const light = await buy(b, "electricity", power("prepaid", sandboxNumber(11), 100_050));
    expectErrorEnvelope(light, 400, "AMOUNT_NOT_WHOLE_NAIRA");
    expect(await counts(tdb.db, b.userId)).toMatchObject({
      orders: 0,
      holds: 0,
      balance: 1_000_000,
      held: 0,
    });
    await harness.drain();
    expect(await tdb.db.selectFrom("sandbox_vtu_transactions").select("request_id").execute()).toHaveLength(
      vendsBefore.length,
    );
    // Whole naira goes through.
    const whole = await buy(b, "airtime", airtime(sandboxPhone(), 5_100));
    expect(whole.status, JSON.stringify(whole.body)).toBe(201);
    await harness.drain();
    expect((await getOrder(b, whole.body.data.order.id)).state).toBe("delivered");
  });

  it("422 INSUFFICIENT_FUNDS writes nothing: no order, no hold, no idempotency key", async () => {
    const b = await newBuyer(10_000);
    const res = await buy(b, "airtime", airtime());
    expectErrorEnvelope(res, 422, "INSUFFICIENT_FUNDS");
    expect(res.body.details).toEqual({ availableKobo: 10_000, requiredKobo: AIRTIME_500_PRICE });
    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 0, holds: 0, balance: 10_000, held: 0 });
    const keyRows = await tdb.db
      .selectFrom("idempotency_keys")
      .select("id")
      .where("scope", "=", `user:${b.userId}`)
      .where("operation", "like", "vtu.%")
      .execute();
    expect(keyRows).toEqual([]);
    expect(harness.queued).toEqual([]);
  });
});

describe("double submit (Idempotency-Key)", () => {
  it("a sequential replay answers 200 with the same order; another amount on the key is 409", async () => {
    const b = await newBuyer(200_000);
    const body = airtime();
    const first = await buy(b, "airtime", body, "dup-seq-1");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.data.order).toMatchObject({ state: "held", priceKobo: AIRTIME_500_PRICE });
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const again = await buy(b, "airtime", body, "dup-seq-1");
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.data.order.id).toBe(first.body.data.order.id);

    const reused = await buy(b, "airtime", { ...body, amountKobo: 60_000 }, "dup-seq-1");
    expectErrorEnvelope(reused, 409, "IDEMPOTENCY_KEY_REUSED");

    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 1, holds: 1, held: AIRTIME_500_PRICE });
    await harness.drain();
    expect((await getOrder(b, first.body.data.order.id)).state).toBe("delivered");
    expect(await wallet(b)).toMatchObject({ balanceKobo: 200_000 - AIRTIME_500_PRICE, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("10 concurrent requests with one key make exactly one order and one hold", async () => {
    const b = await newBuyer(200_000);
    const body = airtime();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => buy(b, "airtime", body, "dup-concurrent-1")),
    );
    const statuses = responses.map((r) => r.status).sort((x, y) => y - x);
    expect(statuses, JSON.stringify(responses.map((r) => r.body))).toEqual([201, ...Array(9).fill(200)]);
    const ids = new Set(responses.map((r) => r.body.data.order.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 1, holds: 1, held: AIRTIME_500_PRICE });
    expect(harness.queued.filter((j) => ids.has(j.orderId))).toHaveLength(1);
    await harness.drain();
    expect(await wallet(b)).toMatchObject({ balanceKobo: 200_000 - AIRTIME_500_PRICE, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });
});

describe("L5: concurrent purchases never overdraw", () => {
  it("funded for exactly 5, 10 concurrent purchases: 5 orders, 5 × 422, balance never negative", async () => {
    const n = 5;
    const b = await newBuyer(n * AIRTIME_500_PRICE);
    const responses = await Promise.all(Array.from({ length: n + 5 }, () => buy(b, "airtime", airtime())));
    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    expect(created).toHaveLength(n);
    for (const r of refused) {
      expectErrorEnvelope(r, 422, "INSUFFICIENT_FUNDS");
    }
    expect(created.every((r) => r.body.data.order.priceKobo === AIRTIME_500_PRICE)).toBe(true);
    const mid = await counts(tdb.db, b.userId);
    expect(mid).toEqual({ orders: n, holds: n, balance: n * AIRTIME_500_PRICE, held: n * AIRTIME_500_PRICE });
    expect(await wallet(b)).toMatchObject({ availableKobo: 0 });

    await harness.drain();
    for (const r of created) {
      expect((await getOrder(b, r.body.data.order.id)).state).toBe("delivered");
    }
    expect(await counts(tdb.db, b.userId)).toMatchObject({ balance: 0, held: 0 });
    await expectLedgerConsistent(tdb.db);
  });
});

describe("data, cable, electricity", () => {
  it("buys an MTN data plan from the catalogue; a plan of another network is refused", async () => {
    const plan = (await call(app, "GET", "/api/vtu/plans/mtn")).body.data.plans[0];
    const airtelPlan = (await call(app, "GET", "/api/vtu/plans/airtel")).body.data.plans[0];
    const b = await newBuyer(plan.priceKobo + 10_000);

    const res = await buy(b, "data", { phone: sandboxPhone(), planId: plan.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.order).toMatchObject({
      service: "data",
      state: "held",
      network: "mtn",
      productId: plan.id,
      priceKobo: plan.priceKobo,
    });
    await harness.drain();
    expect(await getOrder(b, res.body.data.order.id)).toMatchObject({ state: "delivered", final: true });
    expect(await wallet(b)).toMatchObject({ balanceKobo: 10_000, heldKobo: 0 });
    // The "Delivered" message names the plan.
    const note = await tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", b.userId)
      .where("kind", "=", "order.delivered")
      .executeTakeFirstOrThrow();
    expect(note.body).toBe(`Delivered: ${plan.name} data for ${res.body.data.order.recipient}.`);

    const mismatch = await buy(b, "data", { network: "mtn", phone: sandboxPhone(), planId: airtelPlan.id });
    expectErrorEnvelope(mismatch, 400, "PLAN_NETWORK_MISMATCH");
    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 1, holds: 1 });
    await expectLedgerConsistent(tdb.db);
  });

  it("verifies smartcards and meters; numbers ending 0000 are 422 and hold nothing", async () => {
    const b = await newBuyer(1_000_000);
    const card = await verify(b, { kind: "smartcard", provider: "dstv", number: sandboxNumber(10) });
    expect(card.body.data.account).toMatchObject({
      kind: "smartcard",
      customerName: "SANDBOX VIEWER ADEBAYO",
      currentBouquet: expect.any(String),
    });
    const meter = await verify(b, {
      kind: "meter",
      disco: "ikeja",
      meterType: "prepaid",
      number: "45012345678",
    });
    expect(meter.body.data.account).toMatchObject({ kind: "meter", customerName: "SANDBOX METER OKONKWO" });

    const badCard = sandboxNumber(10, "0000");
    const badMeter = sandboxNumber(11, "0000");
    const badVerify = await verify(b, { kind: "smartcard", provider: "gotv", number: badCard });
    expectErrorEnvelope(badVerify, 422, "INVALID_SMARTCARD");
    const badMeterVerify = await verify(b, {
      kind: "meter",
      disco: "eko",
      meterType: "postpaid",
      number: badMeter,
    });
    expectErrorEnvelope(badMeterVerify, 422, "INVALID_METER");
    const cable = await buy(b, "cable", { provider: "dstv", smartcard: badCard, subscription: "renew" });
    expectErrorEnvelope(cable, 422, "INVALID_SMARTCARD");
    expectErrorEnvelope(await buy(b, "electricity", power("prepaid", badMeter)), 422, "INVALID_METER");
    expect(await counts(tdb.db, b.userId)).toMatchObject({ orders: 0, holds: 0, held: 0 });
  });

  it("renews and changes a cable bouquet", async () => {
    const b = await newBuyer(10_000_000);
    const padi = (await call(app, "GET", "/api/vtu/cable/bouquets?provider=dstv")).body.data.bouquets[0];
    expect(padi.name).toContain("Padi");
    const card = sandboxNumber(10);
    const renew = await buy(b, "cable", { provider: "dstv", smartcard: card, subscription: "renew" });
    expect(renew.status, JSON.stringify(renew.body)).toBe(201);
    expect(renew.body.data.order).toMatchObject({
      productId: "cable:dstv:compact",
      subscription: "renew",
      customerName: "SANDBOX VIEWER ADEBAYO",
      recipient: card,
    });
    const change = await buy(b, "cable", {
      provider: "dstv",
      smartcard: card,
      subscription: "change",
      bouquetId: padi.id,
    });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    expect(change.body.data.order).toMatchObject({
      productId: padi.id,
      subscription: "change",
      priceKobo: padi.priceKobo,
    });
    await harness.drain();
    const done = [await getOrder(b, renew.body.data.order.id), await getOrder(b, change.body.data.order.id)];
    expect(done.map((o) => o.state)).toEqual(["delivered", "delivered"]);
    const spent = done[0].priceKobo + done[1].priceKobo;
    expect(await wallet(b)).toMatchObject({ balanceKobo: 10_000_000 - spent, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });

  it("electricity: prepaid shows a 20-digit token with the order; postpaid has none", async () => {
    const b = await newBuyer(1_000_000);
    const prepaid = await buy(b, "electricity", power("prepaid"));
    expect(prepaid.status, JSON.stringify(prepaid.body)).toBe(201);
    expect(prepaid.body.data.order).toMatchObject({
      state: "held",
      token: null,
      meterType: "prepaid",
      customerName: "SANDBOX METER OKONKWO",
    });
    const postpaid = await buy(b, "electricity", power("postpaid", sandboxNumber(11), 300_000));
    expect(postpaid.status, JSON.stringify(postpaid.body)).toBe(201);
    await harness.drain();
    const done = await getOrder(b, prepaid.body.data.order.id);
    expect(done.state).toBe("delivered");
    expect(String(done.token).replace(/ /g, "")).toMatch(/^\d{20}$/);
    // A postpaid payment is a bill, not a token purchase.
    const post = await getOrder(b, postpaid.body.data.order.id);
    expect(post).toMatchObject({ state: "delivered", meterType: "postpaid", faceAmountKobo: 300_000 });
    expect(post).toMatchObject({ token: null, units: null });
    const spent = done.priceKobo + post.priceKobo;
    expect(await wallet(b)).toMatchObject({ balanceKobo: 1_000_000 - spent, heldKobo: 0 });
    await expectLedgerConsistent(tdb.db);
  });
});

describe("orders", () => {
  it("pages the history newest first and hides another user's order behind a 404", async () => {
    const b = await newBuyer(500_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await buy(b, "airtime", airtime(sandboxPhone(), 10_000 + i * 1_000));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.data.order.id);
    }
    const first = await call(app, "GET", "/api/vtu/orders?limit=2", { token: b.token });
    expect(first.body.data.orders.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.data.nextCursor).toEqual(expect.any(String));
    const second = await call(app, "GET", `/api/vtu/orders?limit=2&cursor=${first.body.data.nextCursor}`, {
      token: b.token,
    });
    expect(second.body.data.orders.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expect(second.body.data.nextCursor).toBeNull();
    const data = await call(app, "GET", "/api/vtu/orders?service=data", { token: b.token });
    expect(data.body.data.orders).toEqual([]);

    const other = await newBuyer();
    expectErrorEnvelope(
      await call(app, "GET", `/api/vtu/orders/${ids[0]}`, { token: other.token }),
      404,
      "ORDER_NOT_FOUND",
    );
    expect((await call(app, "GET", "/api/vtu/orders", { token: other.token })).body.data.orders).toEqual([]);
    expectErrorEnvelope(await call(app, "GET", "/api/vtu/orders"), 401, "UNAUTHENTICATED");
    await harness.drain();
    await expectLedgerConsistent(tdb.db);
  });

  it("a failed sandbox order (…0001) is refunded in full", async () => {
    const b = await newBuyer(100_000);
    const res = await buy(b, "airtime", airtime(sandboxPhone("0001")));
    expect(res.status).toBe(201);
    expect(await wallet(b)).toMatchObject({
      heldKobo: AIRTIME_500_PRICE,
      availableKobo: 100_000 - AIRTIME_500_PRICE,
    });
    await harness.drain();
    expect(await getOrder(b, res.body.data.order.id)).toMatchObject({
      state: "failed",
      refunded: true,
      final: true,
    });
    expect(await wallet(b)).toEqual(
      expect.objectContaining({ balanceKobo: 100_000, heldKobo: 0, availableKobo: 100_000 }),
    );
    await expectLedgerConsistent(tdb.db);
  });
});

describe("provider webhooks", () => {
  const hook = (on: TestApp, provider: string, token: string, body: unknown) =>
    call(on, "POST", `/api/webhooks/${provider}/${token}`, { body });

  it("answers 200 with the right token and 404 otherwise", async () => {
    const ok = await hook(app, "inlomax", WEBHOOK_TOKEN, { status: "success", reference: "nothing-here" });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ received: true, matched: false });
    const wrong = `${WEBHOOK_TOKEN.slice(0, -1)}x`;
    expectErrorEnvelope(await hook(app, "inlomax", wrong, { status: "success" }), 404, "NOT_FOUND");
    const unconfigured = makeTestApp(tdb.db, { config: testConfig(), vtu: harness.vtu }).app;
    expectErrorEnvelope(
      await hook(unconfigured, "inlomax", WEBHOOK_TOKEN, { status: "success" }),
      404,
      "NOT_FOUND",
    );
    expect(harness.queued).toEqual([]);
  });

  it("a webhook naming an attempt's reference or request id queues a requery of that order", async () => {
    // Webhooks are only routed for inlomax/smeplug, so this uses a sandbox standing in as "inlomax".
    const db2 = await createTestDatabase();
    try {
      const ctx = makeCtx(db2.db, { config });
      const sandbox = createSandboxProvider({
        db: db2.db,
        role: "primary",
        latencyMs: 0,
        timeoutMs: 20,
        pendingSeconds: 30,
      });
      const providers = createProviderRegistry([
        {
          name: "Inlomax (sandbox stand-in)",
          defaultPriority: 10,
          provider: { ...sandbox, code: "inlomax" },
        },
      ]);
      await seedCatalogue(ctx, providers);
      const h = makeVtu(ctx, providers);
      const app2 = makeTestApp(db2.db, { config, vtu: h.vtu }).app;
      const b = await newBuyer(100_000, app2);
      const res = await buy(b, "airtime", airtime());
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const orderId = res.body.data.order.id as string;
      await h.drain();
      const attempt = await db2.db
        .selectFrom("vtu_attempts")
        .select(["provider", "request_id", "provider_reference"])
        .where("order_id", "=", orderId)
        .executeTakeFirstOrThrow();
      expect(attempt.provider).toBe("inlomax");
      expect(attempt.provider_reference).toEqual(expect.any(String));
      const before = h.dispatched.length;

      const byRef = await hook(app2, "inlomax", WEBHOOK_TOKEN, {
        status: "success",
        data: { reference: attempt.provider_reference },
      });
      expect(byRef.body.data).toEqual({ received: true, matched: true });
      const byRequestId = await hook(app2, "inlomax", WEBHOOK_TOKEN, { request_id: attempt.request_id });
      expect(byRequestId.body.data).toEqual({ received: true, matched: true });
      // The same reference from another provider is not this attempt.
      const otherProvider = await hook(app2, "smeplug", WEBHOOK_TOKEN, {
        reference: attempt.provider_reference,
      });
      expect(otherProvider.body.data).toEqual({ received: true, matched: false });

      // Both webhooks name the order; within VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS the second one does
      // not ask again at once, it brings the next post-delivery check forward to the interval's end.
      const requeries = h.dispatched.slice(before);
      expect(requeries).toEqual([
        expect.objectContaining({ name: "requery-order", orderId, includeDelivered: true }),
      ]);
      const watched = await db2.db
        .selectFrom("vtu_orders")
        .select(["verify_due_at", "webhook_requery_at"])
        .where("id", "=", orderId)
        .executeTakeFirstOrThrow();
      expect(watched.verify_due_at?.getTime()).toBe(
        (watched.webhook_requery_at?.getTime() ?? 0) + config.VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS * 1000,
      );
      const events = await db2.db
        .selectFrom("provider_webhook_events")
        .select("order_id")
        .orderBy("id")
        .execute();
      expect(events.map((e) => e.order_id)).toEqual([orderId, orderId, null]);
      expect(await h.drain()).toBe(1);
      expect((await getOrder(b, orderId)).state).toBe("delivered");
      await expectLedgerConsistent(db2.db);
    } finally {
      await db2.destroy();
    }
  });
});

describe("sandbox funding", () => {
  it("POST /api/sandbox/fund is 404 when SANDBOX_MODE=off", async () => {
    const live = makeTestApp(tdb.db, {
      config: testConfig({
        SANDBOX_MODE: "off",
        INLOMAX_API_KEY: "test-key-never-used",
        FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-never-used",
        FLUTTERWAVE_SECRET_HASH: "a-secret-hash-never-used",
      }),
      vtu: harness.vtu,
    }).app;
    const token = await registerAndLogin(live, uniquePhone());
    const res = await call(live, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 100_000 } });
    expectErrorEnvelope(res, 404, "NOT_FOUND");
    const balance = await call(live, "GET", "/api/wallet/balance", { token });
    expect(balance.body.data.balanceKobo).toBe(0);
  });
});
