import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatSender, PermanentSendError, RateLimitedError } from "../../../bot/outbound";
import { OutboxSender } from "../../../bot/outbox/sender";
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
import { enqueueChatMessages, toInsert } from "../../services/chat-outbox";

/** GET /metrics: Prometheus text with HTTP latency by route pattern and the scrape-time counts. */
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.destroy());

describe("/metrics", () => {
  it("reports request latency by route pattern (never raw paths with tokens) and live counts", async () => {
    const { app } = makeTestApp(tdb.db);
    await app.request("/healthz");
    await app.request("/gift/SECRET-token-that-must-not-leak-000");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /tada_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    expect(text).toMatch(/route="\/gift\/:token"/);
    expect(text).not.toContain("SECRET-token");
    expect(text).toMatch(/tada_chat_outbox_unsent\{channel="telegram"\} 0/);
    expect(text).toMatch(/tada_gift_rooms_open 0/);
  });

  it("reports orders by state, provider outcomes and provider latency from real orders", async () => {
    const ctx = makeCtx(tdb.db);
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    const buyer = await createBuyer(ctx, 500_000);
    for (const scenario of [undefined, undefined, "0001"]) {
      await placeOrder(ctx, harness.vtu, buyer.id, {
        service: "airtime",
        input: { network: "mtn", phone: sandboxPhone(scenario), amountKobo: 10_000, pin: TEST_PIN },
      });
    }
    await harness.drain();
    const text = await (await makeTestApp(tdb.db).app.request("/metrics")).text();
    expect(text).toMatch(/tada_vtu_orders\{state="delivered"\} 2/);
    expect(text).toMatch(/tada_vtu_orders\{state="failed"\} 1/);
    expect(text).toMatch(/tada_provider_outcomes_15m\{provider="sandbox",outcome="delivered"\} 2/);
    // Every provider call now records how long it took; the quantiles are seconds.
    const exchanges = await tdb.db.selectFrom("vtu_provider_exchanges").select("duration_ms").execute();
    expect(exchanges.length).toBeGreaterThanOrEqual(3);
    expect(exchanges.every((x) => typeof x.duration_ms === "number" && x.duration_ms >= 0)).toBe(true);
    expect(text).toMatch(/tada_provider_latency_seconds\{provider="sandbox",quantile="0.95"\} [0-9.e-]+/);
    await expectLedgerConsistent(tdb.db);
  });

  it("reports the chat outbox per channel and this process's sends and send failures by kind", async () => {
    const ctx = makeCtx(tdb.db);
    const scrape = async () => parseMetrics(await (await makeTestApp(tdb.db).app.request("/metrics")).text());
    const before = await scrape();
    // Telegram: chat 7001 gets a 429, then a 502, then takes all three; chat 7002 blocked the bot.
    // WhatsApp: one message queued two minutes ago and no sender running for it.
    await enqueueChatMessages(tdb.db, [
      ...["one", "two", "three"].map((text) => ({
        channel: "telegram",
        externalId: "7001",
        kind: "reply",
        reply: { text },
      })),
      { channel: "telegram", externalId: "7002", kind: "reply", reply: { text: "blocked" } },
    ]);
    await tdb.db
      .insertInto("chat_outbox")
      .values({
        ...toInsert({
          channel: "whatsapp",
          externalId: "2348030007003",
          kind: "reply",
          reply: { text: "later" },
        }),
        created_at: new Date(Date.now() - 120_000),
      })
      .execute();
    const queued = await scrape();
    expect(queued.get('tada_chat_outbox_unsent{channel="telegram"}')).toBe(4);
    expect(queued.get('tada_chat_outbox_unsent{channel="whatsapp"}')).toBe(1);
    expect(queued.get('tada_chat_outbox_unsent{channel="console"}')).toBe(0);
    expect(queued.get('tada_chat_outbox_oldest_unsent_seconds{channel="whatsapp"}')).toBeGreaterThanOrEqual(
      120,
    );
    expect(queued.get('tada_chat_outbox_oldest_unsent_seconds{channel="console"}')).toBe(0);

    const refusals: Error[] = [
      new RateLimitedError("Too Many Requests: retry after 0", 30),
      new Error("Bot API 502"),
    ];
    const accepted: string[] = [];
    const transport: ChatSender = {
      channel: "telegram",
      async send(chat, replies) {
        if (chat === "7002") {
          throw new PermanentSendError("Forbidden: bot was blocked by the user");
        }
        const refusal = refusals.shift();
        if (refusal) {
          throw refusal;
        }
        accepted.push(...replies.map((r) => r.text));
      },
    };
    const sender = new OutboxSender({
      ctx: () => ctx,
      transport,
      owner: "metrics-test",
      logger: captureLogger().logger,
      pollMs: 10,
      limits: {},
      maxBackoffMs: 20,
    }).start();
    try {
      await until(async () => {
        const open = await tdb.db
          .selectFrom("chat_outbox")
          .select("id")
          .where("channel", "=", "telegram")
          .where("status", "in", ["pending", "sending"])
          .execute();
        return open.length === 0;
      });
    } finally {
      await sender.stop();
    }
    expect(accepted).toEqual(["one", "two", "three"]);

    const after = await scrape();
    const grew = (series: string) => (after.get(series) ?? Number.NaN) - (before.get(series) ?? Number.NaN);
    expect(grew('tada_chat_sent_total{channel="telegram"}')).toBe(3);
    expect(grew('tada_chat_send_failures_total{channel="telegram",kind="rate_limited"}')).toBe(1);
    expect(grew('tada_chat_send_failures_total{channel="telegram",kind="transient"}')).toBe(1);
    expect(grew('tada_chat_send_failures_total{channel="telegram",kind="permanent"}')).toBe(1);
    expect(grew('tada_chat_rate_limited_total{channel="telegram"}')).toBe(1);
    // Every channel and kind is reported from 0, so the first failure is an increase.
    expect(after.get('tada_chat_send_failures_total{channel="whatsapp",kind="permanent"}')).toBe(0);
    expect(after.get('tada_chat_outbox_unsent{channel="telegram"}')).toBe(0);
    expect(after.get('tada_chat_outbox_unsent{channel="whatsapp"}')).toBe(1);
    expect(after.get('tada_chat_outbox_oldest_unsent_seconds{channel="telegram"}')).toBe(0);
    const text = await (await makeTestApp(tdb.db).app.request("/metrics")).text();
    expect(text).toContain("# TYPE tada_chat_send_failures_total counter");
    expect(text).toContain("# TYPE tada_chat_outbox_unsent gauge");
    expect(text).not.toContain("tada_notifications_pending");
  });

  it("asks for the token when METRICS_TOKEN is set", async () => {
    const guarded = makeTestApp(tdb.db, { config: testConfig({ METRICS_TOKEN: "m3tr1cs-token" }) }).app;
    expect((await guarded.request("/metrics")).status).toBe(401);
    expect(
      (await guarded.request("/metrics", { headers: { authorization: "Bearer m3tr1cs-token" } })).status,
    ).toBe(200);
  });
});

describe("/healthz and the providers", () => {
  it("reports each provider's balance; 503 only when no provider answers", async () => {
    const ctx = makeCtx(tdb.db);
    const sandbox = sandboxRegistry(ctx);
    const healthy = makeTestApp(tdb.db, { vtu: { providers: sandbox, dispatch: async () => {} } }).app;
    const res = await healthy.request("/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { checks: { providers: Record<string, { ok: boolean; balanceKobo?: number }> } };
    };
    expect(Object.keys(body.data.checks.providers).sort()).toEqual(["sandbox", "sandbox-b"]);
    expect(body.data.checks.providers.sandbox?.ok).toBe(true);

    const first = sandbox.all()[0];
    if (!first) {
      throw new Error("no sandbox provider");
    }
    const down = {
      ...first,
      code: "down",
      balance: async () => Promise.reject(new Error("connect ECONNREFUSED")),
    };
    const broken = makeTestApp(tdb.db, {
      vtu: { providers: registryOf({ provider: down }), dispatch: async () => {} },
    }).app;
    const bad = await broken.request("/healthz");
    expect(bad.status).toBe(503);
    expect(JSON.stringify(await bad.json())).toContain("ECONNREFUSED");
  });
});

/** Prometheus text → value per series (`name{labels}` exactly as printed). */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) {
      values.set(match[1], Number(match[2]));
    }
  }
  return values;
}

async function until(done: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new Error("timed out waiting");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
