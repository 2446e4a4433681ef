import type { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitKyc } from "../../api/services/funding";
import { queueNotification } from "../../api/services/notifications";
import { getWalletBalance } from "../../api/services/wallet";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { ChatSenders } from "../outbound";
import { type ChatOutboxRuntime, startChatOutbox } from "../outbox/run";
import { createTelegramBot, telegramSender } from "./bot";
import { BOT_INFO, type Call, recordApiCalls, tapUpdate, textUpdate } from "./offline";

/**
 * The Telegram adapter through grammY: updates go through bot.handleUpdate, replies through the chat
 * outbox's Telegram sender, and an API transformer records every outgoing Bot API call without
 * touching the network (environment.md §6).
 */

let h: ChatHarness;
let running: ChatOutboxRuntime | undefined;
let owners = 0;
beforeAll(async () => {
  h = await makeChatHarness();
});
afterAll(async () => {
  await running?.stop();
  await h.destroy();
});

/**
 * A bot on the harness's engine with a recording transformer and its own outbox sender. The one
 * before it stops first (like a restart): one process sends Telegram's outbox at a time here.
 */
async function telegram(options: { failing?: Record<string, { code: number; description: string }> } = {}) {
  await running?.stop();
  const senders = new ChatSenders();
  const bot = createTelegramBot({
    token: "123:test",
    apiRoot: "http://127.0.0.1:9",
    deps: h.deps,
    logger: h.ctx.logger,
    senders,
    botInfo: BOT_INFO,
  });
  const calls = recordApiCalls(bot, options.failing);
  senders.register(telegramSender(bot));
  const outbox = startChatOutbox({
    ctx: () => h.ctx,
    senders,
    logger: h.ctx.logger,
    owner: `bot-test-${++owners}`,
  });
  running = outbox;
  return { bot, calls, outbox };
}

const sent = (calls: Call[]) => calls.filter((c) => c.method === "sendMessage");
const lastText = (calls: Call[]) => String(sent(calls).at(-1)?.payload.text ?? "");
const buttons = (call: Call | undefined) =>
  (
    (call?.payload.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] })
      ?.inline_keyboard ?? []
  ).flat();

/** A Telegram customer with PIN 2580 and ₦5,000. */
async function customer(bot: Bot, userId: number) {
  await bot.handleUpdate(textUpdate(userId, "/start"));
  await bot.handleUpdate(tapUpdate(userId, "c:nav:pin"));
  await bot.handleUpdate(textUpdate(userId, "2580"));
  await h.fund(await h.userIdOf("telegram", String(userId)), 500_000);
}

describe("Telegram adapter", () => {
  it("greets /start, asks for the phone with Telegram's contact button, then shows the menu as inline buttons", async () => {
    const { bot, calls } = await telegram();
    await bot.handleUpdate(textUpdate(7001, "/start"));
    const ask = sent(calls).at(-1);
    expect(ask?.payload.chat_id).toBe(7001);
    const keyboard = (
      ask?.payload.reply_markup as { keyboard?: { text: string; request_contact?: boolean }[][] }
    )?.keyboard;
    expect(keyboard?.[0]?.[0]).toMatchObject({ request_contact: true });
    // Sharing someone else's contact card does not count; one's own does.
    const forwarded = textUpdate(7001, "x");
    Object.assign(forwarded.message ?? {}, {
      text: undefined,
      contact: { phone_number: "2348031110000", first_name: "B", user_id: 9999 },
    });
    await bot.handleUpdate(forwarded);
    const own = textUpdate(7001, "x");
    Object.assign(own.message ?? {}, {
      text: undefined,
      contact: { phone_number: "+2348031117001", first_name: "Ada", user_id: 7001 },
    });
    await bot.handleUpdate(own);
    const user = await h.tdb.db
      .selectFrom("users")
      .select("phone")
      .where("id", "=", await h.userIdOf("telegram", "7001"))
      .executeTakeFirstOrThrow();
    expect(user.phone).toBe("08031117001");
    await bot.handleUpdate(textUpdate(7001, "menu"));
    const menu = sent(calls).at(-1);
    expect(buttons(menu).map((b) => b.callback_data)).toContain("c:nav:airtime");
    expect(buttons(menu).every((b) => Buffer.byteLength(b.callback_data ?? "") <= 64)).toBe(true);
  });

  it("buys airtime with buttons: the PIN message is deleted before the answer, the order is delivered", async () => {
    const { bot, calls } = await telegram();
    await customer(bot, 7002);
    await bot.handleUpdate(textUpdate(7002, "airtime 500 08031234567"));
    await bot.handleUpdate(tapUpdate(7002, "c:net:mtn"));
    expect(lastText(calls)).toMatch(/You pay ₦489\.85/);
    await bot.handleUpdate(tapUpdate(7002, "c:confirm"));
    const before = calls.length;
    const pin = textUpdate(7002, "2580");
    await bot.handleUpdate(pin);
    const after = calls.slice(before).map((c) => c.method);
    expect(after[0]).toBe("deleteMessage");
    expect(calls[before]?.payload).toMatchObject({ chat_id: 7002, message_id: pin.message?.message_id });
    expect(lastText(calls) + String(sent(calls).at(-2)?.payload.text)).toMatch(/Delivered/);
    await h.settle();
    const userId = await h.userIdOf("telegram", "7002");
    const orders = await h.tdb.db
      .selectFrom("vtu_orders")
      .select(["state", "channel"])
      .where("user_id", "=", userId)
      .execute();
    expect(orders).toEqual([{ state: "delivered", channel: "telegram" }]);
    expect((await getWalletBalance({ ctx: h.ctx, userId })).balanceKobo).toBe(500_000 - 48_985);
    // S11: the PIN is in no outgoing call and no log line.
    expect(JSON.stringify(calls.filter((c) => c.method !== "deleteMessage"))).not.toContain("2580");
    expect(h.logs()).not.toContain("2580");
    await expectLedgerConsistent(h.tdb.db);
  });

  it("sends one-time links (the checkout) without a link preview, as every message", async () => {
    const { bot, calls } = await telegram();
    await customer(bot, 7012);
    await bot.handleUpdate(textUpdate(7012, "fund 5000"));
    const withLink = sent(calls).filter((c) => /https?:\/\//.test(String(c.payload.text)));
    expect(withLink.length, JSON.stringify(sent(calls).map((c) => c.payload.text))).toBeGreaterThan(0);
    for (const call of sent(calls)) {
      expect(call.payload.link_preview_options).toEqual({ is_disabled: true });
    }
  });

  it("a BVN typed by mistake is deleted from the chat and never repeated or logged", async () => {
    const { bot, calls } = await telegram();
    await customer(bot, 7011);
    const before = calls.length;
    const bvn = textUpdate(7011, "my bvn is 22212345678");
    await bot.handleUpdate(bvn);
    const after = calls.slice(before);
    expect(after.map((c) => c.method)).toContain("deleteMessage");
    expect(after.find((c) => c.method === "deleteMessage")?.payload).toMatchObject({
      chat_id: 7011,
      message_id: bvn.message?.message_id,
    });
    expect(lastText(calls)).toMatch(/looks like a BVN/);
    expect(JSON.stringify(calls.filter((c) => c.method !== "deleteMessage"))).not.toContain("22212345678");
    expect(h.logs()).not.toContain("22212345678");
  });

  it("a PIN sent when none was asked for is deleted from the chat and never repeated (§82)", async () => {
    const { bot, calls } = await telegram();
    await customer(bot, 7013);
    // Long after the PIN was set: only the engine's rule deletes these.
    await h.tdb.db
      .updateTable("chat_sessions")
      .set({ pin_taken_at: null })
      .where("channel", "=", "telegram")
      .where("external_id", "=", "7013")
      .execute();
    for (const text of ["2580", "2580 9876"]) {
      const before = calls.length;
      const stray = textUpdate(7013, text);
      await bot.handleUpdate(stray);
      const after = calls.slice(before);
      expect(after.find((c) => c.method === "deleteMessage")?.payload, text).toMatchObject({
        chat_id: 7013,
        message_id: stray.message?.message_id,
      });
      expect(lastText(calls)).toBe(
        "That looked like a PIN, so I deleted it. Never send your PIN unless I ask for it.",
      );
    }
    expect(JSON.stringify(calls.filter((c) => c.method !== "deleteMessage"))).not.toContain("9876");
  });

  it("shows the electricity token in the answer to the PIN (the chat's notification is not repeated)", async () => {
    const { bot, calls, outbox } = await telegram();
    await customer(bot, 7010);
    await bot.handleUpdate(textUpdate(7010, "light 2000 ikeja prepaid 45123456789"));
    await bot.handleUpdate(tapUpdate(7010, "c:confirm"));
    const before = sent(calls).length;
    await bot.handleUpdate(textUpdate(7010, "2580"));
    const answer = sent(calls)
      .slice(before)
      .map((c) => String(c.payload.text))
      .join("\n");
    expect(answer).toMatch(/Delivered/);
    expect(answer).toMatch(/Token: \d{4} \d{4} \d{4} \d{4} \d{4}/);
    await h.settle();
    const beforeNotes = sent(calls).length;
    await outbox.flush(2_000);
    const notes = sent(calls)
      .slice(beforeNotes)
      .filter((c) => c.payload.chat_id === 7010);
    expect(notes.map((c) => String(c.payload.text)).join("\n")).not.toMatch(/Delivered: electricity/);
    await expectLedgerConsistent(h.tdb.db);
  });

  it("a double-tapped Confirm and a redelivered PIN update buy once", async () => {
    const { bot, calls, outbox } = await telegram();
    await customer(bot, 7003);
    await bot.handleUpdate(textUpdate(7003, "airtime 200 08061234567"));
    await bot.handleUpdate(tapUpdate(7003, "c:net:mtn"));
    await Promise.all([
      bot.handleUpdate(tapUpdate(7003, "c:confirm")),
      bot.handleUpdate(tapUpdate(7003, "c:confirm")),
    ]);
    await outbox.flush(2_000); // the second answer waits behind the first in the chat's queue
    expect(
      sent(calls)
        .map((c) => String(c.payload.text))
        .join("\n"),
    ).toMatch(/Already confirmed/);
    const pin = textUpdate(7003, "2580");
    await Promise.all([bot.handleUpdate(pin), bot.handleUpdate(pin)]);
    await bot.handleUpdate(pin);
    await h.settle();
    const userId = await h.userIdOf("telegram", "7003");
    const orders = await h.tdb.db
      .selectFrom("vtu_orders")
      .select("state")
      .where("user_id", "=", userId)
      .execute();
    expect(orders).toHaveLength(1);
    await expectLedgerConsistent(h.tdb.db);
  });

  it("a restarted bot continues the flow where the chat was", async () => {
    const first = await telegram();
    await customer(first.bot, 7004);
    await first.bot.handleUpdate(textUpdate(7004, "airtime 300 08031230004"));
    await first.bot.handleUpdate(tapUpdate(7004, "c:net:mtn"));
    const second = await telegram();
    await second.bot.handleUpdate(tapUpdate(7004, "c:confirm"));
    expect(lastText(second.calls)).toMatch(/Send your transaction PIN/);
    await second.bot.handleUpdate(textUpdate(7004, "2580"));
    expect(
      sent(second.calls)
        .map((c) => String(c.payload.text))
        .join("\n"),
    ).toMatch(/Delivered|Order placed/);
    await h.settle();
    await expectLedgerConsistent(h.tdb.db);
  });

  it("a PIN message it cannot delete raises an alert and tells the person", async () => {
    const { bot, calls } = await telegram({
      failing: { deleteMessage: { code: 400, description: "Bad Request: message can't be deleted" } },
    });
    await bot.handleUpdate(textUpdate(7005, "/start"));
    await bot.handleUpdate(tapUpdate(7005, "c:nav:pin"));
    await bot.handleUpdate(textUpdate(7005, "2580"));
    expect(h.logs()).toMatch(/ALERT: could not delete a message containing a PIN/);
    expect(
      sent(calls)
        .map((c) => String(c.payload.text))
        .join("\n"),
    ).toMatch(/delete it yourself/);
  });

  it("ignores chatter in groups and points commands to a private chat", async () => {
    const { bot, calls } = await telegram();
    const update = textUpdate(7006, "/start");
    Object.assign(update.message?.chat ?? {}, { id: -100, type: "group", title: "Family" });
    await bot.handleUpdate(update);
    const chatter = textUpdate(7006, "airtime 500 08031234567");
    Object.assign(chatter.message?.chat ?? {}, { id: -100, type: "group", title: "Family" });
    await bot.handleUpdate(chatter);
    expect(sent(calls)).toHaveLength(1);
    expect(lastText(calls)).toContain("https://t.me/tada_vtu_bot");
  });

  it("/start ref_<code> (the referral deep link) applies the friend's code and says so in the greeting; a bad or own code only gets a note", async () => {
    const { bot, calls } = await telegram();
    await bot.handleUpdate(textUpdate(7020, "/start"));
    const adaId = await h.userIdOf("telegram", "7020");
    const { referral_code: code } = await h.tdb.db
      .selectFrom("users")
      .select("referral_code")
      .where("id", "=", adaId)
      .executeTakeFirstOrThrow();
    await bot.handleUpdate(textUpdate(7021, `/start ref_${code}`));
    const greeting = lastText(calls);
    expect(greeting).toMatch(/^Hello Ada Obi! I am TADA\./);
    expect(greeting).toContain(
      "You joined through Ada's invitation. Make your first purchase of ₦1,000 or more and you get ₦50 welcome bonus.",
    );
    const { referred_by } = await h.tdb.db
      .selectFrom("users")
      .select("referred_by")
      .where("id", "=", await h.userIdOf("telegram", "7021"))
      .executeTakeFirstOrThrow();
    expect(referred_by).toBe(adaId);

    await bot.handleUpdate(textUpdate(7022, "/start ref_NOPE2345"));
    expect(lastText(calls)).toMatch(/^Hello Ada Obi! I am TADA\./);
    expect(lastText(calls)).toMatch(
      /About the referral link you came with: That referral code does not exist/,
    );
    await bot.handleUpdate(textUpdate(7020, `/start ref_${code}`));
    expect(lastText(calls)).toContain("That is your own referral code: share it with friends instead.");

    // The referral summary marks the code as code (a tap copies it).
    await bot.handleUpdate(textUpdate(7021, "my referral link"));
    const shown = sent(calls).at(-1);
    const ownCode = /\n([A-Z0-9]{10})\n/.exec(String(shown?.payload.text))?.[1] ?? "";
    expect(ownCode).not.toBe("");
    expect(shown?.payload.entities).toContainEqual({
      type: "code",
      offset: String(shown?.payload.text).indexOf(`\n${ownCode}\n`) + 1,
      length: ownCode.length,
    });
  });

  it("shows an account number as code (tap to copy), in the reply and in the account-ready notification", async () => {
    const { bot, calls, outbox } = await telegram();
    await bot.handleUpdate(textUpdate(7010, "/start"));
    await bot.handleUpdate(textUpdate(7010, "my account number"));
    const page = sent(calls).at(-1);
    // The BVN page: a link (a URL button only for https), and the BVN is never asked for here.
    const url = /\/kyc\/(\S+)/.exec(String(page?.payload.text))?.[1] ?? "";
    expect(url).not.toBe("");
    const kyc = await submitKyc({
      ctx: h.ctx,
      payments: h.deps.payments,
      token: decodeURIComponent(url),
      form: { bvn: "22212345678", firstName: "Ada", lastName: "Okafor" },
    });
    const number = kyc.outcome === "issued" ? (kyc.account.accountNumber ?? "?") : "?";
    const before = sent(calls).length;
    await outbox.flush(2_000);
    const ready = sent(calls)
      .slice(before)
      .find((c) => String(c.payload.text).startsWith("Your TADA account number is ready"));
    const text = String(ready?.payload.text);
    expect(ready?.payload.entities).toEqual([{ type: "code", offset: text.indexOf(number), length: 10 }]);

    await bot.handleUpdate(textUpdate(7010, "account number"));
    const shown = sent(calls).at(-1);
    const shownText = String(shown?.payload.text);
    expect(shownText.split("\n")).toContain(number);
    expect(shown?.payload.entities).toEqual([
      { type: "code", offset: shownText.indexOf(number), length: 10 },
    ]);
    // No parse mode: nothing in the text is read as markup (names come from outside).
    expect(shown?.payload.parse_mode).toBeUndefined();
  });

  it("answers stickers and photos (no text) with the menu", async () => {
    const { bot, calls } = await telegram();
    const sticker = textUpdate(7007, "x");
    delete (sticker.message as { text?: string }).text;
    await bot.handleUpdate(sticker);
    expect(buttons(sent(calls)[0]).length).toBeGreaterThan(3);
  });

  it("delivers notifications to the Telegram chat once; a blocked bot is not retried", async () => {
    const { bot, calls, outbox } = await telegram();
    await customer(bot, 7008);
    const userId = await h.userIdOf("telegram", "7008");
    await h.fund(userId, 10_000); // creditWallet does not notify; queue one as the funding path does
    await h.tdb.db.transaction().execute((trx) =>
      queueNotification(trx, {
        userId,
        kind: "wallet.credited",
        body: "Your wallet was credited with ₦100.00.",
      }),
    );
    const before = sent(calls).length;
    await Promise.all([outbox.flush(2_000), outbox.flush(2_000)]);
    const credited = sent(calls)
      .slice(before)
      .filter((c) => String(c.payload.text).includes("credited with ₦100.00"));
    expect(credited).toHaveLength(1);
    expect(credited[0]?.payload.chat_id).toBe(7008);

    const blocked = await telegram({
      failing: { sendMessage: { code: 403, description: "Forbidden: bot was blocked by the user" } },
    });
    await h.tdb.db
      .transaction()
      .execute((trx) => queueNotification(trx, { userId, kind: "wallet.credited", body: "Second credit." }));
    await blocked.outbox.flush(2_000);
    await blocked.outbox.flush(500);
    const rows = await h.tdb.db
      .selectFrom("chat_outbox")
      .select(["status", "attempts", "reply"])
      .where("external_id", "=", "7008")
      .execute();
    const second = rows.filter((r) => (r.reply as { text?: string }).text === "Second credit.");
    expect(second.map((r) => ({ status: r.status, attempts: r.attempts }))).toEqual([
      { status: "failed", attempts: 1 },
    ]);
    expect(sent(blocked.calls)).toHaveLength(1);
    expect(h.logs()).toMatch(/refused for good/);
  });
});
