import type { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import type { EngineDeps } from "../engine/types";
import type { ChatSenders } from "../outbound";
import { createTelegramBot, telegramSender } from "./bot";
import { TelegramInbox } from "./inbox";
import { ALLOWED_UPDATES, TelegramPoller } from "./poller";

export type TelegramRuntime = {
  bot: Bot;
  inbox: TelegramInbox;
  mode: "polling" | "webhook";
  /** For the HTTP route in webhook mode: the secret Telegram must send, and where updates go. */
  webhook?: { secret: string; handleUpdate(update: Update): Promise<void> };
  /** Start receiving updates (polling, or registering the webhook with Telegram). */
  begin(): Promise<void>;
  /** Shutdown, step 1: stop fetching updates (a webhook update still arriving is recorded only). */
  stopReceiving(): Promise<void>;
  /** Shutdown, step 2: let the updates in flight finish, at most `timeoutMs`; returns how many did not. */
  drain(timeoutMs: number): Promise<number>;
};

/**
 * Set up the Telegram bot when TELEGRAM_BOT_TOKEN is set: long polling by default (bot/telegram/
 * poller.ts), or webhook mode (POST /api/telegram/webhook) when TELEGRAM_WEBHOOK_URL is set. Either
 * way updates go through the inbox (recorded first, then handled) and replies through the outbox,
 * whose Telegram sender is registered here.
 */
export function setUpTelegram(args: {
  config: Config;
  deps: EngineDeps;
  logger: Logger;
  senders: ChatSenders;
  /** This process's boot id (the receiver of the updates it records). */
  owner?: string;
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
    senders: args.senders,
    botInfo: args.botInfo,
  });
  args.senders.register(telegramSender(bot));
  const inbox = new TelegramInbox({
    ctx: args.deps.ctx,
    owner: args.owner,
    logger,
    botId: () => bot.botInfo.id,
    handle: (update) => bot.handleUpdate(update),
  });
  const webhookUrl = config.TELEGRAM_WEBHOOK_URL;
  const secret = config.TELEGRAM_WEBHOOK_SECRET;
  const drain = (timeoutMs: number) => inbox.drain(timeoutMs);

  if (webhookUrl && secret) {
    return {
      bot,
      inbox,
      mode: "webhook",
      // Recorded before the 200: a failure to record answers 500 and Telegram delivers it again.
      webhook: { secret, handleUpdate: (update) => inbox.receive([update]) },
      async begin() {
        await bot.init();
        await bot.api.setWebhook(webhookUrl, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
        inbox.startRecovery();
        logger.info({ bot: bot.botInfo.username, webhookUrl }, "telegram webhook registered");
      },
      async stopReceiving() {
        inbox.stopAccepting();
      },
      drain,
    };
  }
  let poller: TelegramPoller | undefined;
  return {
    bot,
    inbox,
    mode: "polling",
    async begin() {
      await bot.init();
      // getUpdates is refused while a webhook is set (409); polling is the choice made by config.
      await bot.api.deleteWebhook();
      inbox.startRecovery();
      poller = new TelegramPoller({ bot, inbox, logger }).start();
      logger.info({ bot: bot.botInfo.username }, "telegram long polling started");
    },
    async stopReceiving() {
      await poller?.stop();
      inbox.stopAccepting();
    },
    drain,
  };
}
