import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminBrowser, adminSignIn } from "../../../../test/helpers/admin-browser";
import { type CallbackReceiver, startCallbackReceiver } from "../../../../test/helpers/callback-receiver";
import { makeCtx, testConfig } from "../../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../../test/helpers/db";
import { uniquePhone } from "../../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../../test/helpers/ledger";
import { until } from "../../../../test/helpers/until";
import {
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../../test/helpers/vtu";
import { CallbackPayload } from "../../../http/schemas/callbacks";
import { startCallbackSender } from "../../../jobs/callbacks";
import { createAdmin, markOrderDelivered } from "../../admins";
import type { ServiceContext } from "../../context";
import { sweepDueOrders } from "../../vtu";
import { getWalletBalance } from "../../wallet";
import { CALLBACK_RETRY_WINDOW_MS, claimDueCallbacks, runCallbackPass } from "..";
import type { LookupAll } from "../url-policy";
import { verifyCallbackSignature } from "../verify";

/**
 * Signed order callbacks (issue 20, DECISIONS §71) end to end: the real app and sandbox providers on
 * a real database, a real HTTP receiver on 127.0.0.1, the sender run pass by pass on a clock the
 * test moves (the clock is real time plus an offset, so it never runs behind the app's).
 */
const config = testConfig({ VTU_RESPONSE_WAIT_MS: "0", AUTH_RATE_LIMIT_PER_MINUTE: "1000" });
/** Outside sandbox mode: https only, public addresses only (DNS answers from `dns` below). */
const strictConfig = testConfig({
  SANDBOX_MODE: "off",
  INLOMAX_API_KEY: "test-key-never-used",
  FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-never-used",
  FLUTTERWAVE_SECRET_HASH: "a-secret-hash-never-used",
  AUTH_RATE_LIMIT_PER_MINUTE: "1000",
});
const AIRTIME_500_PRICE = 48_985;
const SENDER = { owner: "test-sender", timeoutMs: 2_000 };

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
const advance = (seconds: number) => {
  offsetMs += seconds * 1000;
};

/** What the fake DNS answers outside sandbox mode, by host name (a test may re-point one). */
const dns = new Map<string, string>([
  ["hooks.reseller.test", "93.184.216.34"],
  ["internal.reseller.test", "10.0.0.7"],
  ["metadata.reseller.test", "169.254.169.254"],
  ["mapped.reseller.test", "::ffff:127.0.0.1"],
]);
const lookup: LookupAll = async (host) => {
  const address = dns.get(host);
  if (!address) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  }
  return [{ address, family: address.includes(":") ? 6 : 4 }];
};

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let strictApp: TestApp;
let harness: ReturnType<typeof makeVtu>;
let receiver: CallbackReceiver;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config, now: clock });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
  strictApp = makeTestApp(tdb.db, { config: strictConfig, vtu: harness.vtu, callbackLookup: lookup }).app;
  receiver = await startCallbackReceiver();
});
afterEach(async () => {
  receiver.answer(() => 200);
  // Nothing a test left pending is sent in the next one.
  await tdb.db
    .updateTable("callback_deliveries")
    .set({ status: "given_up", next_attempt_at: null, given_up_at: new Date() })
    .where("status", "=", "pending")
    .execute();
});
afterAll(async () => {
  await harness.drain();
  await expectLedgerConsistent(tdb.db);
  await receiver?.close();
  await tdb?.destroy();
});

type Reseller = { token: string; userId: string; key: string; keyId: string };

/** A customer with a PIN, ₦5,000 and an API key, all over HTTP. */
async function newReseller(): Promise<Reseller> {
  const token = await registerAndLogin(app, uniquePhone());
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const fund = await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo: 500_000 } });
  expect(fund.status, JSON.stringify(fund.body)).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  const created = await newKey(token);
  return { token, userId: me.body.data.id as string, ...created };
}

async function newKey(token: string, name = "shop"): Promise<{ key: string; keyId: string }> {
  const res = await call(app, "POST", "/api/api-keys", { token, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { key: res.body.data.key as string, keyId: res.body.data.id as string };
}

async function register(token: string, keyId: string, url = receiver.url, on = app) {
  const res = await call(on, "PUT", `/api/api-keys/${keyId}/callback`, { token, body: { url } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { callback: { url: string }; secret: string | null };
}

let keys = 0;
/** ₦500 MTN airtime bought with `bearer` (an API key or a session), its jobs run. */
async function buy(bearer: string, phone = sandboxPhone()): Promise<string> {
  const res = await call(app, "POST", "/api/vtu/airtime", {
    token: bearer,
    headers: { "idempotency-key": `cb-${Date.now()}-${++keys}` },
    body: { network: "mtn", phone, amountKobo: 50_000, pin: TEST_PIN },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await harness.drain();
  return res.body.data.order.id as string;
}

function deliveriesOf(orderId: string) {
  return tdb.db
    .selectFrom("callback_deliveries")
    .selectAll()
    .where("order_id", "=", orderId)
    .orderBy("created_at")
    .execute();
}

async function onlyDelivery(orderId: string) {
  const rows = await deliveriesOf(orderId);
  expect(rows).toHaveLength(1);
  return rows[0] as NonNullable<(typeof rows)[0]>;
}

function pass(on: ServiceContext = ctx, deps: Partial<typeof SENDER> & { lookup?: LookupAll } = {}) {
  return runCallbackPass(on, { ...SENDER, ...deps });
}

function lastReceived() {
  const last = receiver.received.at(-1);
  if (!last) {
    throw new Error("the receiver got nothing");
  }
  return last;
}

function expectSigned(received: { headers: Record<string, unknown>; rawBody: string }, secret: string) {
  const check = verifyCallbackSignature({
    secret,
    header: String(received.headers["tada-signature"]),
    rawBody: received.rawBody,
    now: clock(),
  });
  expect(check.ok, JSON.stringify(check)).toBe(true);
}

describe("registering a callback", () => {
  it("shows the secret once; orders placed with the key are POSTed signed, with the order as GET shows it", async () => {
    const r = await newReseller();
    const { callback, secret } = await register(r.token, r.keyId);
    expect(secret).toMatch(/^tcs_/);
    expect(callback.url).toBe(receiver.url);
    const shown = await call(app, "GET", `/api/api-keys/${r.keyId}/callback`, { token: r.token });
    expect(shown.body.data.callback).toMatchObject({ apiKeyId: r.keyId, url: receiver.url });
    const stored = await tdb.db
      .selectFrom("api_key_callbacks")
      .selectAll()
      .where("api_key_id", "=", r.keyId)
      .executeTakeFirstOrThrow();
    for (const text of [
      JSON.stringify(shown.body),
      JSON.stringify((await call(app, "GET", "/api/api-keys", { token: r.token })).body),
      stored.secret_encrypted,
    ]) {
      expect(text).not.toContain((secret ?? "").slice(4));
    }

    const orderId = await buy(r.key);
    const viaSession = await buy(r.token);
    const orders = await tdb.db
      .selectFrom("vtu_orders")
      .select(["id", "api_key_id", "state"])
      .where("id", "in", [orderId, viaSession])
      .execute();
    expect(orders.find((o) => o.id === orderId)).toMatchObject({ api_key_id: r.keyId, state: "delivered" });
    expect(orders.find((o) => o.id === viaSession)).toMatchObject({ api_key_id: null, state: "delivered" });
    expect(await deliveriesOf(viaSession)).toEqual([]);
    const delivery = await onlyDelivery(orderId);
    expect(delivery).toMatchObject({ event: "order.delivered", status: "pending", attempts: 0 });

    const before = receiver.received.length;
    expect(await pass()).toMatchObject({ delivered: 1, retrying: 0 });
    expect(receiver.received).toHaveLength(before + 1);
    const got = lastReceived();
    expect(got.path).toBe("/tada/callbacks");
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["tada-delivery-id"]).toBe(delivery.id);
    expect(got.headers["tada-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expectSigned(got, secret ?? "");
    const asGet = await call(app, "GET", `/api/vtu/orders/${orderId}`, { token: r.key });
    expect(got.json).toEqual({
      event: "order.delivered",
      order: asGet.body.data.order,
      deliveryId: delivery.id,
      createdAt: delivery.created_at.toISOString(),
    });

    expect(got.json.order).toMatchObject({ id: orderId, state: "delivered", priceKobo: AIRTIME_500_PRICE });
    // What /openapi.json documents as the orderCallback webhook's body.
    expect(CallbackPayload.safeParse(got.json).error).toBeUndefined();
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON.
    const document: any = await (await app.request("/openapi.json")).json();
    const webhook = document.webhooks.orderCallback.post;
    expect(webhook.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/CallbackPayload",
    });

    const log = await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks`, { token: r.token });
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual({
      items: [
        expect.objectContaining({
          id: delivery.id,
          orderId,
          event: "order.delivered",
          status: "delivered",
          attempts: 1,
          lastStatusCode: 200,
          lastError: null,
          nextAttemptAt: null,
          deliveredAt: expect.any(String),
        }),
      ],
      nextCursor: null,
    });
    expect(await pass()).toMatchObject({ delivered: 0, retrying: 0 });
  });

  it("a failed order and a reversed one are called back once each, with the order as it was then", async () => {
    const r = await newReseller();
    const { secret } = await register(r.token, r.keyId);
    const failed = await buy(r.key, sandboxPhone("0001"));
    const reversed = await buy(r.key, sandboxPhone("0008"));
    advance(121); // the sandbox's reversal is found by the post-delivery requery (2 minutes)
    await sweepDueOrders({ ctx, vtu: harness.vtu });
    await harness.drain();
    expect((await onlyDelivery(failed)).event).toBe("order.failed");
    expect((await deliveriesOf(reversed)).map((d) => d.event)).toEqual(["order.delivered", "order.reversed"]);

    const before = receiver.received.length;
    expect(await pass()).toMatchObject({ delivered: 3 });
    const got = receiver.received.slice(before);
    for (const one of got) {
      expectSigned(one, secret ?? "");
    }
    const byEvent = (event: string, orderId: string) =>
      got.find((g) => g.json.event === event && (g.json.order as { id: string }).id === orderId)?.json
        .order as Record<string, unknown>;
    expect(byEvent("order.failed", failed)).toMatchObject({ state: "failed", refunded: true, final: true });
    // The delivered event still says delivered: it is the order as it was when it was delivered.
    expect(byEvent("order.delivered", reversed)).toMatchObject({ state: "delivered", refunded: false });
    expect(byEvent("order.reversed", reversed)).toMatchObject({ state: "reversed", refunded: true });
    expect((await getWalletBalance({ ctx, userId: r.userId })).balanceKobo).toBe(500_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("changing the URL keeps the secret; rotating makes a new one and the old one stops verifying", async () => {
    const r = await newReseller();
    const first = await register(r.token, r.keyId, `${receiver.url}?v=1`);
    const changed = await register(r.token, r.keyId);
    expect(changed.secret).toBeNull();
    const rotated = await call(app, "POST", `/api/api-keys/${r.keyId}/callback/rotate-secret`, {
      token: r.token,
    });
    expect(rotated.status).toBe(200);
    const secret = rotated.body.data.secret as string;
    expect(secret).toMatch(/^tcs_/);
    expect(secret).not.toBe(first.secret);
    await buy(r.key);
    expect(await pass()).toMatchObject({ delivered: 1 });
    const got = lastReceived();
    expectSigned(got, secret);
    const old = verifyCallbackSignature({
      secret: first.secret ?? "",
      header: String(got.headers["tada-signature"]),
      rawBody: got.rawBody,
      now: clock(),
    });
    expect(old).toEqual({ ok: false, reason: "mismatch" });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", r.keyId)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "api_key.create",
      "api_key.callback_set",
      "api_key.callback_change",
      "api_key.callback_rotate_secret",
    ]);
  });

  it("removing it gives up what is pending and stops new deliveries; a revoked key cannot get one", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const pendingOrder = await buy(r.key);
    const removed = await call(app, "DELETE", `/api/api-keys/${r.keyId}/callback`, { token: r.token });
    expect(removed.status).toBe(200);
    expect(removed.body.data.givenUp).toBe(1);
    expect(await onlyDelivery(pendingOrder)).toMatchObject({ status: "given_up", next_attempt_at: null });
    expect(await deliveriesOf(await buy(r.key))).toEqual([]);
    expectErrorEnvelope(
      await call(app, "GET", `/api/api-keys/${r.keyId}/callback`, { token: r.token }),
      404,
      "CALLBACK_NOT_SET",
    );
    const delivery = await onlyDelivery(pendingOrder);
    expectErrorEnvelope(
      await call(app, "POST", `/api/api-keys/${r.keyId}/callbacks/${delivery.id}/resend`, { token: r.token }),
      409,
      "CALLBACK_NOT_SET",
    );
    expect((await call(app, "DELETE", `/api/api-keys/${r.keyId}`, { token: r.token })).status).toBe(200);
    expectErrorEnvelope(
      await call(app, "PUT", `/api/api-keys/${r.keyId}/callback`, {
        token: r.token,
        body: { url: receiver.url },
      }),
      409,
      "API_KEY_REVOKED",
    );
  });
});

describe("one delivery per order and final state", () => {
  it("two admins resolving the same manual-review order at once: one settles it, one callback", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orderId = await buy(r.key, sandboxPhone("0002")); // pending at the provider
    await tdb.db
      .updateTable("vtu_orders")
      .set({ state: "manual_review" })
      .where("id", "=", orderId)
      .execute();
    const admins = await Promise.all(
      ["a", "b"].map((n) =>
        createAdmin({
          ctx,
          input: {
            email: `ops-${n}-${keys}@tada.test`,
            name: n,
            password: "correct-horse-battery-9",
            role: "admin",
          },
        }),
      ),
    );
    const settled = await Promise.allSettled(
      admins.map((admin) =>
        markOrderDelivered({
          ctx,
          admin,
          orderId,
          input: { reference: "PROVIDER-REF-1", reason: "confirmed on the provider's dashboard" },
        }),
      ),
    );
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(await onlyDelivery(orderId)).toMatchObject({ event: "order.delivered", status: "pending" });
    await expectLedgerConsistent(tdb.db);
  });

  it("a final state written again by two processes at once still has one delivery (the unique key)", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orderId = await buy(r.key, sandboxPhone("0001"));
    const first = await onlyDelivery(orderId);
    // Each "process" takes the order out of its final state and back in its own transaction.
    await Promise.all(
      [1, 2].map(() =>
        tdb.db.transaction().execute(async (trx) => {
          await trx.updateTable("vtu_orders").set({ state: "unknown" }).where("id", "=", orderId).execute();
          await trx.updateTable("vtu_orders").set({ state: "failed" }).where("id", "=", orderId).execute();
        }),
      ),
    );
    expect((await onlyDelivery(orderId)).id).toBe(first.id);
    await expectLedgerConsistent(tdb.db);
  });

  it("two senders never take the same delivery; a dead sender's lease is taken over", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orders = [await buy(r.key), await buy(r.key), await buy(r.key)];
    const [a, b] = await Promise.all([
      claimDueCallbacks(ctx, { owner: "boot_a", limit: 10 }),
      claimDueCallbacks(ctx, { owner: "boot_b", limit: 10 }),
    ]);
    const ids = [...a, ...b].map((d) => d.order_id).sort();
    expect(ids).toEqual([...orders].sort());
    // boot_a and boot_b hold their leases (a minute): nobody else may take them.
    expect(await claimDueCallbacks(ctx, { owner: "boot_c", limit: 10 })).toEqual([]);
    // One of them stopped: its rows are free at once; the other's (no record of its death) are not.
    const [dead, itsRows] = a.length > 0 ? ["boot_a", a] : ["boot_b", b];
    await tdb.db
      .insertInto("process_boots")
      .values({
        boot_id: dead,
        instance_id: dead,
        role: "worker",
        host: "test",
        pid: 1,
        ended_at: new Date(),
      })
      .execute();
    const taken = await claimDueCallbacks(ctx, { owner: "boot_c", limit: 10 });
    expect(taken.map((d) => d.id).sort()).toEqual(itsRows.map((d) => d.id).sort());
  });
});

describe("retries", () => {
  it("after 500s it retries at 30 s, 1 min, 2 min, then delivers; every attempt is recorded", async () => {
    const r = await newReseller();
    const { secret } = await register(r.token, r.keyId);
    const orderId = await buy(r.key);
    const start = receiver.received.length;
    receiver.answer((n) => (n - start <= 3 ? 500 : 200));
    expect(await pass()).toMatchObject({ retrying: 1 });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const row = await onlyDelivery(orderId);
      expect(row.status).toBe("pending");
      const due = row.next_attempt_at?.getTime() ?? 0;
      delays.push(Math.round((due - (row.last_attempt_at?.getTime() ?? 0)) / 1000));
      offsetMs = due - Date.now() - 1_000; // a second early: not due yet
      expect(await pass()).toMatchObject({ delivered: 0, retrying: 0 });
      offsetMs = due - Date.now() + 1;
      expect(await pass()).toMatchObject(i < 2 ? { retrying: 1 } : { delivered: 1 });
    }
    expect(delays).toEqual([30, 60, 120]);
    const row = await onlyDelivery(orderId);
    expect(row).toMatchObject({ status: "delivered", attempts: 4, last_status_code: 200, last_error: null });
    const attempts = await tdb.db
      .selectFrom("callback_attempts")
      .select(["status_code", "error", "url"])
      .where("delivery_id", "=", row.id)
      .orderBy("id")
      .execute();
    expect(attempts.map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
    expect(attempts[0]?.error).toBe("HTTP 500: receiver said 500");
    const got = receiver.received.slice(start);
    expect(new Set(got.map((g) => g.headers["tada-delivery-id"]))).toEqual(new Set([row.id]));
    expectSigned(got.at(-1) ?? lastReceived(), secret ?? "");
  });

  it("gives up 24 hours after the first attempt; a resend from the API starts again and delivers", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orderId = await buy(r.key);
    receiver.answer(() => 503);
    await pass();
    let row = await onlyDelivery(orderId);
    const firstAttempt = row.first_attempt_at?.getTime() ?? 0;
    for (let i = 0; i < 60 && row.status === "pending"; i++) {
      offsetMs = (row.next_attempt_at?.getTime() ?? 0) - Date.now() + 1;
      await pass();
      row = await onlyDelivery(orderId);
    }
    // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly, the last try exactly 24 h after the first.
    expect(row).toMatchObject({
      status: "given_up",
      attempts: 31,
      next_attempt_at: null,
      last_status_code: 503,
    });
    expect((row.last_attempt_at?.getTime() ?? 0) - firstAttempt).toBeGreaterThanOrEqual(
      CALLBACK_RETRY_WINDOW_MS,
    );
    expect((row.last_attempt_at?.getTime() ?? 0) - firstAttempt).toBeLessThan(
      CALLBACK_RETRY_WINDOW_MS + 1_000,
    );
    advance(3600);
    expect(await pass()).toMatchObject({ delivered: 0, retrying: 0, given_up: 0 });
    const log = await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks?status=given_up`, {
      token: r.token,
    });
    expect(log.body.data.items).toEqual([
      expect.objectContaining({
        id: row.id,
        status: "given_up",
        attempts: 31,
        lastError: "HTTP 503: receiver said 503",
      }),
    ]);

    receiver.answer(() => 200);
    const resent = await call(app, "POST", `/api/api-keys/${r.keyId}/callbacks/${row.id}/resend`, {
      token: r.token,
    });
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    expect(resent.body.data.delivery).toMatchObject({ id: row.id, status: "pending", givenUpAt: null });
    expect(await pass()).toMatchObject({ delivered: 1 });
    expect(await onlyDelivery(orderId)).toMatchObject({
      status: "delivered",
      attempts: 32,
      window_attempts: 1,
    });
    expect(lastReceived().headers["tada-delivery-id"]).toBe(row.id);
    const audit = await tdb.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "callback.resend")
      .where("target_id", "=", row.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_type: "user", actor_id: r.userId });
  });

  it("a timeout and an answer full of odd bytes are recorded as text the log can hold", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orderId = await buy(r.key);
    receiver.answer(() => "hang");
    expect(await pass(ctx, { timeoutMs: 200 })).toMatchObject({ retrying: 1 });
    expect((await onlyDelivery(orderId)).last_error).toBe("no answer within 200 ms (timed out)");
    // A NUL, invalid UTF-8 and 2 kB of an emoji (cut anywhere, it could split a surrogate pair).
    const odd = Buffer.concat([
      Buffer.from("bad\u0000news "),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("😀".repeat(500)),
    ]);
    receiver.answer(() => ({ status: 500, body: odd }));
    offsetMs += 60_000;
    expect(await pass()).toMatchObject({ retrying: 1 });
    const row = await onlyDelivery(orderId);
    expect(row.last_status_code).toBe(500);
    expect(row.last_error).toMatch(/^HTTP 500: bad\ufffdnews \ufffd\ufffd😀/);
    expect(row.last_error?.length).toBeLessThanOrEqual(500);
    const log = await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks`, { token: r.token });
    expect(log.body.data.items[0]).toMatchObject({ attempts: 2, lastStatusCode: 500 });
  });

  it("the worker's sender loop sends what becomes due, on its own", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId);
    const orderId = await buy(r.key);
    const sender = startCallbackSender({ ctx: () => ctx, logger: ctx.logger, deps: SENDER, everyMs: 50 });
    try {
      await until(
        async () => (await onlyDelivery(orderId)).status === "delivered",
        5_000,
        "the loop's delivery",
      );
    } finally {
      sender.stop();
    }
    expect(lastReceived().json.deliveryId).toBe((await onlyDelivery(orderId)).id);
  });
});

describe("SSRF", () => {
  it("outside sandbox mode: refuses http and private, loopback, link-local and mapped addresses; takes a public https URL", async () => {
    const r = await newReseller();
    const put = (url: string) =>
      call(strictApp, "PUT", `/api/api-keys/${r.keyId}/callback`, { token: r.token, body: { url } });
    expectErrorEnvelope(await put("http://hooks.reseller.test/cb"), 400, "CALLBACK_URL_INVALID");
    expectErrorEnvelope(await put("hooks.reseller.test/cb"), 400, "CALLBACK_URL_INVALID");
    for (const url of [
      "https://127.0.0.1/cb",
      "https://localhost:8443/cb",
      "https://[::1]/cb",
      "https://[fd00::1]/cb",
      "https://10.1.2.3/cb",
      "https://internal.reseller.test/cb",
      "https://metadata.reseller.test/latest/meta-data",
      "https://mapped.reseller.test/cb",
    ]) {
      const res = await put(url);
      expectErrorEnvelope(res, 400, "CALLBACK_URL_PRIVATE");
      expect(res.body.error).toMatch(/public/);
    }
    expectErrorEnvelope(await put("https://nowhere.reseller.test/cb"), 400, "CALLBACK_URL_UNRESOLVED");
    expect(
      await tdb.db.selectFrom("api_key_callbacks").select("url").where("api_key_id", "=", r.keyId).execute(),
    ).toEqual([]);
    const accepted = await register(r.token, r.keyId, "https://hooks.reseller.test/cb", strictApp);
    expect(accepted.secret).toMatch(/^tcs_/);
  });

  it("outside sandbox mode: a name re-pointed to a private address after registration is refused at send time", async () => {
    const r = await newReseller();
    await register(r.token, r.keyId, `https://hooks.reseller.test:${receiver.port}/cb`, strictApp);
    const orderId = await buy(r.key);
    const strictCtx = makeCtx(tdb.db, { config: strictConfig, now: clock });
    const before = receiver.received.length;
    const rebound: LookupAll = async () => [{ address: "127.0.0.1", family: 4 }];
    expect(await pass(strictCtx, { lookup: rebound })).toMatchObject({ retrying: 1 });
    expect(receiver.received).toHaveLength(before);
    const row = await onlyDelivery(orderId);
    expect(row.last_error).toMatch(/^CALLBACK_URL_PRIVATE: .*127\.0\.0\.1/);
    expect(row.last_status_code).toBeNull();
  });

  it("in sandbox mode http and localhost are allowed", async () => {
    const r = await newReseller();
    const local = await register(r.token, r.keyId, `http://localhost:${receiver.port}/local`);
    expect(local.callback.url).toBe(`http://localhost:${receiver.port}/local`);
  });
});

describe("scope and the admin panel", () => {
  it("a key's log shows only its own deliveries; another customer's key is a 404; a key cannot manage callbacks", async () => {
    const r = await newReseller();
    const second = await newKey(r.token, "second shop");
    await register(r.token, r.keyId);
    await register(r.token, second.keyId);
    const mine = [await buy(r.key), await buy(r.key)];
    const theirs = await buy(second.key);
    const page1 = await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks?limit=1`, { token: r.token });
    expect(page1.body.data.items).toHaveLength(1);
    const page2 = await call(
      app,
      "GET",
      `/api/api-keys/${r.keyId}/callbacks?limit=1&cursor=${page1.body.data.nextCursor}`,
      {
        token: r.token,
      },
    );
    expect(page2.body.data.nextCursor).toBeNull();
    const seen = [...page1.body.data.items, ...page2.body.data.items].map(
      (d: { orderId: string }) => d.orderId,
    );
    expect(seen.sort()).toEqual([...mine].sort());
    const other = await call(app, "GET", `/api/api-keys/${second.keyId}/callbacks`, { token: r.token });
    expect(other.body.data.items.map((d: { orderId: string }) => d.orderId)).toEqual([theirs]);
    expectErrorEnvelope(
      await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks?cursor=bm9wZQ`, { token: r.token }),
      400,
      "INVALID_CURSOR",
    );

    // A delivery of the second key cannot be resent through the first key's path.
    const theirsDelivery = await onlyDelivery(theirs);
    expectErrorEnvelope(
      await call(app, "POST", `/api/api-keys/${r.keyId}/callbacks/${theirsDelivery.id}/resend`, {
        token: r.token,
      }),
      404,
      "CALLBACK_DELIVERY_NOT_FOUND",
    );
    const stranger = await newReseller();
    for (const [method, path] of [
      ["GET", `/api/api-keys/${r.keyId}/callbacks`],
      ["GET", `/api/api-keys/${r.keyId}/callback`],
      ["DELETE", `/api/api-keys/${r.keyId}/callback`],
      ["POST", `/api/api-keys/${r.keyId}/callback/rotate-secret`],
      ["POST", `/api/api-keys/${r.keyId}/callbacks/${theirsDelivery.id}/resend`],
    ] as const) {
      expectErrorEnvelope(await call(app, method, path, { token: stranger.token }), 404, "API_KEY_NOT_FOUND");
    }
    expectErrorEnvelope(
      await call(app, "PUT", `/api/api-keys/${r.keyId}/callback`, {
        token: stranger.token,
        body: { url: receiver.url },
      }),
      404,
      "API_KEY_NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "GET", `/api/api-keys/${r.keyId}/callbacks`, { token: r.key }),
      401,
      "SESSION_REQUIRED",
    );
    expect(
      await tdb.db
        .selectFrom("api_key_callbacks")
        .select("api_key_id")
        .where("api_key_id", "=", r.keyId)
        .execute(),
    ).toHaveLength(1);
  });

  it("the panel lists deliveries by status, key and customer, and an admin's resend is audited and sent", async () => {
    const r = await newReseller();
    const { secret } = await register(r.token, r.keyId);
    const orderId = await buy(r.key);
    await pass();
    const delivery = await onlyDelivery(orderId);
    expect(delivery.status).toBe("delivered");
    const admin = await createAdmin({
      ctx,
      input: {
        email: `support-${keys}@tada.test`,
        name: "Sue",
        password: "correct-horse-battery-9",
        role: "support",
      },
    });
    const b = adminBrowser(app);
    expect((await adminSignIn(b, admin.email, "correct-horse-battery-9")).res.status).toBe(303);
    const listed = await b.request("GET", `/admin/callbacks?status=delivered&key=${r.keyId}`);
    expect(listed.res.status).toBe(200);
    expect(listed.html).toContain(`data-delivery="${delivery.id}"`);
    expect(listed.html).toContain('href="/admin/callbacks"');
    const givenUp = await b.request("GET", `/admin/callbacks?status=given_up&user=${r.userId}`);
    expect(givenUp.html).not.toContain(`data-delivery="${delivery.id}"`);
    const wrong = await b.request("GET", "/admin/callbacks?status=bogus");
    expect(wrong.res.status).toBe(400);
    const customer = await b.request("GET", `/admin/users/${r.userId}`);
    expect(customer.html).toContain(`/admin/callbacks?user=${r.userId}`);

    const forged = await b.request("POST", `/admin/callbacks/${delivery.id}/resend`, { csrf: "forged" });
    expect(forged.res.status).toBe(403);
    expect((await onlyDelivery(orderId)).status).toBe("delivered");
    const resent = await b.request("POST", `/admin/callbacks/${delivery.id}/resend`, { csrf: listed.csrf });
    expect(resent.res.status).toBe(303);
    expect(resent.res.headers.get("location")).toBe("/admin/callbacks?done=resent");
    expect(await onlyDelivery(orderId)).toMatchObject({ status: "pending", delivered_at: null });
    const audit = await tdb.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "callback.resend")
      .where("target_id", "=", delivery.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor_type: "admin",
      actor_id: admin.id,
      target_type: "callback_delivery",
    });
    const before = receiver.received.length;
    expect(await pass()).toMatchObject({ delivered: 1 });
    expect(receiver.received).toHaveLength(before + 1);
    expect(lastReceived().headers["tada-delivery-id"]).toBe(delivery.id);
    expectSigned(lastReceived(), secret ?? "");
    const page = await b.request("GET", "/admin/callbacks?done=resent");
    expect(page.html).toContain("sent again");
  });

  it("/metrics counts deliveries by status and recent failed attempts", async () => {
    const res = await app.request("/metrics");
    const text = await res.text();
    const counts = await tdb.db
      .selectFrom("callback_deliveries")
      .select(["status", sql<string>`count(*)`.as("n")])
      .groupBy("status")
      .execute();
    for (const { status, n } of counts) {
      expect(text).toContain(`tada_callback_deliveries{status="${status}"} ${n}`);
    }
    expect(text).toMatch(/tada_callback_failed_attempts_15m \d+/);
    expect(text).toMatch(/tada_callback_oldest_pending_seconds \d+/);
  });
});
