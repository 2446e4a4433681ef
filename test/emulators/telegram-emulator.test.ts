import { Api, Bot, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BLOCKED_BY_USER,
  CONFLICT_OTHER_POLLER,
  CONFLICT_WEBHOOK,
  MESSAGE_NOT_MODIFIED,
  startTelegramEmulator,
  TELEGRAM_EMULATOR_BOT,
  type TelegramEmulator,
} from "./telegram-emulator";

let emu: TelegramEmulator;
let api: Api;
beforeEach(async () => {
  emu = await startTelegramEmulator({ maxPollMs: 2000 });
  api = new Api(emu.token, { apiRoot: emu.apiRoot });
});
afterEach(() => emu.close());

type Answer = {
  status: number;
  body: {
    ok: boolean;
    result?: unknown;
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
};

/** A raw Bot API request, as grammY makes it. */
async function raw(method: string, body: Record<string, unknown> = {}, token = emu.token): Promise<Answer> {
  const res = await fetch(`${emu.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

async function poll(body: Record<string, unknown> = {}): Promise<Update[]> {
  const answer = await raw("getUpdates", body);
  expect(answer.status).toBe(200);
  return answer.body.result as Update[];
}

async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

const keyboard = (...data: string[]) => ({
  inline_keyboard: [data.map((d) => ({ text: `Button ${d}`, callback_data: d }))],
});

describe("Telegram emulator: the protocol", () => {
  it("answers getMe, 401 for a wrong token, 404 for an unknown method", async () => {
    const me = await api.getMe();
    expect(me).toMatchObject({ id: 42, is_bot: true, username: "tada_vtu_bot", first_name: "TADA VTU" });
    expect(me).toEqual(TELEGRAM_EMULATOR_BOT);

    const wrong = await grammyError(new Api("1:wrong", { apiRoot: emu.apiRoot }).getMe());
    expect(wrong.error_code).toBe(401);
    expect(wrong.description).toBe("Unauthorized");

    const unknown = await raw("sendTelepathy", { chat_id: 1 });
    expect(unknown).toEqual({ status: 404, body: { ok: false, error_code: 404, description: "Not Found" } });
    expect(emu.calls.map((c) => [c.method, c.status])).toEqual([
      ["getMe", 200],
      ["getMe", 401],
      ["sendTelepathy", 404],
    ]);
    expect(emu.stats.calls.getMe).toBe(2);
  });

  it("long polls: waits for an update and answers as soon as one comes; [] after the capped timeout", async () => {
    let started = Date.now();
    const waiting = poll({ timeout: 30 });
    await new Promise((r) => setTimeout(r, 150));
    const sent = emu.userSends(1001, "hello");
    const updates = await waiting;
    const tookMs = Date.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(140);
    expect(tookMs).toBeLessThan(1000);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      update_id: sent.update_id,
      message: {
        message_id: sent.message_id,
        text: "hello",
        chat: { id: 1001, type: "private" },
        from: { id: 1001 },
      },
    });

    await poll({ offset: sent.update_id + 1 });
    started = Date.now();
    expect(await poll({ offset: sent.update_id + 1, timeout: 30 })).toEqual([]);
    const waited = Date.now() - started;
    // timeout 30 s, capped by maxPollMs (2 s).
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(3000);
  });

  it("timeout 0 answers at once; offset confirms (deletes) earlier updates; limit caps the batch", async () => {
    const a = emu.userSends(7, "one");
    const b = emu.userSends(7, "two");
    const c = emu.userSends(8, "three");
    expect(b.update_id).toBe(a.update_id + 1);
    expect(c.update_id).toBe(b.update_id + 1);

    expect((await poll()).map((u) => u.update_id)).toEqual([a.update_id, b.update_id, c.update_id]);
    // Not confirmed yet: handed out again.
    expect((await poll({ limit: 2 })).map((u) => u.update_id)).toEqual([a.update_id, b.update_id]);
    expect((await poll({ offset: b.update_id })).map((u) => u.update_id)).toEqual([b.update_id, c.update_id]);
    expect(emu.pendingUpdates).toBe(2);
    expect(await poll({ offset: c.update_id + 1 })).toEqual([]);
    expect(emu.pendingUpdates).toBe(0);
    // The same through grammY.
    const d = emu.userSends(7, "four");
    expect((await api.getUpdates({ offset: c.update_id + 1 })).map((u) => u.update_id)).toEqual([
      d.update_id,
    ]);
  });

  it("a second getUpdates ends the waiting one with 409 and takes over", { timeout: 5000 }, async () => {
    const first = raw("getUpdates", { timeout: 10 });
    await new Promise((r) => setTimeout(r, 100));
    const second = raw("getUpdates", { timeout: 10 });
    const ended = await first;
    expect(ended).toEqual({
      status: 409,
      body: { ok: false, error_code: 409, description: CONFLICT_OTHER_POLLER },
    });
    emu.userSends(5, "still here");
    const answer = await second;
    expect(answer.status).toBe(200);
    expect((answer.body.result as Update[])[0]?.message?.text).toBe("still here");
    expect(emu.stats.conflicts).toBe(1);
  });

  it("a webhook makes getUpdates 409; deleteWebhook can drop pending updates", async () => {
    emu.userSends(9, "queued");
    expect(await api.setWebhook("https://tada.example/api/telegram/webhook")).toBe(true);
    expect(emu.webhookUrl).toBe("https://tada.example/api/telegram/webhook");
    const error = await grammyError(api.getUpdates());
    expect(error.error_code).toBe(409);
    expect(error.description).toBe(CONFLICT_WEBHOOK);
    expect((await api.getWebhookInfo()).pending_update_count).toBe(1);

    await api.deleteWebhook({ drop_pending_updates: true });
    expect(emu.webhookUrl).toBeUndefined();
    expect(await api.getUpdates()).toEqual([]);
  });
});

describe("Telegram emulator: messages and what the user sees", () => {
  it("numbers user and bot messages from one counter per chat and echoes inline keyboards", async () => {
    const start = emu.userSends(1001, "/start");
    expect(start.message_id).toBe(1);
    const [update] = await poll();
    expect(update?.message?.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);

    const reply = await api.sendMessage(1001, "Welcome", { reply_markup: keyboard("a", "b") });
    expect(reply).toMatchObject({
      message_id: 2,
      chat: { id: 1001, type: "private" },
      from: { id: 42, is_bot: true },
      text: "Welcome",
      reply_markup: keyboard("a", "b"),
    });
    expect((await api.sendMessage(2002, "Other chat")).message_id).toBe(1);
    expect(emu.userSends(1001, "next").message_id).toBe(3);
    expect((await api.sendMessage(1001, "Third")).message_id).toBe(4);

    expect(emu.chat(1001).map((m) => [m.message_id, m.from, m.text])).toEqual([
      [1, "user", "/start"],
      [2, "bot", "Welcome"],
      [3, "user", "next"],
      [4, "bot", "Third"],
    ]);
    expect(emu.botMessages(1001).map((m) => m.text)).toEqual(["Welcome", "Third"]);
    expect(emu.lastBotMessage(2002)?.text).toBe("Other chat");
    expect(emu.stats.delivered).toBe(3);
    expect(emu.duplicateBotTexts()).toEqual([]);

    const empty = await grammyError(api.sendMessage(1001, ""));
    expect(empty.description).toBe("Bad Request: message text is empty");
  });

  it("editMessageReplyMarkup and editMessageText change the chat; identical or unknown edits are refused", async () => {
    const sent = await api.sendMessage(1001, "Pick one", { reply_markup: keyboard("a", "b") });
    await api.editMessageReplyMarkup(1001, sent.message_id, { reply_markup: keyboard("c") });
    expect(emu.chat(1001)[0]?.reply_markup).toEqual(keyboard("c"));
    expect(emu.chat(1001)[0]?.editedAt).toBeDefined();

    const same = await grammyError(
      api.editMessageReplyMarkup(1001, sent.message_id, { reply_markup: keyboard("c") }),
    );
    expect(same.error_code).toBe(400);
    expect(same.description).toBe(MESSAGE_NOT_MODIFIED);

    // Removing the keyboard.
    await api.editMessageReplyMarkup(1001, sent.message_id);
    expect(emu.chat(1001)[0]?.reply_markup).toBeUndefined();

    const edited = await api.editMessageText(1001, sent.message_id, "Picked c");
    expect(edited).toMatchObject({ message_id: sent.message_id, text: "Picked c" });
    expect(emu.chat(1001).map((m) => m.text)).toEqual(["Picked c"]);
    const unchanged = await grammyError(api.editMessageText(1001, sent.message_id, "Picked c"));
    expect(unchanged.description).toBe(MESSAGE_NOT_MODIFIED);

    const missing = await grammyError(api.editMessageText(1001, 999, "nope"));
    expect(missing.error_code).toBe(400);
    expect(missing.description).toBe("Bad Request: message to edit not found");
    expect(emu.stats.edits).toBe(3);
  });

  it("deletes a user's message (the PIN case) and records it; a second delete is 400", async () => {
    emu.userSends(1001, "buy airtime");
    const pin = emu.userSends(1001, "1234");
    await api.sendMessage(1001, "Done");
    expect(await api.deleteMessage(1001, pin.message_id)).toBe(true);

    expect(emu.chat(1001).map((m) => m.text)).toEqual(["buy airtime", "Done"]);
    expect(emu.deleted(1001)).toEqual([pin.message_id]);
    expect(emu.calls.at(-1)).toMatchObject({
      method: "deleteMessage",
      payload: { chat_id: 1001, message_id: pin.message_id },
      status: 200,
    });
    const again = await grammyError(api.deleteMessage(1001, pin.message_id));
    expect(again.description).toBe("Bad Request: message to delete not found");
  });

  it("makes button presses and contact cards as a user would; a callback query is answered once", async () => {
    const menu = await api.sendMessage(1001, "Menu", { reply_markup: keyboard("airtime", "data") });
    const pressed = emu.userPresses(1001, menu.message_id, "data");
    expect(() => emu.userPresses(1001, menu.message_id, "electricity")).toThrow(/no button/);
    const byLabel = emu.userPressesButton(1001, "Button airtime");
    expect(byLabel.message_id).toBe(menu.message_id);
    const contact = emu.userSharesContact(1001, "+2348030000000");

    const updates = await poll();
    expect(updates.map((u) => u.update_id)).toEqual([
      pressed.update_id,
      byLabel.update_id,
      contact.update_id,
    ]);
    expect(updates[0]?.callback_query).toMatchObject({
      id: pressed.callback_query_id,
      from: { id: 1001, is_bot: false },
      data: "data",
      message: { message_id: menu.message_id, chat: { id: 1001 }, reply_markup: keyboard("airtime", "data") },
    });
    expect(updates[1]?.callback_query?.data).toBe("airtime");
    expect(updates[2]?.message?.contact).toMatchObject({ phone_number: "+2348030000000", user_id: 1001 });
    expect(emu.chat(1001).at(-1)?.contact?.phone_number).toBe("+2348030000000");

    expect(await api.answerCallbackQuery(pressed.callback_query_id)).toBe(true);
    const twice = await grammyError(api.answerCallbackQuery(pressed.callback_query_id));
    expect(twice.error_code).toBe(400);
    const made = await grammyError(api.answerCallbackQuery("123"));
    expect(made.error_code).toBe(400);
    expect(await api.setMyCommands([{ command: "start", description: "Start" }])).toBe(true);
  });
});

describe("Telegram emulator: faults", () => {
  it("failNext 429 refuses with retry_after and delivers nothing, then lets calls through", async () => {
    emu.failNext("sendMessage", 2, { status: 429, retryAfter: 3 });
    for (let i = 0; i < 2; i++) {
      const error = await grammyError(api.sendMessage(1001, "hi"));
      expect(error.error_code).toBe(429);
      expect(error.description).toBe("Too Many Requests: retry after 3");
      expect(error.parameters.retry_after).toBe(3);
    }
    expect(emu.chat(1001)).toEqual([]);
    await api.sendMessage(1001, "hi");
    expect(emu.botMessages(1001).map((m) => m.text)).toEqual(["hi"]);
    expect(emu.stats.status429).toBe(2);
    expect(emu.callsOf("sendMessage").map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it("failNext afterDelivery: the message reaches the chat, the sender gets 502; a resend is a duplicate", async () => {
    emu.failNext("sendMessage", 1, { status: 502, afterDelivery: true });
    const error = await grammyError(api.sendMessage(1001, "Your airtime is on its way"));
    expect(error.error_code).toBe(502);
    expect(error.description).toBe("Bad Gateway");
    expect(emu.botMessages(1001).map((m) => m.text)).toEqual(["Your airtime is on its way"]);
    expect(emu.stats.status5xx).toBe(1);

    // A naive retry shows twice.
    await api.sendMessage(1001, "Your airtime is on its way");
    expect(emu.duplicateBotTexts()).toEqual([
      { chatId: 1001, text: "Your airtime is on its way", count: 2, inARow: 2 },
    ]);
    emu.failNext("sendMessage", 1, { status: 500 });
    expect((await grammyError(api.sendMessage(1001, "lost"))).error_code).toBe(500);
    expect(emu.botMessages(1001)).toHaveLength(2);
  });

  it("blocked by the user: sendMessage is 403", async () => {
    emu.block(1001);
    const error = await grammyError(api.sendMessage(1001, "Your data is ready"));
    expect(error.error_code).toBe(403);
    expect(error.description).toBe(BLOCKED_BY_USER);
    expect(emu.chat(1001)).toEqual([]);
    emu.unblock(1001);
    await api.sendMessage(1001, "Welcome back");
    expect(emu.chat(1001)).toHaveLength(1);
  });

  it("flood limits answer 429 with retry_after per chat and overall, and deliver nothing over them", async () => {
    emu.setLimits({ perChatPerSecond: 2 });
    await api.sendMessage(1, "a");
    await api.sendMessage(1, "b");
    const error = await grammyError(api.sendMessage(1, "c"));
    expect(error.error_code).toBe(429);
    expect(Number.isInteger(error.parameters.retry_after)).toBe(true);
    expect(error.parameters.retry_after).toBeGreaterThanOrEqual(1);
    expect(emu.botMessages(1).map((m) => m.text)).toEqual(["a", "b"]);
    // Another chat has its own window.
    await api.sendMessage(2, "a");

    emu.setLimits({ overallPerSecond: 3 });
    await Promise.all([api.sendMessage(3, "x"), api.sendMessage(4, "x"), api.sendMessage(5, "x")]);
    const overall = await grammyError(api.sendMessage(6, "x"));
    expect(overall.error_code).toBe(429);
    expect(emu.chat(6)).toEqual([]);
    expect(emu.stats.status429).toBe(2);

    emu.setLimits({});
    await api.sendMessage(6, "x");
    expect(emu.chat(6)).toHaveLength(1);
  });

  it("an outage destroys the waiting poll and every new request, then polling resumes", async () => {
    const waiting = raw("getUpdates", { timeout: 10 });
    await new Promise((r) => setTimeout(r, 100));
    emu.setDown(true);
    await expect(waiting).rejects.toThrow();
    await expect(raw("getMe")).rejects.toThrow();
    await expect(api.getMe()).rejects.toBeInstanceOf(HttpError);
    expect(emu.isDown).toBe(true);
    expect(emu.stats.dropped).toBe(1);
    expect(emu.stats.refused).toBeGreaterThanOrEqual(2);
    expect(emu.stats.firstPollAfterOutageAt).toBeUndefined();

    emu.setDown(false);
    const sent = emu.userSends(1001, "are you there?");
    const updates = await poll({ timeout: 1 });
    expect(updates.map((u) => u.update_id)).toEqual([sent.update_id]);
    const { outageStartedAt, outageEndedAt, firstPollAfterOutageAt, firstUpdatesAfterOutageAt } = emu.stats;
    expect(outageStartedAt).toBeLessThanOrEqual(outageEndedAt ?? 0);
    expect(firstPollAfterOutageAt).toBeGreaterThanOrEqual(outageEndedAt ?? Number.POSITIVE_INFINITY);
    expect(firstUpdatesAfterOutageAt).toBeGreaterThanOrEqual(
      firstPollAfterOutageAt ?? Number.POSITIVE_INFINITY,
    );

    // outage(ms): down for a while, then up by itself.
    const over = emu.outage(150);
    expect(emu.isDown).toBe(true);
    await expect(api.getMe()).rejects.toBeInstanceOf(HttpError);
    await over;
    expect(emu.isDown).toBe(false);
    expect((await api.getMe()).id).toBe(42);
    expect(emu.stats.outages).toHaveLength(2);
  });

  it("cutPolls destroys the next polls mid-wait; the one after answers", async () => {
    emu.cutPolls(1);
    const sent = emu.userSends(1001, "hello");
    const started = Date.now();
    await expect(poll({ timeout: 5 })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(emu.callsOf("getUpdates")[0]?.dropped).toBe(true);
    // The update was not lost.
    expect((await poll({ timeout: 5 })).map((u) => u.update_id)).toEqual([sent.update_id]);
  });

  it("slow delays every answer", async () => {
    emu.slow(250);
    let started = Date.now();
    await api.getMe();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    emu.slow(0);
    started = Date.now();
    await api.getMe();
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe("Telegram emulator with a grammY bot", () => {
  it("a long-polling bot receives what users send and its replies land in their chats", async () => {
    const bot = new Bot(emu.token, { botInfo: TELEGRAM_EMULATOR_BOT, client: { apiRoot: emu.apiRoot } });
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    bot.on("callback_query:data", async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.editMessageReplyMarkup();
    });
    const running = bot.start();
    try {
      emu.userSends(1001, "hi");
      emu.userSends(2002, "hello");
      await emu.waitFor(() => emu.lastBotMessage(1001) && emu.lastBotMessage(2002));
      expect(emu.botMessages(1001).map((m) => m.text)).toEqual(["echo: hi"]);
      expect(emu.botMessages(2002).map((m) => m.text)).toEqual(["echo: hello"]);

      const menu = await bot.api.sendMessage(1001, "Pick", { reply_markup: keyboard("a") });
      emu.userPresses(1001, menu.message_id, "a");
      await emu.waitFor(() => emu.callsOf("editMessageReplyMarkup").length === 1);
      expect(emu.chat(1001).at(-1)?.reply_markup).toBeUndefined();
      expect(emu.callsOf("answerCallbackQuery")[0]?.status).toBe(200);
    } finally {
      await bot.stop();
      await running;
    }
    expect(emu.stats.conflicts).toBe(0);
    expect(emu.duplicateBotTexts()).toEqual([]);
  });
});
