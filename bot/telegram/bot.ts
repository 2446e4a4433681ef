import { Bot, type Context, GrammyError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../../api/logger";
import { isInputHandled } from "../../api/services/chat-inbox";
import { enqueueChatMessages } from "../../api/services/chat-outbox";
import type { ServiceContext } from "../../api/services/context";
import { findUserByIdentity } from "../../api/services/users";
import { awaitsPin, handleChatInput, looksLikePin } from "../engine/engine";
import { DEFAULT_LANG, isLang, type Lang, templates } from "../engine/i18n";
import type { ChatInput, EngineDeps, Reply } from "../engine/types";
import { type ChatSender, type ChatSenders, PermanentSendError, RateLimitedError } from "../outbound";
import { botApiFetch } from "./bot-api-fetch";
import { isRedactedUpdate } from "./inbox";
import { decodeCallback, renderReply } from "./render";

export type TelegramBotOptions = {
  token: string;
  /** The Bot API server (TELEGRAM_API_ROOT). */
  apiRoot: string;
  deps: EngineDeps;
  logger: Logger;
  /** The senders of this process: replies go out through the chat outbox (DECISIONS §41). */
  senders: ChatSenders;
  /** Known bot identity: skips the getMe call (tests, the bench). */
  botInfo?: UserFromGetMe;
};

/**
 * The Telegram adapter: turns updates into engine inputs. Replies are not sent from here directly:
 * the engine writes them to the chat outbox in the statement that saves the step, and this process's
 * outbox sender sends them at once (`senders.sendNow`), retrying if Telegram refuses. Updates reach
 * the bot through the inbox (bot/telegram/inbox.ts), which runs one chat's updates in order.
 */
export function createTelegramBot(options: TelegramBotOptions): Bot {
  const bot = new Bot(options.token, {
    botInfo: options.botInfo,
    // A Bot API call that hangs is cut after a minute (a long poll asks for 25 s): the outbox and
    // the poller then retry it, rather than one chat waiting for grammY's default 500 s.
    // Calls go through node:http directly, not node-fetch (bot/telegram/bot-api-fetch.ts).
    client: { apiRoot: options.apiRoot, timeoutSeconds: 60, fetch: botApiFetch as never },
  });

  bot.on("callback_query:data", async (ctx) => {
    // Stop the button's spinner first; failing to is cosmetic.
    await ctx.answerCallbackQuery().catch(() => {});
    const data = decodeCallback(ctx.callbackQuery.data);
    await respond(ctx, options, {
      channel: "telegram",
      userRef: String(ctx.from.id),
      messageId: `cb:${ctx.callbackQuery.id}`,
      displayName: displayName(ctx),
      ...(data?.kind === "choice" ? { choice: data.id } : { text: String(data?.position ?? "") }),
    });
  });

  bot.on("message", async (ctx) => {
    if (ctx.chat.type !== "private") {
      // Money talk belongs in a private chat; in groups, point there and do nothing else.
      if (ctx.message.text?.startsWith("/")) {
        await ctx.reply(`Please message me privately: https://t.me/${ctx.me.username}`).catch(() => {});
      }
      return;
    }
    if (isRedactedUpdate(ctx.update)) {
      await askAgain(ctx, options);
      return;
    }
    const contact = ctx.message.contact;
    await respond(ctx, options, {
      channel: "telegram",
      userRef: String(ctx.from.id),
      messageId: `m:${ctx.chat.id}:${ctx.message.message_id}`,
      displayName: displayName(ctx),
      text: ctx.message.text ?? ctx.message.caption,
      // Only the person's own contact card counts as their phone number: anyone can forward a
      // contact, and trusting it would register someone else's number.
      contactPhone: contact && contact.user_id === ctx.from.id ? contact.phone_number : undefined,
    });
  });
  return bot;
}

async function respond(ctx: Context, options: TelegramBotOptions, input: ChatInput): Promise<void> {
  const { deps, logger, senders } = options;
  // S4: a PIN-looking message at a PIN step (or a second PIN just after one was taken) is deleted as
  // it arrives, while the engine pays. Other text needs no session read here (a "balance" message
  // costs the engine's round trips only); at a PIN step it cancels the purchase and is kept.
  let deleting: Promise<boolean> | undefined;
  if (ctx.message && looksLikePin(input.text) && (await awaitsPin(deps, input))) {
    deleting = deletePinMessage(ctx, options);
  }
  const out = await handleChatInput(deps, input, { sendingBy: senders.owner("telegram") });
  if ((out.deleteInput || out.deleteSecret) && ctx.message && !deleting) {
    deleting = deletePinMessage(ctx, options);
  }
  await deleting;
  await senders.sendNow("telegram", out).catch((error) => {
    // The rows are in the outbox: its sender retries them.
    logger.warn({ err: error }, "telegram reply not sent at once; the outbox retries it");
  });
}

const T = templates("telegram", {
  restarted: {
    en: () =>
      "I restarted before I could use the number you sent (your PIN, if it was one). Please send it again.",
    pcm: () => "I restart before I fit use the number wey you send (your PIN, if na am). Abeg send am again.",
  },
  notDeleted: {
    en: () =>
      "I could not delete your PIN message. Please delete it yourself, and change your PIN if anyone else can see this chat.",
    pcm: () =>
      "I no fit delete the message wey get your PIN. Abeg delete am yourself, and change your PIN if another person fit see this chat.",
  },
});

/**
 * The person's reply language, for the two messages the adapter writes itself (both rare: a restart
 * mid-PIN, a PIN message that could not be deleted). English when the person is not known yet.
 */
async function languageOf(ctx: Pick<ServiceContext, "db">, userRef: string): Promise<Lang> {
  const user = await findUserByIdentity(ctx, { channel: "telegram", externalId: userRef }).catch(
    () => undefined,
  );
  return isLang(user?.language) ? user.language : DEFAULT_LANG;
}

/**
 * A PIN-shaped message whose handling was cut by a restart: the inbox kept it redacted (a PIN is
 * never stored), so it cannot be used. Delete it and ask again; the chat stays where it was.
 */
async function askAgain(ctx: Context, options: TelegramBotOptions): Promise<void> {
  await deletePinMessage(ctx, options);
  const ctxS = options.deps.ctx();
  const handled = await isInputHandled(ctxS, "telegram", `m:${ctx.chat?.id}:${ctx.message?.message_id}`);
  if (handled) {
    return; // the engine used it before the restart: its answer is in the outbox already
  }
  const userRef = String(ctx.from?.id ?? ctx.chat?.id);
  const lang = await languageOf(ctxS, userRef);
  const ids = await enqueueChatMessages(ctxS.db, [
    { channel: "telegram", externalId: userRef, kind: "reply", reply: { text: T.restarted[lang]() } },
  ]);
  await options.senders.sendNow("telegram", { outboxIds: ids, leased: false }).catch(() => {});
}

async function deletePinMessage(ctx: Context, options: TelegramBotOptions): Promise<boolean> {
  try {
    await ctx.deleteMessage();
    return true;
  } catch (error) {
    // The PIN stays visible in the chat: someone must know (S4). Never log the message itself.
    options.logger.error(
      {
        alert: true,
        err: error instanceof GrammyError ? error.description : String(error),
        chatId: ctx.chat?.id,
      },
      "ALERT: could not delete a message containing a PIN (or a BVN) from a Telegram chat",
    );
    const userRef = String(ctx.from?.id ?? ctx.chat?.id);
    const lang = await languageOf(options.deps.ctx(), userRef);
    const ids = await enqueueChatMessages(options.deps.ctx().db, [
      { channel: "telegram", externalId: userRef, kind: "reply", reply: { text: T.notDeleted[lang]() } },
    ]).catch(() => []);
    await options.senders.sendNow("telegram", { outboxIds: ids, leased: false }).catch(() => {});
    return false;
  }
}

function displayName(ctx: Context): string | undefined {
  const from = ctx.from;
  return from ? [from.first_name, from.last_name].filter(Boolean).join(" ") : undefined;
}

/** Bot API errors for an edit or delete that has nothing left to do (already done, or gone). */
const NOTHING_TO_DO =
  /message is not modified|message to edit not found|message to delete not found|message can't be (edited|deleted)/i;

/**
 * The links we send are one-time pages (PIN, BVN, checkout, schedules): Telegram's servers must not
 * fetch them to draw a preview card, and a card would only repeat the text. WhatsApp sends the same
 * way (bot/whatsapp/adapter.ts).
 */
const NO_PREVIEW = { is_disabled: true } as const;

/**
 * The Telegram transport under the chat outbox: one Bot API call per message, and a refusal told
 * apart the way the outbox needs it. 429 → wait `retry_after`; 403 (blocked, deactivated) and other
 * 400s (chat not found, malformed) → never retried; 5xx and network errors → retried with backoff.
 * grammY's auto-retry is not used: the outbox decides when to try again (a retry in here would
 * hold the chat's queue and hide the failure from /metrics).
 */
export function telegramSender(bot: Bot): ChatSender {
  return {
    channel: "telegram",
    async send(userRef, replies: Reply[]) {
      const messageIds: string[] = [];
      for (const reply of replies) {
        const { text, reply_markup, entities } = renderReply(reply);
        const sent = await bot.api
          .sendMessage(Number(userRef), text, {
            link_preview_options: NO_PREVIEW,
            ...(reply_markup ? { reply_markup } : {}),
            ...(entities ? { entities } : {}),
          })
          .catch(translate);
        messageIds.push(String(sent.message_id));
      }
      return { messageIds };
    },
    async clearButtons(userRef, messageId) {
      await bot.api
        .editMessageReplyMarkup(Number(userRef), Number(messageId), { reply_markup: { inline_keyboard: [] } })
        .catch(ignoreNothingToDo);
    },
    async deleteMessage(userRef, messageId) {
      await bot.api.deleteMessage(Number(userRef), Number(messageId)).catch(ignoreNothingToDo);
    },
  };
}

function ignoreNothingToDo(error: unknown): void {
  if (error instanceof GrammyError && NOTHING_TO_DO.test(error.description)) {
    return;
  }
  translate(error);
}

function translate(error: unknown): never {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      const seconds = error.parameters?.retry_after ?? 1;
      throw new RateLimitedError(error.description, seconds * 1000);
    }
    if (error.error_code === 403 || error.error_code === 400) {
      throw new PermanentSendError(error.description);
    }
  }
  throw error;
}
