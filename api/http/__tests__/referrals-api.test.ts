import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import type { ServiceContext } from "../../services/context";
import { sweepReferralRewards } from "../../services/rewards";

/**
 * Referrals over HTTP (issue 18 §1): A registers, B registers with A's code, B's first ₦1,000
 * airtime is delivered by the sandbox, the sweeper pays A ₦100 and B ₦50 once; the code-entry
 * refusals; and the `/r/:code` landing page.
 */
const PASSWORD = "correct-horse-9";
const BOT = "TadaTestBot";
const config = testConfig({
  VTU_RESPONSE_WAIT_MS: "0",
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
  TELEGRAM_BOT_USERNAME: BOT,
  REFERRAL_REWARD_KOBO: "10000",
  REFERRAL_WELCOME_KOBO: "5000",
  // The default ₦1,000 minimum: ₦1,000 of airtime qualifies by its face value (it costs ₦979.70).
  REFERRAL_MIN_PURCHASE_KOBO: "100000",
});

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

type Customer = { token: string; userId: string; phone: string; code: string };

/** Register (with a referral code or not), log in, set the PIN, all over HTTP. */
async function customer(body: Record<string, unknown> = {}): Promise<Customer> {
  const phone = uniquePhone();
  const reg = await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD, ...body } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = login.body.data.token as string;
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  const summary = await call(app, "GET", "/api/referrals", { token });
  expect(summary.status, JSON.stringify(summary.body)).toBe(200);
  return { token, userId: me.body.data.id as string, phone, code: summary.body.data.referral.code as string };
}

async function balance(who: Customer): Promise<number> {
  const res = await call(app, "GET", "/api/wallet/balance", { token: who.token });
  expect(res.status).toBe(200);
  return res.body.data.balanceKobo as number;
}

async function page(path: string) {
  const res = await app.request(path);
  return { status: res.status, headers: res.headers, html: await res.text() };
}

describe("referrals that pay, over the API", () => {
  it("B joins with A's code, buys ₦1,000 airtime; the sweep pays A ₦100 and B ₦50, once", async () => {
    const a = await customer({ name: "Adaeze Okafor" });
    const b = await customer({ name: "Bola Ade", referralCode: a.code.toLowerCase() });

    const fund = await call(app, "POST", "/api/sandbox/fund", {
      token: b.token,
      body: { amountKobo: 200_000 },
    });
    expect(fund.status, JSON.stringify(fund.body)).toBe(200);
    const bought = await call(app, "POST", "/api/vtu/airtime", {
      token: b.token,
      headers: { "idempotency-key": "ref-airtime-1" },
      body: { network: "mtn", phone: sandboxPhone(), amountKobo: 100_000, pin: TEST_PIN },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    await harness.drain();
    const order = await call(app, "GET", `/api/vtu/orders/${bought.body.data.order.id}`, { token: b.token });
    expect(order.body.data.order.state).toBe("delivered");

    const before = { a: await balance(a), b: await balance(b) };
    const swept = await sweepReferralRewards({ ctx });
    expect(swept.paid).toBe(1);

    const summary = await call(app, "GET", "/api/referrals", { token: a.token });
    expect(summary.status).toBe(200);
    expect(summary.body.data.referral).toMatchObject({
      code: a.code,
      referees: 1,
      rewarded: 1,
      earnedKobo: 10_000,
      telegramLink: `https://t.me/${BOT}?start=ref_${a.code}`,
      whatsappLink: null,
      canEnterCode: true,
    });
    expect(await balance(a)).toBe(before.a + 10_000);
    expect(await balance(b)).toBe(before.b + 5_000);

    // A second sweep finds nothing to pay.
    expect((await sweepReferralRewards({ ctx })).paid).toBe(0);
    expect(await balance(a)).toBe(before.a + 10_000);
    expect(await balance(b)).toBe(before.b + 5_000);
    await expectLedgerConsistent(tdb.db);

    // B may not enter a code any more: they joined with one.
    const again = await call(app, "GET", "/api/referrals", { token: b.token });
    expect(again.body.data.referral.canEnterCode).toBe(false);
  });

  it("POST /api/referrals/code: own code 422, unknown 404, applied 200, twice 409", async () => {
    const a = await customer({ name: "Chidi Eze" });
    const c = await customer();
    expectErrorEnvelope(
      await call(app, "POST", "/api/referrals/code", { token: c.token, body: { code: c.code } }),
      422,
      "REFERRAL_SELF",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/referrals/code", { token: c.token, body: { code: "NOSUCH999" } }),
      404,
      "REFERRAL_CODE_UNKNOWN",
    );
    const applied = await call(app, "POST", "/api/referrals/code", {
      token: c.token,
      body: { code: a.code.toLowerCase() },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.data).toEqual({ applied: true, referrerFirstName: "Chidi" });
    expectErrorEnvelope(
      await call(app, "POST", "/api/referrals/code", { token: c.token, body: { code: a.code } }),
      409,
      "REFERRAL_ALREADY_SET",
    );
    // A body that is not a code, and no sign-in.
    expectErrorEnvelope(
      await call(app, "POST", "/api/referrals/code", { token: c.token, body: { code: a.code, x: 1 } }),
      400,
      "VALIDATION_ERROR",
    );
    expect((await call(app, "POST", "/api/referrals/code", { body: { code: a.code } })).status).toBe(401);
    expect((await call(app, "GET", "/api/referrals")).status).toBe(401);
  });

  it("POST /api/auth/register with an unknown referralCode is refused (422), and nothing is created", async () => {
    const phone = uniquePhone();
    const refused = await call(app, "POST", "/api/auth/register", {
      body: { phone, password: PASSWORD, referralCode: "NOSUCH999" },
    });
    expectErrorEnvelope(refused, 422, "REFERRAL_CODE_UNKNOWN");
    expect(JSON.stringify(refused.body)).toContain("leave referralCode out");
    // The phone is still free: the same person registers without the code.
    const reg = await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD } });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    // A known code typed loosely (lower case, spaces) is still found.
    const a = await customer({ name: "Ngozi Obi" });
    const loose = `${a.code.slice(0, 3).toLowerCase()} ${a.code.slice(3)}`;
    const b = await customer({ referralCode: loose });
    const row = await tdb.db
      .selectFrom("users")
      .select("referred_by")
      .where("id", "=", b.userId)
      .executeTakeFirstOrThrow();
    expect(row.referred_by).toBe(a.userId);
  });

  it("/r/:code shows the first name only, the bonus and the code; an unknown code is a 404 that still starts the bot", async () => {
    const a = await customer({ name: "Ngozi Umeh" });
    const known = await page(`/r/${a.code.toLowerCase()}`);
    expect(known.status).toBe(200);
    expect(known.headers.get("content-type")).toContain("text/html");
    expect(known.headers.get("cache-control")).toBe("no-store");
    expect(known.headers.get("referrer-policy")).toBe("no-referrer");
    expect(known.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(known.html).toContain("Ngozi invited you to TADA VTU");
    expect(known.html).not.toContain("Umeh");
    expect(known.html).not.toContain(a.phone);
    expect(known.html).not.toContain(a.phone.slice(-10));
    expect(known.html).toContain(a.code);
    expect(known.html).toContain(`or register through the API with referralCode`);
    expect(known.html).toContain("₦50");
    expect(known.html).toContain("at least ₦1,000");
    expect(known.html).toContain(`href="https://t.me/${BOT}?start=ref_${a.code}"`);
    expect(known.html).toContain("Open in Telegram");
    expect(known.html).not.toContain("Chat on WhatsApp");

    const unknown = await page("/r/NOSUCH999");
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain("This invitation link is not valid");
    expect(unknown.html).toContain(`href="https://t.me/${BOT}"`);
    expect(unknown.html).not.toContain("NOSUCH999");
    expect((await page("/r/x")).status).toBe(404);

    // A suspended referrer's code is unknown too.
    await tdb.db.updateTable("users").set({ status: "suspended" }).where("id", "=", a.userId).execute();
    expect((await page(`/r/${a.code}`)).status).toBe(404);
  });

  it("/r/:code without a bot configured or a welcome bonus: 'A friend', no buttons, no bonus", async () => {
    const bare = makeTestApp(tdb.db, {
      config: testConfig({ REFERRAL_WELCOME_KOBO: "0" }),
      vtu: harness.vtu,
    }).app;
    const a = await customer();
    const res = await bare.request(`/r/${a.code}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("A friend invited you to TADA VTU");
    expect(html).not.toContain("welcome bonus");
    expect(html).not.toContain("Open in Telegram");
    expect(html).toContain(a.code);
  });
});
