import { type RunnerHandle, run } from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import type { EngineDeps } from "../engine/types";
import type { ChatSenders } from "../outbound";
import { createTelegramBot, telegramSender } from "./bot";

const ALLOWED_UPDATES = ["message", "callback_query"] as const;

export type TelegramRuntime = {
  bot: Bot;
  mode: "polling" | "webhook";
  /** For the HTTP route in webhook mode: the secret Telegram must send, and where updates go. */
  webhook?: { secret: string; handleUpdate(update: Update): Promise<void> };
  /** Start receiving updates (polling, or registering the webhook with Telegram). */
  begin(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Set up the Telegram bot when TELEGRAM_BOT_TOKEN is set: long polling through @grammyjs/runner by
 * default, or webhook mode (POST /api/telegram/webhook) when TELEGRAM_WEBHOOK_URL is set. The bot's
 * sender is registered for notifications either way.
 */
export function setUpTelegram(args: {
  config: Config;
  deps: EngineDeps;
  logger: Logger;
  senders: ChatSenders;
  botInfo?: UserFromGetMe;
}): TelegramRuntime | undefined {
  const { config, logger } = args;
  if (!config.TELEGRAM_BOT_TOKEN) {
    return undefined;
  }
  const bot = createTelegramBot({
    token: config.TELEGRAM_BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
    deps: args.deps,
    logger,
    botInfo: args.botInfo,
  });
  args.senders.register(telegramSender(bot));
  const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
  const secret = config.TELEGRAM_WEBHOOK_SECRET;
  let runner: RunnerHandle | undefined;

  if (webhookUrl && secret) {
    return {
      bot,
      mode: "webhook",
      webhook: { secret, handleUpdate: (update) => bot.handleUpdate(update) },
      async begin() {
        await bot.init();
        await bot.api.setWebhook(webhookUrl, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
        logger.info({ bot: bot.botInfo.username, webhookUrl }, "telegram webhook registered");
      },
      async stop() {},
    };
  }
  return {
    bot,
    mode: "polling",
    async begin() {
      await bot.init();
      // getUpdates is refused while a webhook is set (409); polling is the choice made by config.
      await bot.api.deleteWebhook();
      runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
      logger.info({ bot: bot.botInfo.username }, "telegram long polling started");
    },
    async stop() {
      if (runner?.isRunning()) {
        await runner.stop();
      }
    },
  };
}
