import { createHmac, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatSenders } from "../../../bot/outbound";
import { BOT_INFO, recordApiCalls } from "../../../bot/telegram/offline";
import { setUpTelegram } from "../../../bot/telegram/start";
import { adminBrowser, adminSignIn } from "../../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser, uniquePhone } from "../../../test/helpers/fixtures";
import {
  FORM_POISONS,
  fillPath,
  HEADER_POISONS,
  JSON_VALUE_POISONS,
  leafPaths,
  PATH_POISONS,
  paramNames,
  QUERY_NAMES,
  QUERY_POISONS,
  RAW_BODY_POISONS,
  type Route,
  routesOf,
  runPool,
  seededRandom,
  show,
  withRawAt,
} from "../../../test/helpers/fuzz";
import { giftVisitor } from "../../../test/helpers/gift-page";
import { call, type JsonResponse, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import { createPaymentGateway } from "../../providers/payment-gateway";
import { createAdmin, createAdminApiKey } from "../../services/admins";
import { createApiKey } from "../../services/auth";
import type { ServiceContext } from "../../services/context";
import {
  confirmTransfer,
  createDynamicAccount,
  createKycLink,
  type PaymentsRuntime,
  sendSandboxTransfer,
  webhookSecretHash,
} from "../../services/funding";
import { SYSTEM_ACCOUNTS } from "../../services/ledger";
import { createPinLink } from "../../services/pin-links";
import { creditWallet } from "../../services/wallet";

/**
 * Issue 13 §5: no input makes the app answer 5xx. Every route the app registers (read from
 * `app.routes`, so a route added later is fuzzed too: the API, the webhooks and the web pages) gets
 * NUL bytes and lone surrogates in its path parameters, query, JSON body (generic bodies and its own
 * valid body with one field poisoned at a time, keys included), form fields and headers; huge and
 * odd numbers, wrong types and oversized values; signed in (session token, API key, admin key, admin
 * panel session with CSRF, gift page device) and not. Any 5xx is listed with the request that caused
 * it. The randomness is seeded (FUZZ_SEED=<n> replays a run); the seed is printed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
console.info(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
const rnd = seededRandom(SEED);

const WEBHOOK_TOKEN = "fuzz-webhook-token-0123456789abcdef";
const TG_SECRET = "fuzz-telegram-secret-0123456789";
const PASSWORD = "correct-horse-9";
const ADMIN_PASSWORD = "correct-horse-battery-9";

const config = testConfig({
  SANDBOX_MODE: "on",
  PROVIDER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
  TELEGRAM_BOT_TOKEN: "557:fuzz",
  TELEGRAM_WEBHOOK_URL: "https://tada.example/api/telegram/webhook",
  TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
  // Room for the 1 MB strings the fuzz sends in bodies (the default limit is 64 kB).
  API_BODY_LIMIT_BYTES: String(2 * 1024 * 1024),
  PASSWORD_BCRYPT_COST: "10",
  // Limits that would turn most fuzz requests into 429s before they reach the code under test.
  AUTH_RATE_LIMIT_PER_MINUTE: "10000",
  MONEY_ACTIONS_PER_MINUTE: "10000",
  API_KEY_RATE_LIMIT_PER_MINUTE: "100000",
  VTU_MAX_OPEN_ORDERS_PER_USER: "1000",
  VTU_RESPONSE_WAIT_MS: "0",
  GIFT_ROOMS_PER_HOUR: "10000",
  GIFT_CLAIMS_PER_MINUTE_PER_IP: "1000000",
  GIFT_CLAIMS_PER_MINUTE_PER_DEVICE: "1000000",
  ADMIN_LOGIN_MAX_FAILURES: "100",
  SANDBOX_LATENCY_MS: "0",
});

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let payments: PaymentsRuntime;

/** What the signed-in requests use, and real ids for the path parameters. */
const f = {
  phone: "",
  token: "",
  apiKey: "",
  pinUserToken: "",
  adminKey: "",
  adminCookie: "",
  adminCsrf: "",
  adminLoginCookie: "",
  adminLoginCsrf: "",
  giftCookie: "",
  giftCsrf: "",
  victimKeyId: "",
  victimUserKeyId: "",
  victimUserId: "",
  victimAdminId: "",
  victimAdminKeyId: "",
  victimAdminEmail: "",
  orderId: "",
  intentId: "",
  txRef: "",
  withdrawalId: "",
  roomId: "",
  roomToken: "",
  drawToken: "",
  planId: "",
  bouquetId: "",
  productId: "",
  providerCode: "",
  /** A bank transfer held in suspense, and the sandbox account number it was sent to. */
  transferId: "",
  accountNumber: "",
  /** Another customer's referral code, for /r/:code and POST /api/referrals/code. */
  referralCode: "",
  /** A customer's "My schedules" page (their own customer: the API's link route would revoke it). */
  scheduleToken: "",
  scheduleCookie: "",
  scheduleCsrf: "",
  scheduleId: "",
  /** A key with a callback, and one of its deliveries (an order it placed, delivered). */
  callbackKeyId: "",
  deliveryId: "",
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  payments = {
    gateway: createPaymentGateway({ config, db: tdb.db }),
    webhookSecretHash: webhookSecretHash(config),
    dispatch: async () => {},
  };
  const telegram = setUpTelegram({
    config,
    deps: { ctx: () => ctx, vtu: harness.vtu, payments },
    logger: ctx.logger,
    senders: new ChatSenders(),
    botInfo: BOT_INFO,
  });
  if (!telegram?.webhook) {
    throw new Error("expected Telegram webhook mode");
  }
  recordApiCalls(telegram.bot);
  app = makeTestApp(tdb.db, {
    config,
    vtu: harness.vtu,
    payments,
    telegramWebhook: telegram.webhook,
  }).app;
  await makeFixtures(harness);
}, 120_000);

afterAll(async () => {
  await tdb?.destroy();
});

/** A fixture request that must succeed; its body is shown when it does not. */
function okBody(res: JsonResponse) {
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.data;
}

async function login(phone: string): Promise<{ token: string; userId: string }> {
  expect(
    (await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD } })).status,
  ).toBe(201);
  const res = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = res.body.data.token as string;
  const me = await call(app, "GET", "/api/auth/me", { token });
  await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } });
  return { token, userId: me.body.data.id as string };
}

async function makeFixtures(harness: ReturnType<typeof makeVtu>) {
  f.phone = uniquePhone();
  const main = await login(f.phone);
  f.token = main.token;
  await creditWallet({
    ctx,
    input: {
      userId: main.userId,
      amountKobo: 50_000_000_000,
      counterparty: SYSTEM_ACCOUNTS.paymentClearing,
      description: "fuzz funding",
      idempotencyKey: "fuzz-funding",
      actor: "system:test",
    },
  });
  f.pinUserToken = (await login(uniquePhone())).token;
  f.victimUserId = (await login(uniquePhone())).userId;
  // The panel's revoke form on the victim's page revokes this one (revoking it again changes nothing).
  f.victimUserKeyId = (
    await createApiKey({ ctx, userId: f.victimUserId, input: { name: "panel victim" } })
  ).id;
  f.referralCode = (
    await tdb.db
      .selectFrom("users")
      .select("referral_code")
      .where("id", "=", f.victimUserId)
      .executeTakeFirstOrThrow()
  ).referral_code;
  // Every scope, so the key's requests reach as deep as the session's.
  f.apiKey = (
    await call(app, "POST", "/api/api-keys", {
      token: f.token,
      body: { name: "fuzz", scopes: ["read", "purchase", "withdraw", "gift"] },
    })
  ).body.data.key as string;
  f.victimKeyId = (await call(app, "POST", "/api/api-keys", { token: f.token, body: { name: "victim" } }))
    .body.data.id as string;

  // Order callbacks (DECISIONS §71): a key with a callback (sandbox mode: a local URL nobody serves,
  // and no sender runs here) and a delivery of an order it placed.
  const callbackKey = okBody(
    await call(app, "POST", "/api/api-keys", { token: f.token, body: { name: "callbacks" } }),
  );
  f.callbackKeyId = callbackKey.id as string;
  okBody(
    await call(app, "PUT", `/api/api-keys/${f.callbackKeyId}/callback`, {
      token: f.token,
      body: { url: "http://127.0.0.1:9/fuzz-callbacks" },
    }),
  );
  const callbackOrder = okBody(
    await call(app, "POST", "/api/vtu/airtime", {
      token: callbackKey.key as string,
      headers: { "idempotency-key": "fuzz-callback-order" },
      body: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
    }),
  ).order.id as string;
  await harness.runJob({ name: "submit-order", orderId: callbackOrder });
  f.deliveryId = (
    await tdb.db
      .selectFrom("callback_deliveries")
      .select("id")
      .where("order_id", "=", callbackOrder)
      .executeTakeFirstOrThrow()
  ).id;

  const plans = await call(app, "GET", "/api/vtu/plans/mtn");
  f.planId = plans.body.data.plans[0].id as string;
  const bouquets = await call(app, "GET", "/api/vtu/cable/bouquets?provider=dstv");
  f.bouquetId = bouquets.body.data.bouquets[0].id as string;
  const product = await tdb.db.selectFrom("catalogue_products").select("id").executeTakeFirstOrThrow();
  f.productId = String(product.id);
  const provider = await tdb.db.selectFrom("vtu_providers").select("code").executeTakeFirstOrThrow();
  f.providerCode = provider.code;

  const order = await call(app, "POST", "/api/vtu/airtime", {
    token: f.token,
    headers: { "idempotency-key": "fuzz-order-1" },
    body: { network: "mtn", phone: sandboxPhone(), amountKobo: 10_000, pin: TEST_PIN },
  });
  f.orderId = okBody(order).order.id as string;
  const intent = await call(app, "POST", "/api/wallet/fund", {
    token: f.token,
    body: { amountKobo: 100_000 },
  });
  f.intentId = okBody(intent).intent.id as string;
  f.txRef = okBody(intent).intent.txRef as string;
  const withdrawal = await call(app, "POST", "/api/wallet/withdraw", {
    token: f.token,
    headers: { "idempotency-key": "fuzz-withdrawal-1" },
    body: { ...BANK, amountKobo: 100_000, pin: TEST_PIN, accountName: ACCOUNT_NAME },
  });
  f.withdrawalId = okBody(withdrawal).withdrawal.id as string;
  const quiz = await call(app, "POST", "/api/gift-rooms/create", {
    token: f.token,
    headers: { "idempotency-key": "fuzz-room-1" },
    body: giftRoomBody("quiz"),
  });
  f.roomId = okBody(quiz).room.id as string;
  f.roomToken = okBody(quiz).room.token as string;
  const draw = await call(app, "POST", "/api/gift-rooms/create", {
    token: f.token,
    headers: { "idempotency-key": "fuzz-room-2" },
    body: giftRoomBody("random_draw"),
  });
  f.drawToken = okBody(draw).room.token as string;

  // A dynamic account paid the wrong amount: a transfer in suspense for the admin routes to decide.
  const account = await createDynamicAccount({
    ctx,
    payments,
    userId: main.userId,
    channel: "api",
    amountKobo: 100_000,
  });
  f.accountNumber = account.accountNumber ?? "";
  const sent = await sendSandboxTransfer({
    ctx,
    payments,
    accountNumber: f.accountNumber,
    amountKobo: 123_400,
    senderName: "Fuzz Payer",
    delivery: "missed",
  });
  const held = await confirmTransfer({ ctx, payments, transactionId: sent.transactionId, source: "sandbox" });
  expect(held.outcome).toBe("suspense");
  f.transferId = held.transfer?.id ?? "";

  const admin = await createAdmin({
    ctx,
    input: { email: "fuzz@tada.test", name: "Fuzz", password: ADMIN_PASSWORD, role: "super_admin" },
  });
  f.victimAdminEmail = "victim@tada.test";
  f.victimAdminId = (
    await createAdmin({
      ctx,
      input: { email: f.victimAdminEmail, name: "Victim", password: ADMIN_PASSWORD, role: "support" },
    })
  ).id;
  f.adminKey = (await createAdminApiKey({ ctx, admin, input: { name: "fuzz" } })).key;
  f.victimAdminKeyId = (await createAdminApiKey({ ctx, admin, input: { name: "victim" } })).id;
  const b = adminBrowser(app);
  await adminSignIn(b, "fuzz@tada.test", ADMIN_PASSWORD);
  const home = await b.request("GET", "/admin");
  f.adminCsrf = home.csrf;
  f.adminCookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const loginBrowser = adminBrowser(app);
  f.adminLoginCsrf = (await loginBrowser.request("GET", "/admin/login")).csrf;
  f.adminLoginCookie = [...loginBrowser.jar].map(([k, v]) => `${k}=${v}`).join("; ");

  const visitor = giftVisitor(app, "fuzz-agent");
  const page = await visitor.get(`/gift/${f.roomToken}`);
  f.giftCsrf = page.csrf ?? "";
  f.giftCookie = visitor.cookie() ?? "";

  const scheduler = await login(uniquePhone());
  f.scheduleId = okBody(
    await call(app, "POST", "/api/schedules", {
      token: scheduler.token,
      headers: { "idempotency-key": "fuzz-schedule" },
      body: {
        service: "airtime",
        recipient: sandboxPhone(),
        network: "mtn",
        amountKobo: 10_000,
        recurrence: { kind: "daily" },
        pin: TEST_PIN,
      },
    }),
  ).schedule.id;
  const scheduleUrl = okBody(await call(app, "POST", "/api/schedules/link", { token: scheduler.token })).url;
  f.scheduleToken = new URL(scheduleUrl).pathname.split("/").pop() ?? "";
  const schedulePage = await app.request(`/schedules/${f.scheduleToken}`);
  f.scheduleCookie = schedulePage.headers.get("set-cookie")?.split(";")[0] ?? "";
  f.scheduleCsrf = /name="csrf" value="([^"]+)"/.exec(await schedulePage.text())?.[1] ?? "";
  expect([f.scheduleCookie, f.scheduleCsrf].every(Boolean)).toBe(true);
  expect(
    [f.adminCsrf, f.giftCsrf, f.orderId, f.withdrawalId, f.roomToken, f.referralCode].every(Boolean),
  ).toBe(true);
}

const BANK = { bankCode: "058", accountNumber: "0123456789" };
const ACCOUNT_NAME = "ADAEZE OKAFOR (SANDBOX)";

function giftRoomBody(mode: "quiz" | "random_draw" | "first_come") {
  return {
    kind: "airtime",
    amountKobo: 10_000,
    capacity: 500,
    mode,
    ...(mode === "quiz" ? { quiz: { question: "Capital of Nigeria?", answers: ["Abuja"] } } : {}),
    ...(mode === "random_draw" ? { drawAt: new Date(Date.now() + 3_600_000).toISOString() } : {}),
    message: "Happy new month!",
    pin: TEST_PIN,
  };
}

/** A valid body for each JSON route, so one poisoned field travels as deep as it can. */
function sampleBody(route: Route): unknown {
  const key = `${route.method} ${route.path}`;
  const samples: Record<string, () => unknown> = {
    "POST /api/auth/register": () => ({
      phone: uniquePhone(),
      password: PASSWORD,
      email: `u${rnd.hex(8)}@tada.test`,
      name: "Ada",
      // A real code: an unknown one is refused before the other fields are used.
      referralCode: f.referralCode,
    }),
    "POST /api/auth/login": () => ({ phone: f.phone, password: PASSWORD }),
    "POST /api/auth/pin": () => ({ pin: TEST_PIN, currentPin: TEST_PIN }),
    "POST /api/auth/reset-pin": () => ({ resetCode: "123456", newPin: "1357" }),
    "PUT /api/api-keys/:id/callback": () => ({ url: "http://127.0.0.1:9/fuzz-callbacks" }),
    "POST /api/api-keys": () => ({
      name: "reseller key",
      scopes: ["read", "purchase"],
      ipAllowList: ["203.0.113.0/24", "2001:db8::/32"],
      rateLimitPerMinute: 600,
    }),
    "PATCH /api/api-keys/:id": () => ({
      name: "renamed key",
      scopes: ["read"],
      ipAllowList: ["198.51.100.7"],
      rateLimitPerMinute: null,
    }),
    "POST /api/wallet/fund": () => ({ amountKobo: 100_000 }),
    "POST /api/wallet/transfer-account/dynamic": () => ({ amountKobo: 100_000 }),
    "POST /api/referrals/code": () => ({ code: f.referralCode }),
    "POST /api/points/redeem": () => ({ to: "wallet", points: 100 }),
    "POST /api/schedules": () => ({
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 10_000,
      recurrence: { kind: "monthly", day: 31 },
      pin: TEST_PIN,
    }),
    "PATCH /api/schedules/:id": () => ({ amountKobo: 20_000, pin: TEST_PIN }),
    "POST /api/vtu/cable/cards/:id/reminders": () => ({ on: true }),
    "POST /api/admin/transfers/:id/resolve": () => ({ action: "credit", reason: "fuzz reason" }),
    "POST /api/wallet/withdraw/resolve": () => ({ ...BANK }),
    "POST /api/wallet/withdraw": () => ({
      ...BANK,
      amountKobo: 10_000,
      pin: TEST_PIN,
      accountName: ACCOUNT_NAME,
    }),
    "POST /api/vtu/airtime": () => ({
      network: "mtn",
      phone: sandboxPhone(),
      amountKobo: 10_000,
      pin: TEST_PIN,
    }),
    "POST /api/vtu/data": () => ({ network: "mtn", phone: sandboxPhone(), planId: f.planId, pin: TEST_PIN }),
    "POST /api/vtu/cable": () => ({
      provider: "dstv",
      smartcard: "7012345678",
      subscription: "change",
      bouquetId: f.bouquetId,
      phone: sandboxPhone(),
      pin: TEST_PIN,
    }),
    "POST /api/vtu/electricity": () => ({
      disco: "ikeja",
      meterType: "prepaid",
      meterNumber: "45012345678",
      amountKobo: 200_000,
      phone: sandboxPhone(),
      pin: TEST_PIN,
    }),
    "POST /api/vtu/verify": () => ({
      kind: "meter",
      disco: "ikeja",
      meterType: "prepaid",
      number: "45012345678",
    }),
    "POST /api/gift-rooms/create": () => giftRoomBody("quiz"),
    "POST /api/gift-rooms/claim": () => ({
      token: f.roomToken,
      phone: sandboxPhone(),
      network: "mtn",
      answer: "Abuja",
    }),
    "POST /api/gift-rooms/join": () => ({ token: f.drawToken, phone: sandboxPhone(), network: "mtn" }),
    "POST /api/admin/users/:id/actions": () => ({ action: "set_level", level: 1, reason: "fuzz reason" }),
    "POST /api/admin/users/:id/points/bonus": () => ({ points: 10, reason: "fuzz reason" }),
    "POST /api/admin/users/:id/tier": () => ({ tier: "reseller", reason: "fuzz reason" }),
    "PUT /api/admin/tiers": () => ({
      reason: "fuzz reason",
      tiers: {
        reseller: {
          name: "Reseller",
          minVolumeKobo: 30_000_000,
          margins: {
            airtime: null,
            data: { marginType: "percent", marginValue: 150 },
            cable: null,
            electricity: null,
          },
        },
      },
    }),
    "POST /api/sandbox/fund": () => ({ amountKobo: 1_000 }),
    "POST /api/webhooks/flutterwave": () => ({
      event: "charge.completed",
      data: {
        id: randomInt(1e9),
        tx_ref: f.txRef,
        status: "successful",
        amount: 1000,
        currency: "NGN",
        customer: { name: "Ada Obi", email: "ada@tada.test" },
        narration: "wallet funding",
      },
    }),
    "POST /api/webhooks/:provider{inlomax|smeplug}/:token": () => ({
      reference: f.orderId,
      status: "success",
      message: "Transaction successful",
      data: { note: "ok" },
    }),
    "POST /api/telegram/webhook": () => {
      const id = randomInt(1e9);
      return {
        update_id: id,
        message: {
          message_id: id,
          date: 0,
          text: "balance",
          chat: { id: 9_100_000 + randomInt(1000), type: "private", first_name: "Ada" },
          from: { id: 9_100_001, is_bot: false, first_name: "Ada", last_name: "Obi", username: "ada" },
        },
      };
    },
  };
  return samples[key]?.();
}

/** Form fields the panel and the pages post, with values that pass (so one poisoned field goes deep). */
function sampleForm(route: Route): Record<string, string> {
  const csrf =
    route.path === "/admin/login"
      ? f.adminLoginCsrf
      : route.path.startsWith("/gift")
        ? f.giftCsrf
        : route.path.startsWith("/schedules/")
          ? f.scheduleCsrf
          : f.adminCsrf;
  return {
    csrf,
    reason: "fuzz reason",
    action: route.path.startsWith("/gift") ? "claim" : "set_level",
    enabled: "true",
    role: "support",
    phone: sandboxPhone(),
    password: ADMIN_PASSWORD,
    network: "mtn",
    name: "Fuzz",
    email: route.path === "/admin/login" ? f.victimAdminEmail : `a${rnd.hex(6)}@tada.test`,
    direction: "credit",
    decision: "approve",
    whatsappPhone: "08031234567",
    telegramChatId: "12345",
    threshold: "1000",
    status: "active",
    priority: "10",
    nonce: rnd.hex(24),
    marginType: "percent",
    margin: "5",
    level: "1",
    amount: "100",
    answer: "Abuja",
    pin: TEST_PIN,
    current_pin: TEST_PIN,
    failover: "on",
    // The KYC page (a BVN the sandbox gateway takes) and the sandbox bank.
    bvn: "22212345678",
    first_name: "Ada",
    last_name: "Obi",
    account_number: f.accountNumber,
    sender_name: "Fuzz Payer",
    delivery: "normal",
    // The admin's held-transfer decisions need a ticked confirmation.
    confirm: "yes",
    // Bonus points and the points rules (the Points page and the customer's page).
    points: "10",
    customer: f.victimUserId,
    pointValue: "0.50",
    earnAirtime: "1",
    earnData: "1",
    earnCable: "1",
    earnElectricity: "1",
    referralPoints: "100",
    minRedeemPoints: "100",
    expiryDays: "365",
    // A customer's tier, and the tier rules form.
    tier: "reseller",
    "regular.name": "Regular",
    "smart_buyer.name": "Smart Buyer",
    "smart_buyer.minVolume": "50000",
    "reseller.name": "Reseller",
    "reseller.minVolume": "300000",
    "reseller.data.type": "percent",
    "reseller.data.value": "1.5",
    // The customer's schedules page: a daily airtime schedule (amount, phone, network and pin above).
    service: "airtime",
    how: "daily",
  };
}

/** Real values for the path parameters (a victim's id where a route could lock the fuzzer out). */
async function paramValues(route: Route): Promise<Record<string, string>> {
  const p = route.path;
  const values: Record<string, string> = {};
  for (const name of paramNames(p)) {
    values[name] = await (async () => {
      if (p.startsWith("/api/webhooks")) {
        return name === "provider" ? "inlomax" : WEBHOOK_TOKEN;
      }
      if (p.startsWith("/pin/")) {
        const link = await createPinLink({
          ctx,
          channel: "telegram",
          userRef: String(9_200_000 + randomInt(100_000)),
          userId: f.victimUserId,
          confirmId: "c1",
          purpose: "pay",
          title: "Fuzz",
        });
        return new URL(link.url).pathname.split("/").pop() ?? "";
      }
      if (p.startsWith("/kyc/")) {
        // A customer of their own per link: one whose form went through has an account number,
        // and gets no second BVN page.
        const owner = await createTestUser(tdb.db);
        const link = await createKycLink({ ctx, userId: owner.id, channel: "api", userRef: owner.id });
        return decodeURIComponent(new URL(link.url).pathname.split("/").pop() ?? "");
      }
      if (p.startsWith("/r/")) {
        return f.referralCode;
      }
      if (p.startsWith("/schedules/")) {
        // Verbs that keep the schedule, so every request reaches a live one.
        return { token: f.scheduleToken, id: f.scheduleId, verb: "skip" }[name] ?? "1";
      }
      if (name === "token") {
        return f.roomToken;
      }
      if (name === "network") {
        return "mtn";
      }
      if (name === "orderId" || p.includes("orders/:id")) {
        return f.orderId;
      }
      if (name === "txRef" || p.startsWith("/api/wallet/fund/")) {
        return f.txRef;
      }
      if (p.includes("withdrawals/:id")) {
        return f.withdrawalId;
      }
      if (p.includes("transfers/:id")) {
        return f.transferId;
      }
      if (p.includes("payments/:id")) {
        return f.intentId;
      }
      if (p.includes("gift-rooms/:id")) {
        return f.roomId;
      }
      if (p.startsWith("/api/api-keys/:id/callback")) {
        return name === "deliveryId" ? f.deliveryId : f.callbackKeyId;
      }
      if (p.startsWith("/api/api-keys")) {
        return f.victimKeyId;
      }
      if (p.startsWith("/admin/callbacks/")) {
        return f.deliveryId;
      }
      if (name === "keyId") {
        return f.victimUserKeyId;
      }
      if (p.startsWith("/admin/account/api-keys")) {
        return f.victimAdminKeyId;
      }
      if (p.includes("users/:id")) {
        return f.victimUserId;
      }
      if (p.includes("admins/:id")) {
        return f.victimAdminId;
      }
      if (p.includes("plans/:id")) {
        return f.productId;
      }
      if (name === "code") {
        return f.providerCode;
      }
      if (name === "service") {
        return "airtime";
      }
      return "1";
    })();
  }
  return values;
}

type Auth = "none" | "signed-in";

/** The credentials a route takes when signed in: the one it needs, or a random fitting one. */
function authHeaders(route: Route, auth: Auth): Record<string, string> {
  if (auth === "none") {
    return {};
  }
  const p = route.path;
  if (p.startsWith("/api/admin")) {
    return { authorization: `Bearer ${f.adminKey}` };
  }
  if (p === "/api/telegram/webhook") {
    return { "x-telegram-bot-api-secret-token": TG_SECRET };
  }
  if (p.startsWith("/admin/login")) {
    return { cookie: f.adminLoginCookie };
  }
  if (p.startsWith("/admin")) {
    return { cookie: f.adminCookie };
  }
  if (p.startsWith("/gift")) {
    return { cookie: f.giftCookie, "user-agent": "fuzz-agent" };
  }
  if (p.startsWith("/schedules/")) {
    return { cookie: f.scheduleCookie };
  }
  if (/^\/api\/auth\/(pin|reset-pin|forgot-pin)/.test(p)) {
    return { authorization: `Bearer ${f.pinUserToken}` };
  }
  const sessionOnly = p.startsWith("/api/api-keys") || /\/(logout|link-code)$/.test(p);
  return { authorization: `Bearer ${sessionOnly || rnd.next() < 0.5 ? f.token : f.apiKey}` };
}

type FuzzRequest = {
  route: Route;
  label: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
};
type Offender = { request: FuzzRequest; status: number | string; answer: string };

const sent = { requests: 0, keys: 0 };
const timing = new Map<string, number>();

/** Send one request; anything ≥ 500 (or a throw out of app.request) is an offender. */
async function send(request: FuzzRequest): Promise<Offender | undefined> {
  const headers: Record<string, string> = { ...request.headers };
  const body = request.body;
  if (request.route.method !== "GET" && request.route.method !== "HEAD") {
    // A counter, not the seeded source: requests finish in any order and must not shift the seed.
    headers["idempotency-key"] ??= `fuzz-${++sent.keys}`;
  }
  if (request.route.path === "/api/webhooks/flutterwave" && body !== undefined) {
    headers["flutterwave-signature"] ??= createHmac("sha256", payments.webhookSecretHash)
      .update(body)
      .digest("base64");
  }
  sent.requests++;
  const started = performance.now();
  const key = `${request.route.method} ${request.route.path}`;
  try {
    const res = await app.request(request.path, {
      method: request.route.method,
      headers,
      ...(body === undefined || request.route.method === "GET" ? {} : { body }),
    });
    const text = await res.text();
    timing.set(key, (timing.get(key) ?? 0) + performance.now() - started);
    if (res.status >= 500) {
      return {
        request,
        status: res.status,
        answer: /INTERNAL_ERROR/.test(text) ? "INTERNAL_ERROR" : text.slice(0, 120),
      };
    }
  } catch (error) {
    return { request, status: "threw", answer: String(error).slice(0, 160) };
  }
  return undefined;
}

/** Send them all and fail with the full list of 5xx answers (method, route, payload, request). */
async function expectNo5xx(requests: FuzzRequest[]): Promise<void> {
  const offenders = await fuzz(requests);
  expect(offenders.length, `${offenders.length} requests answered 5xx:\n${offenders.join("\n")}`).toBe(0);
}

async function fuzz(requests: FuzzRequest[]): Promise<string[]> {
  const started = performance.now();
  const results = await runPool(
    requests.map((r) => () => send(r)),
    Number(process.env.FUZZ_CONCURRENCY ?? 6),
  );
  // Gift rooms and PINs can be locked by wrong answers; unlock so later requests still go deep.
  await tdb.db.updateTable("user_pins").set({ failed_attempts: 0, locked_until: null }).execute();
  console.info(`fuzz: ${requests.length} requests in ${Math.round(performance.now() - started)} ms`);
  return results
    .filter((o): o is Offender => o !== undefined)
    .map(
      (o) =>
        `${o.status} ${o.request.route.method} ${o.request.route.path} — ${o.request.label} — ${show(o.request.path)} → ${o.answer}`,
    );
}

function jsonHeaders(route: Route, auth: Auth, type = "application/json") {
  return { ...authHeaders(route, auth), "content-type": type };
}

/**
 * Routes that run bcrypt (cost 12 for PINs) on anything that passes validation: each gets a random
 * sample of the slower poisons per run instead of all of them, so the test stays fast in CI; NUL and
 * surrogates are always sent.
 */
const COSTLY = new Set([
  "POST /api/auth/register",
  "POST /api/auth/login",
  "POST /api/auth/pin",
  "POST /api/auth/reset-pin",
  "POST /admin/login",
]);
const costly = (route: Route) => COSTLY.has(`${route.method} ${route.path}`);
/** Fields checked with bcrypt wherever they appear: a wrong PIN costs ~250 ms of CPU. */
const SECRET_FIELDS = /^(pin|currentPin|newPin|password|current_pin)$/;

const isForm = (route: Route) => route.method === "POST" && !route.path.startsWith("/api/");
const takesBody = (route: Route) => route.method !== "GET" && route.method !== "HEAD";

/** The request a route would accept (valid params, its sample body or form), to poison one part of. */
async function baseline(route: Route, auth: Auth): Promise<FuzzRequest> {
  const path = fillPath(route.path, await paramValues(route));
  if (!takesBody(route)) {
    return { route, label: "baseline", path, headers: authHeaders(route, auth) };
  }
  if (isForm(route)) {
    return {
      route,
      label: "baseline",
      path,
      headers: { ...authHeaders(route, auth), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(sampleForm(route)).toString(),
    };
  }
  const sample = sampleBody(route);
  return {
    route,
    label: "baseline",
    path,
    headers: jsonHeaders(route, auth),
    body: JSON.stringify(sample ?? {}),
  };
}

let routes: Route[];

describe("fuzz every route: nothing answers 5xx", () => {
  beforeAll(() => {
    // Sign-outs last, so the rest runs signed in.
    routes = routesOf(app).sort(
      (a, b) => Number(a.path.endsWith("/logout")) - Number(b.path.endsWith("/logout")),
    );
  });

  it("knows every route: API, webhooks and web pages", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      "GET /fund/callback",
      "POST /api/auth/register",
      "GET /api/vtu/orders/:id",
      "POST /api/webhooks/flutterwave",
      "POST /api/telegram/webhook",
      "POST /gift/:token",
      "POST /admin/users/:id/adjust",
      "POST /pin/:token",
      "POST /kyc/:token",
      "POST /sandbox/bank",
      "GET /api/wallet/transfer-account",
      "POST /api/wallet/transfer-account/kyc-link",
      "POST /api/wallet/transfer-account/dynamic",
      "POST /api/admin/transfers/:id/resolve",
      "GET /r/:code",
      "GET /api/referrals",
      "POST /api/referrals/code",
      "GET /api/admin/referrals",
      "GET /admin/referrals",
      "GET /admin/referrals/abuse",
      "GET /admin/points",
      "POST /admin/points/rules",
      "POST /admin/points/bonus",
      "GET /admin/users/:id/points",
      "POST /admin/users/:id/points/bonus",
      "GET /api/admin/points",
      "GET /api/admin/users/:id/points",
      "POST /api/admin/users/:id/points/bonus",
      "GET /api/admin/referrals/abuse",
      "GET /api/tiers",
      "GET /api/admin/tiers",
      "PUT /api/admin/tiers",
      "POST /api/admin/users/:id/tier",
      "GET /admin/tiers",
      "POST /admin/tiers/rules",
      "POST /admin/users/:id/tier",
      "GET /api/schedules",
      "POST /api/schedules",
      "GET /api/schedules/:id",
      "PATCH /api/schedules/:id",
      "POST /api/schedules/:id/pause",
      "POST /api/schedules/:id/resume",
      "POST /api/schedules/:id/skip-next",
      "DELETE /api/schedules/:id",
      "POST /api/sandbox/schedules/:id/run-now",
      "GET /admin/schedules",
      "POST /api/schedules/link",
      "GET /schedules/:token",
      "POST /schedules/:token/new",
      "POST /schedules/:token/:id/:verb",
      "POST /api/vtu/cable/cards/:id/reminders",
      "GET /admin/reminders",
      "PATCH /api/api-keys/:id",
      "POST /api/api-keys/:id/rotate",
      "POST /admin/users/:id/api-keys/:keyId/revoke",
      // The panel's older routes, now section modules (issue 21 §10), and the audit log's filters.
      "GET /admin/audit",
      "GET /admin/users/:id",
      "POST /admin/approvals/:id",
      "GET /admin/whatsapp",
    ]) {
      expect(keys).toContain(expected);
    }
    // Routes without a valid sample get the generic bodies only; add one to sampleBody to go deeper.
    const generic = routes.filter((r) => takesBody(r) && !isForm(r) && sampleBody(r) === undefined);
    console.info(`fuzz: generic bodies only for ${generic.map((r) => `${r.method} ${r.path}`).join(", ")}`);
  });

  for (const auth of ["signed-in", "none"] as const) {
    it(`path parameters (${auth})`, { timeout: 120_000 }, async () => {
      const requests: FuzzRequest[] = [];
      for (const route of routes) {
        const base = await baseline(route, auth);
        const values = await paramValues(route);
        for (const name of paramNames(route.path)) {
          for (const poison of PATH_POISONS) {
            requests.push({
              ...base,
              label: `param ${name}=${show(poison)}`,
              path: fillPath(route.path, values, { [name]: poison }),
            });
          }
        }
        requests.push({ ...base, label: "extra NUL segment", path: `${base.path}/%00` });
      }
      await expectNo5xx(requests);
    });

    it(`query strings (${auth})`, { timeout: 120_000 }, async () => {
      const requests: FuzzRequest[] = [];
      for (const route of routes) {
        const base = await baseline(route, auth);
        // NUL in every name a GET route might read; the other poisons in a random sample of names.
        const names = takesBody(route) || costly(route) ? rnd.sample(QUERY_NAMES, 2) : QUERY_NAMES;
        for (const name of names) {
          requests.push({ ...base, label: `query ${name}=NUL`, path: `${base.path}?${name}=%00` });
        }
        for (let i = 0; i < (costly(route) ? 0 : takesBody(route) ? 2 : 6); i++) {
          const name = rnd.pick(QUERY_NAMES);
          const poison = rnd.pick(QUERY_POISONS);
          requests.push({
            ...base,
            label: `query ${name}=${show(poison)}`,
            path: `${base.path}?${name}=${poison}`,
          });
        }
        requests.push({ ...base, label: "query key NUL", path: `${base.path}?%00=1` });
        requests.push({
          ...base,
          label: "query repeated",
          path: `${base.path}?limit=1&limit=2&cursor=a&cursor=b`,
        });
      }
      await expectNo5xx(requests);
    });

    it(`JSON bodies: generic and each field of a valid body poisoned (${auth})`, {
      timeout: 120_000,
    }, async () => {
      const requests: FuzzRequest[] = [];
      for (const route of routes.filter((r) => takesBody(r) && !isForm(r))) {
        const base = await baseline(route, auth);
        for (const raw of RAW_BODY_POISONS) {
          requests.push({
            ...base,
            label: `body ${raw.label}`,
            headers: jsonHeaders(route, auth, raw.type),
            body: raw.body,
          });
        }
        const sample = sampleBody(route);
        if (sample === undefined || auth === "none") {
          continue;
        }
        for (const leaf of leafPaths(sample)) {
          const poisons =
            costly(route) || SECRET_FIELDS.test(String(leaf[leaf.length - 1]))
              ? [...JSON_VALUE_POISONS.slice(0, 4), ...rnd.sample(JSON_VALUE_POISONS.slice(4), 1)]
              : [...JSON_VALUE_POISONS.slice(0, 4), ...rnd.sample(JSON_VALUE_POISONS.slice(4), 8)];
          for (const poison of poisons) {
            // Each request gets a fresh sample (new phone, update id, idempotency key).
            requests.push({
              ...base,
              label: `field ${leaf.join(".")}=${show(poison)}`,
              body: withRawAt(sampleBody(route), leaf, poison),
            });
          }
        }
        for (const key of ["\u0000", "a\u0000", "\ud800", "\udc00x"]) {
          requests.push({
            ...base,
            label: `extra key ${show(key)}`,
            body: JSON.stringify({ ...(sample as object), [key]: "v" }),
          });
        }
      }
      await expectNo5xx(requests);
    });

    it(`form posts: each field poisoned (${auth})`, { timeout: 120_000 }, async () => {
      const requests: FuzzRequest[] = [];
      for (const route of routes.filter(isForm)) {
        const base = await baseline(route, auth);
        for (const name of Object.keys(sampleForm(route))) {
          const count = costly(route) || SECRET_FIELDS.test(name) || auth === "none" ? 0 : 1;
          for (const poison of rnd.sample(FORM_POISONS, count).concat("%00")) {
            const fields = Object.entries(sampleForm(route)).map(([k, v]) =>
              k === name ? `${k}=${poison}` : `${k}=${encodeURIComponent(v)}`,
            );
            // A PIN or KYC link is used once: each request gets its own.
            const path = /^\/(pin|kyc)\//.test(route.path)
              ? fillPath(route.path, await paramValues(route))
              : base.path;
            requests.push({ ...base, path, label: `form ${name}=${show(poison)}`, body: fields.join("&") });
          }
        }
        requests.push({ ...base, label: "form key NUL", body: `${base.body as string}&%00=1` });
        for (const raw of RAW_BODY_POISONS.filter((r) => r.type?.startsWith("multipart"))) {
          requests.push({
            ...base,
            label: `form ${raw.label}`,
            headers: { ...authHeaders(route, auth), "content-type": raw.type as string },
            body: raw.body,
          });
        }
      }
      await expectNo5xx(requests);
    });

    it(`headers (${auth})`, { timeout: 120_000 }, async () => {
      const requests: FuzzRequest[] = [];
      for (const route of routes) {
        const base = await baseline(route, auth);
        // Reads take every odd header; writes take the ones they act on plus a sample (each write
        // carries a valid body, so it buys, pays out or hashes a password for real).
        // Writes always get the headers they act on (each carries a valid body, so it buys, pays
        // out or hashes a password for real); everything gets a random sample of the rest.
        const picks = costly(route)
          ? rnd.sample(HEADER_POISONS, 1)
          : [
              ...(takesBody(route) && auth === "signed-in"
                ? HEADER_POISONS.filter(([name]) => name === "idempotency-key" || name === "authorization")
                : []),
              ...rnd.sample(HEADER_POISONS, auth === "none" ? 4 : 8),
            ];
        for (const [name, value] of picks) {
          requests.push({
            ...base,
            label: `header ${name}: ${show(value)}`,
            headers: { ...base.headers, [name]: value },
          });
        }
      }
      await expectNo5xx(requests);
    });
  }

  it("leaves the ledger consistent after all of it (some fuzzed routes move money)", async () => {
    console.info(
      [...timing]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([k, ms]) => `${Math.round(ms)} ms ${k}`)
        .join("\n"),
    );
    console.info(`fuzz: ${sent.requests} requests in all, seed ${SEED}`);
    await expectLedgerConsistent(tdb.db);
  });
});
