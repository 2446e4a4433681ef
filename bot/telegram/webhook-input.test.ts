import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { testConfig } from "../../test/helpers/context";
import { makeTestApp } from "../../test/helpers/http";
import { storableText } from "../engine/input";
import { ChatSenders } from "../outbound";
import { BOT_INFO, recordApiCalls, textUpdate } from "./offline";
import { setUpTelegram } from "./start";

/**
 * Issue 13 §5 through POST /api/telegram/webhook: a person's text and name can hold any character,
 * including NUL and lone surrogates that PostgreSQL cannot store. The bot answers such a message
 * (the engine's input normaliser cleans it) instead of failing the update, which Telegram would
 * deliver again for ever; a body that is not shaped like a Telegram update is a 400.
 */
let h: ChatHarness;
beforeAll(async () => {
  h = await makeChatHarness();
});
afterAll(() => h.destroy());

const secret = "s3cret-token-for-input-tests-0123";
function webhookApp() {
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: "558:input",
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
  const post = (body: unknown) =>
    app.request("/api/telegram/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: JSON.stringify(body),
    });
  const answers = () => calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
  return { post, answers };
}

describe("Telegram text the database cannot store", () => {
  it("answers a first message whose name and text carry NUL and a lone surrogate", async () => {
    const { post, answers } = webhookApp();
    const update = textUpdate(8301, "balance\u0000");
    const message = update.message as { from: { first_name: string; last_name?: string } };
    message.from.first_name = "A\u0000da";
    message.from.last_name = "Obi\ud800";
    const res = await post(update);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(answers().join("\n")).toMatch(/balance is ₦0/i);
    const user = await h.tdb.db
      .selectFrom("users")
      .innerJoin("identities", "identities.user_id", "users.id")
      .select("users.display_name")
      .where("identities.channel", "=", "telegram")
      .where("identities.external_id", "=", "8301")
      .executeTakeFirstOrThrow();
    expect(user.display_name).toBe("Ada Obi\ufffd");
  });

  it("answers text that is only a lone surrogate with the menu", async () => {
    const { post, answers } = webhookApp();
    const res = await post(textUpdate(8302, "\udc00"));
    expect(res.status).toBe(200);
    expect(answers().length).toBeGreaterThan(0);
  });

  it("refuses with 400 a body whose fields do not have Telegram's types, and runs nothing", async () => {
    const { post, answers } = webhookApp();
    const update = textUpdate(8303, "balance");
    (update.message as unknown as { chat: { id: unknown } }).chat.id = null;
    const res = await post(update);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "INVALID_UPDATE", error: /message\.chat\.id/ });
    expect(answers()).toEqual([]);
  });
});

describe("storableText", () => {
  it("drops NUL, writes U+FFFD for an unpaired surrogate, keeps pairs and everything else", () => {
    expect(storableText("a\u0000b")).toBe("ab");
    expect(storableText("x\ud800y\udc00")).toBe("x\ufffdy\ufffd");
    expect(storableText("ok 😀 ₦500\n")).toBe("ok 😀 ₦500\n");
  });
});
