import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import type { VtuRuntime } from "../../api/services/vtu";
import type { EngineDeps } from "../../bot/engine/types";
import { createUnderstanding } from "../../bot/engine/understand";
import { startNotificationDelivery } from "../../bot/notify/deliver";
import { ChatSenders } from "../../bot/outbound";
import { setUpTelegram, type TelegramRuntime } from "../../bot/telegram/start";
import { startWhatsApp } from "../../bot/whatsapp/client";

export type ChatRuntime = {
  deps: EngineDeps;
  senders: ChatSenders;
  telegram?: TelegramRuntime;
  /** Start receiving chat updates and delivering notifications; returns how to stop them. */
  begin(): { stop(): Promise<void> };
};

/**
 * The chat channels this process hosts (Telegram with a token, WhatsApp when enabled) and their
 * notification job. They live with the HTTP server: a Telegram webhook arrives there, and the
 * WhatsApp PIN page answers in the chat through the same senders.
 */
export function setUpChat(args: {
  config: Config;
  logger: Logger;
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
}): ChatRuntime {
  const { config, logger } = args;
  const deps: EngineDeps = {
    ctx: args.ctx,
    vtu: args.vtu,
    payments: args.payments,
    understand: createUnderstanding(config, logger),
  };
  const senders = new ChatSenders();
  const telegram = setUpTelegram({ config, deps, logger, senders });
  return {
    deps,
    senders,
    telegram,
    begin() {
      const retry = telegram ? beginWithRetry(telegram, logger) : undefined;
      // It keeps retrying on its own when WhatsApp Web cannot be reached, and never stops the app.
      const whatsapp = config.WHATSAPP_ENABLED
        ? startWhatsApp({ config, logger, engine: deps, senders })
        : undefined;
      const delivery = startNotificationDelivery({
        ctx: args.ctx,
        senders,
        logger,
        everyMs: config.NOTIFY_INTERVAL_MS,
      });
      return {
        async stop() {
          retry?.cancel();
          await telegram?.stop();
          await whatsapp?.stop();
          await delivery.stop();
        },
      };
    },
  };
}

/**
 * Telegram being unreachable or the token being refused must not take the API down: say what is
 * wrong and try again with a growing delay (capped at five minutes).
 */
function beginWithRetry(telegram: TelegramRuntime, logger: Logger): { cancel(): void } {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = (delayMs: number) => {
    telegram.begin().catch((error: unknown) => {
      if (cancelled) {
        return;
      }
      logger.error(
        { err: error, retryInSeconds: delayMs / 1000 },
        "Telegram bot could not start: check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT",
      );
      timer = setTimeout(() => attempt(Math.min(delayMs * 2, 300_000)), delayMs);
    });
  };
  attempt(5_000);
  return {
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
