import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context, GrammyError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../../api/logger";
import { awaitsPin, handleChatInput } from "../engine/engine";
import type { ChatInput, EngineDeps, Reply } from "../engine/types";
import { type ChatSender, PermanentSendError } from "../outbound";
import { decodeCallback, renderReply } from "./render";

export type TelegramBotOptions = {
  token: string;
  /** The Bot API server (TELEGRAM_API_ROOT). */
  apiRoot: string;
  deps: EngineDeps;
  logger: Logger;
  /** Known bot identity: skips the getMe call (tests, the bench). */
  botInfo?: UserFromGetMe;
};

/**
 * The Telegram adapter: turns updates into engine inputs and engine replies into messages with
 * inline keyboards. Updates of one chat run one at a time (in order); different chats in parallel.
 */
export function createTelegramBot(options: TelegramBotOptions): Bot {
  const bot = new Bot(options.token, {
    botInfo: options.botInfo,
    client: { apiRoot: options.apiRoot },
  });
  // Flood limits (429 retry_after) and Bot API hiccups (5xx, network) are waited out, a few times.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));

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
        await ctx.reply(`Please message me privately: https://t.me/${ctx.me.username}`);
      }
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

  bot.catch((error) => {
    options.logger.error(
      { err: error.error, updateId: error.ctx.update.update_id },
      "telegram update failed",
    );
  });
  return bot;
}

async function respond(ctx: Context, options: TelegramBotOptions, input: ChatInput): Promise<void> {
  const { deps, logger } = options;
  // S4: a message sent at a PIN step is deleted as it arrives, while the engine pays.
  let deleting: Promise<boolean> | undefined;
  if (ctx.message && input.text && (await awaitsPin(deps, input))) {
    deleting = deletePinMessage(ctx, logger);
  }
  const out = await handleChatInput(deps, input);
  if (out.deleteInput && ctx.message && !deleting) {
    deleting = deletePinMessage(ctx, logger);
  }
  await deleting;
  for (const reply of out.replies) {
    await sendReply(ctx, reply);
  }
}

async function deletePinMessage(ctx: Context, logger: Logger): Promise<boolean> {
  try {
    await ctx.deleteMessage();
    return true;
  } catch (error) {
    // The PIN stays visible in the chat: someone must know (S4). Never log the message itself.
    logger.error(
      {
        alert: true,
        err: error instanceof GrammyError ? error.description : String(error),
        chatId: ctx.chat?.id,
      },
      "ALERT: could not delete a message containing a PIN from a Telegram chat",
    );
    await ctx
      .reply(
        "I could not delete your PIN message. Please delete it yourself, and change your PIN if anyone else can see this chat.",
      )
      .catch(() => {});
    return false;
  }
}

async function sendReply(ctx: Context, reply: Reply): Promise<void> {
  const { text, reply_markup } = renderReply(reply);
  await ctx.reply(text, reply_markup ? { reply_markup } : {});
}

function displayName(ctx: Context): string | undefined {
  const from = ctx.from;
  return from ? [from.first_name, from.last_name].filter(Boolean).join(" ") : undefined;
}

/** Server-initiated messages (notifications) through the same bot. */
export function telegramSender(bot: Bot): ChatSender {
  return {
    channel: "telegram",
    async send(userRef, replies) {
      for (const reply of replies) {
        const { text, reply_markup } = renderReply(reply);
        try {
          await bot.api.sendMessage(Number(userRef), text, reply_markup ? { reply_markup } : {});
        } catch (error) {
          // 403: blocked by the user or the account is gone; 400 chat not found. Retrying cannot help.
          if (
            error instanceof GrammyError &&
            (error.error_code === 403 || /chat not found/i.test(error.description))
          ) {
            throw new PermanentSendError(error.description);
          }
          throw error;
        }
      }
    },
  };
}
