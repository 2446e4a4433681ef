import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatChannel } from "../../../bot/engine/types";
import { ChatSenders } from "../../../bot/outbound";
import { startChatOutbox } from "../../../bot/outbox/run";
import { captureLogger, makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { makeTestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  registryOf,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";
import { checkFloatsJob } from "../../jobs/definitions";
import { createAdmin, setLowFloatThreshold } from "../admins";
import { type ServiceContext, withTransaction } from "../context";
import { findOrCreateUserByIdentity } from "../users";
import type { VtuProvider } from "../vtu";
import { failOrder } from "../vtu/transitions";
import {
  checkAlertConditions,
  listOpenAlerts,
  queueAlertsForChannel,
  raiseSlowResponse,
  setAlertChats,
} from ".";

/** Alerts: each condition raised from real activity, one open alert per condition, cleared when it clears. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let clock = Date.now();
const config = testConfig({ ALERT_WINDOW_MINUTES: "15", ALERT_PROVIDER_MIN_CALLS: "4" });

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config, now: () => new Date(clock) });
});
afterAll(() => tdb.destroy());
beforeEach(async () => {
  clock = Date.now();
  await tdb.db.deleteFrom("admin_alerts").execute();
});

const openKeys = async () => (await listOpenAlerts(ctx)).map((a) => a.kind).sort();

/** The sandbox provider, but unable to look a request up by our id: an unknown answer goes to people. */
function blindSandbox(): VtuProvider {
  const sandbox = sandboxRegistry(ctx).get("sandbox");
  if (!sandbox) {
    throw new Error("no sandbox provider");
  }
  return new Proxy(sandbox, {
    get: (target, prop, receiver) =>
      prop === "idempotentRequestIds" ? false : Reflect.get(target, prop, receiver),
  });
}

describe("alert conditions", () => {
  it("raises one alert per order stuck in manual review, counts repeats, clears it when resolved", async () => {
    const harness = makeVtu(ctx, registryOf({ provider: blindSandbox() }));
    await seedCatalogue(ctx, harness.vtu.providers);
    const buyer = await createBuyer(ctx, 100_000);
    // 0004: the provider vends but the answer times out; it cannot be asked again → manual review.
    const order = await placeOrder(ctx, harness.vtu, buyer.id, {
      service: "airtime",
      input: { network: "mtn", phone: sandboxPhone("0004"), amountKobo: 10_000, pin: TEST_PIN },
    });
    await harness.drain();
    const stuck = await tdb.db
      .selectFrom("vtu_orders")
      .select("state")
      .where("id", "=", order.id)
      .executeTakeFirstOrThrow();
    expect(stuck.state).toBe("manual_review");

    await checkAlertConditions(ctx);
    await checkAlertConditions(ctx);
    const [alert, ...others] = await listOpenAlerts(ctx);
    expect(others).toEqual([]);
    expect(alert?.kind).toBe("manual_review");
    expect(alert?.title).toBe("1 order in manual review");
    expect(alert?.count).toBe(2);

    // Someone settles it (a refund, through the transition the jobs use) → the next check clears it.
    await withTransaction(ctx, async (trx) => {
      const row = await trx
        .selectFrom("vtu_orders")
        .selectAll()
        .where("id", "=", order.id)
        .executeTakeFirstOrThrow();
      await failOrder(trx, ctx, row, "settled by hand in the test");
    });
    await checkAlertConditions(ctx);
    expect(await listOpenAlerts(ctx)).toEqual([]);
    const closed = await tdb.db.selectFrom("admin_alerts").select(["resolved_by", "resolved_at"]).execute();
    expect(closed).toEqual([expect.objectContaining({ resolved_by: "system" })]);
    await expectLedgerConsistent(tdb.db);
  });

  it("raises a provider-failure alert when most answers in the window failed, and clears it after the window", async () => {
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    const buyer = await createBuyer(ctx, 1_000_000);
    for (let i = 0; i < 4; i++) {
      await placeOrder(ctx, harness.vtu, buyer.id, {
        service: "airtime",
        input: {
          network: "mtn",
          phone: sandboxPhone(i === 0 ? undefined : "0001"),
          amountKobo: 10_000,
          pin: TEST_PIN,
        },
      });
    }
    await harness.drain();
    await checkAlertConditions(ctx);
    const [alert] = await listOpenAlerts(ctx);
    expect(alert?.kind).toBe("provider_failures");
    expect(alert?.title).toMatch(/^Provider sandbox: (75|[89]\d|100)% of answers failed or unknown$/);
    clock += 16 * 60_000; // a quiet window later
    await checkAlertConditions(ctx);
    expect(await openKeys()).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });

  it("raises a critical alert for payment webhooks that fail verification", async () => {
    const { app } = makeTestApp(tdb.db, { config });
    const res = await app.request("/api/webhooks/flutterwave", {
      method: "POST",
      headers: { "content-type": "application/json", "verif-hash": "forged" },
      body: JSON.stringify({ event: "charge.completed", data: { id: 1, tx_ref: "x", amount: 1_000_000 } }),
    });
    expect(res.status).toBe(401);
    await checkAlertConditions(ctx);
    const [alert] = await listOpenAlerts(ctx);
    expect(alert).toMatchObject({ kind: "webhook_rejected", severity: "critical" });
    expect(alert?.title).toMatch(/^\d+ payment webhooks? failed verification$/);
  });

  it("keeps one slow-response alert per route and clears it a window after the last slow answer", async () => {
    await raiseSlowResponse(ctx, { method: "GET", route: "/api/vtu/orders/:id", seconds: 6.2 });
    await raiseSlowResponse(ctx, { method: "GET", route: "/api/vtu/orders/:id", seconds: 7.9 });
    await raiseSlowResponse(ctx, { method: "POST", route: "/api/vtu/airtime", seconds: 5.5 });
    const open = await listOpenAlerts(ctx);
    expect(open.map((a) => [a.title, a.count]).sort()).toEqual([
      ["Slow responses on GET /api/vtu/orders/:id", 2],
      ["Slow responses on POST /api/vtu/airtime", 1],
    ]);
    expect(open.find((a) => a.count === 2)?.body).toContain("7.9 s");
    // (Earlier tests' webhook and provider rows are still in the window; look at slow responses only.)
    const slow = async () => (await listOpenAlerts(ctx)).filter((a) => a.kind === "slow_response");
    await checkAlertConditions(ctx);
    expect(await slow()).toHaveLength(2);
    // The alert rows use the database clock; look a window past it.
    clock = Date.now() + 16 * 60_000;
    await checkAlertConditions(ctx);
    expect(await slow()).toEqual([]);
  });
});

describe("low provider float", () => {
  it("reads each provider's float on schedule and alerts below the threshold a super admin set", async () => {
    const providers = sandboxRegistry(ctx);
    await seedCatalogue(ctx, providers);
    const boss = await createAdmin({
      ctx,
      input: {
        email: "floats@tada.test",
        name: "Boss",
        password: "correct-horse-battery-9",
        role: "super_admin",
      },
    });
    const checks = await checkFloatsJob.handle(
      { ctx: () => ctx, vtu: { providers, dispatch: async () => {} }, logger: ctx.logger },
      {},
    );
    const sandboxFloat = (checks as { code: string; floatKobo?: number }[]).find(
      (c) => c.code === "sandbox",
    )?.floatKobo;
    expect(sandboxFloat).toBeGreaterThan(0);
    const stored = await tdb.db
      .selectFrom("vtu_providers")
      .select("float_kobo")
      .where("code", "=", "sandbox")
      .executeTakeFirstOrThrow();
    expect(stored.float_kobo).toBe(sandboxFloat);

    await setLowFloatThreshold({
      ctx,
      admin: boss,
      code: "sandbox",
      input: { thresholdKobo: (sandboxFloat ?? 0) + 1, reason: "keep a day of sales" },
    });
    await checkAlertConditions(ctx);
    const [alert] = (await listOpenAlerts(ctx)).filter((a) => a.kind === "low_float");
    expect(alert?.title).toMatch(/^Low float at .+: ₦[\d,.]+$/);
    await setLowFloatThreshold({
      ctx,
      admin: boss,
      code: "sandbox",
      input: { thresholdKobo: 100, reason: "lower" },
    });
    await checkAlertConditions(ctx);
    expect((await listOpenAlerts(ctx)).filter((a) => a.kind === "low_float")).toEqual([]);
  });
});

describe("alert delivery to admins' chats", () => {
  /**
   * Two bot processes (each runs the chat outbox for Telegram and WhatsApp, with a fake transport
   * that records what the channel took), queueing alerts every 20 ms.
   */
  function twoBotProcesses() {
    const sent: string[] = [];
    const outboxConfig = testConfig({ NOTIFY_INTERVAL_MS: "20" });
    const runtimes = ["bot-1", "bot-2"].map((owner) => {
      const senders = new ChatSenders();
      for (const channel of ["telegram", "whatsapp"] as const satisfies ChatChannel[]) {
        senders.register({
          channel,
          send: async (chat, replies) => void sent.push(`${channel}:${chat}:${replies[0]?.text}`),
        });
      }
      return startChatOutbox({
        ctx: () => makeCtx(tdb.db, { config: outboxConfig }),
        senders,
        logger: captureLogger().logger,
        owner,
      });
    });
    return { sent, stop: () => Promise.all(runtimes.map((r) => r.stop())) };
  }

  async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error("timed out waiting");
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  /** Long enough for many alert passes and sends. */
  const severalPasses = () => new Promise((resolve) => setTimeout(resolve, 300));

  it("sends each alert once per channel to every active admin who set a chat, never to anyone else", async () => {
    const on = await createAdmin({
      ctx,
      input: {
        email: "oncall@tada.test",
        name: "On call",
        password: "correct-horse-battery-9",
        role: "support",
      },
    });
    const off = await createAdmin({
      ctx,
      input: { email: "away@tada.test", name: "Away", password: "correct-horse-battery-9", role: "admin" },
    });
    // A customer chatting with the bot is not an admin: alerts never reach them.
    await findOrCreateUserByIdentity({ ctx, input: { channel: "telegram", externalId: "616161" } });
    const bots = twoBotProcesses();
    try {
      // Nobody listens yet: the alert waits, unclaimed, for the first admin who sets a chat.
      await raiseSlowResponse(ctx, { method: "GET", route: "/healthz", seconds: 9 });
      await severalPasses();
      expect(bots.sent).toEqual([]);
      const [waiting] = await tdb.db.selectFrom("admin_alerts").select("notified_channels").execute();
      expect(waiting?.notified_channels).toEqual([]);

      await setAlertChats({
        ctx,
        admin: { ...on, sessionId: 0 },
        input: { telegramChatId: "424242", whatsappPhone: "0803 123 4567" },
      });
      await setAlertChats({ ctx, admin: { ...off, sessionId: 0 }, input: { telegramChatId: "515151" } });
      await tdb.db.updateTable("admin_users").set({ status: "disabled" }).where("id", "=", off.id).execute();

      await until(() => bots.sent.length >= 2);
      await severalPasses();
      expect([...bots.sent].sort()).toEqual([
        expect.stringMatching(/^telegram:424242:⚠️ TADA VTU alert: Slow responses on GET \/healthz\n/),
        expect.stringMatching(/^whatsapp:2348031234567:⚠️ TADA VTU alert: Slow responses on GET \/healthz\n/),
      ]);
      // The condition repeats (the same open alert, counted): nothing new is sent.
      await raiseSlowResponse(ctx, { method: "GET", route: "/healthz", seconds: 9 });
      await severalPasses();
      expect(bots.sent).toHaveLength(2);
      // A new alert: once more to each admin chat, and still never to the disabled admin or the customer.
      await raiseSlowResponse(ctx, { method: "POST", route: "/api/vtu/airtime", seconds: 6 });
      await until(() => bots.sent.length >= 4);
      await severalPasses();
      expect(bots.sent).toHaveLength(4);
      expect(bots.sent.filter((m) => m.includes("POST /api/vtu/airtime")).sort()).toEqual([
        expect.stringMatching(/^telegram:424242:/),
        expect.stringMatching(/^whatsapp:2348031234567:/),
      ]);
      expect(bots.sent.some((m) => m.includes(":515151:") || m.includes(":616161:"))).toBe(false);
      // The outbox holds what was sent, as sent.
      const rows = await tdb.db
        .selectFrom("chat_outbox")
        .select(["channel", "external_id", "status"])
        .where("kind", "=", "alert")
        .execute();
      expect(rows).toHaveLength(4);
      expect(rows.every((r) => r.status === "sent")).toBe(true);
    } finally {
      await bots.stop();
    }
    const audit = await tdb.db
      .selectFrom("audit_log")
      .select("action")
      .where("actor_id", "=", on.id)
      .where("action", "=", "admin.alert_chats")
      .execute();
    expect(audit).toHaveLength(1);
  });

  it("queues an alert for a channel once, however many passes race for it", async () => {
    const admin = await createAdmin({
      ctx,
      input: { email: "race@tada.test", name: "Race", password: "correct-horse-battery-9", role: "support" },
    });
    await setAlertChats({ ctx, admin: { ...admin, sessionId: 0 }, input: { telegramChatId: "737373" } });
    await raiseSlowResponse(ctx, { method: "GET", route: "/race", seconds: 7 });
    const queued = await Promise.all(Array.from({ length: 5 }, () => queueAlertsForChannel(ctx, "telegram")));
    const rows = await tdb.db
      .selectFrom("chat_outbox")
      .select("external_id")
      .where("kind", "=", "alert")
      .where("status", "=", "pending")
      .execute();
    // One message per admin chat (this admin's, and any other active admin's with a Telegram chat).
    expect(rows.filter((r) => r.external_id === "737373")).toHaveLength(1);
    expect(new Set(rows.map((r) => r.external_id)).size).toBe(rows.length);
    expect(queued.reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(queued.filter((n) => n > 0)).toHaveLength(1);
  });

  it("refuses a WhatsApp number that is not a Nigerian mobile, with the reason", async () => {
    const admin = await createAdmin({
      ctx,
      input: { email: "typo@tada.test", name: "Typo", password: "correct-horse-battery-9", role: "support" },
    });
    await expect(
      setAlertChats({ ctx, admin: { ...admin, sessionId: 0 }, input: { whatsappPhone: "12345" } }),
    ).rejects.toThrow(/not a Nigerian mobile number/);
    await expect(
      setAlertChats({ ctx, admin: { ...admin, sessionId: 0 }, input: { telegramChatId: "@me" } }),
    ).rejects.toThrow(/telegramChatId: the Telegram chat id is a number/);
  });
});
