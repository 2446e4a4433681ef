import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBotApi } from "../../test/emulators/telegram-bot-api";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { testConfig } from "../../test/helpers/context";
import { makeTestApp } from "../../test/helpers/http";
import { ChatSenders } from "../outbound";
import { BOT_INFO, recordApiCalls, textUpdate } from "./offline";
import { setUpTelegram } from "./start";

/** How updates arrive: long polling against a local Bot API server, and the webhook route. */
let h: ChatHarness;
beforeAll(async () => {
  h = await makeChatHarness();
});
afterAll(() => h.destroy());

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error("timed out");
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("Telegram long polling (@grammyjs/runner) against TELEGRAM_API_ROOT", () => {
  it("receives updates, answers through the Bot API, waits out a flood limit, and stops cleanly", async () => {
    const api = await startFakeBotApi({ token: "555:poll", floodOnce: ["sendMessage"] });
    const config = testConfig({ TELEGRAM_BOT_TOKEN: "555:poll", TELEGRAM_API_ROOT: api.apiRoot });
    const senders = new ChatSenders();
    const telegram = setUpTelegram({ config, deps: h.deps, logger: h.ctx.logger, senders });
    expect(telegram?.mode).toBe("polling");
    try {
      await telegram?.begin();
      expect(api.calls.map((c) => c.method)).toEqual(["getMe", "deleteWebhook"]);
      api.push(textUpdate(8101, "/start"));
      api.push(textUpdate(8101, "balance"));
      const answers = await until(() => {
        const sent = api.calls.filter((c) => c.method === "sendMessage");
        // The first sendMessage was refused with 429 and sent again after retry_after.
        return sent.length >= 4 ? sent : undefined;
      });
      expect(answers[0]?.payload.chat_id).toBe(8101);
      expect(answers[0]?.payload.text).toBe(answers[1]?.payload.text);
      expect(answers.map((a) => String(a.payload.text)).join("\n")).toMatch(/balance is ₦/i);
      expect(senders.get("telegram")).toBeDefined();
    } finally {
      await telegram?.stop();
      await api.close();
    }
  });
});

describe("Telegram webhook mode: POST /api/telegram/webhook", () => {
  const secret = "s3cret-token-for-tests-0123456789";
  function webhookApp() {
    const config = testConfig({
      TELEGRAM_BOT_TOKEN: "556:hook",
      TELEGRAM_WEBHOOK_URL: "https://tada.example/api/telegram/webhook",
      TELEGRAM_WEBHOOK_SECRET: secret,
    });
    const telegram = setUpTelegram({
      config,
      deps: h.deps,
      logger: h.ctx.logger,
      senders: new ChatSenders(),
      botInfo: BOT_INFO,
    });
    if (!telegram?.webhook) {
      throw new Error("expected webhook mode");
    }
    const calls = recordApiCalls(telegram.bot);
    const { app } = makeTestApp(h.tdb.db, { config, telegramWebhook: telegram.webhook });
    const post = (body: unknown, token?: string) =>
      app.request("/api/telegram/webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { "x-telegram-bot-api-secret-token": token } : {}),
        },
        body: JSON.stringify(body),
      });
    return { telegram, calls, post };
  }

  it("refuses a wrong or missing secret token with 403 and runs nothing (W8)", async () => {
    const { calls, post } = webhookApp();
    const update = textUpdate(8201, "/start");
    expect((await post(update, "wrong-token-wrong-token")).status).toBe(403);
    expect((await post(update)).status).toBe(403);
    expect(calls).toHaveLength(0);
    const seen = await h.tdb.db
      .selectFrom("identities")
      .select("id")
      .where("external_id", "=", "8201")
      .execute();
    expect(seen).toHaveLength(0);
  });

  it("handles an update with the right token, and a repeated update once", async () => {
    const { calls, post } = webhookApp();
    const update = textUpdate(8202, "/start");
    expect((await post(update, secret)).status).toBe(200);
    const answered = calls.filter((c) => c.method === "sendMessage").length;
    expect(answered).toBeGreaterThan(0);
    expect((await post(update, secret)).status).toBe(200);
    expect(calls.filter((c) => c.method === "sendMessage")).toHaveLength(answered);
    expect((await post({ hello: 1 }, secret)).status).toBe(400);
  });

  it("registers the webhook with the secret when it begins", async () => {
    const { telegram, calls } = webhookApp();
    await telegram.begin();
    expect(calls.find((c) => c.method === "setWebhook")?.payload).toMatchObject({
      url: "https://tada.example/api/telegram/webhook",
      secret_token: secret,
    });
  });
});
