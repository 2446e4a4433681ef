import type { Config } from "../../api/config";
import type { Logger } from "../../api/logger";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import type { VtuRuntime } from "../../api/services/vtu";
import type { EngineDeps } from "../../bot/engine/types";
import { ChatSenders } from "../../bot/outbound";
import { startChatOutbox } from "../../bot/outbox/run";
import { setUpTelegram, type TelegramRuntime } from "../../bot/telegram/start";
import { startWhatsApp } from "../../bot/whatsapp/client";
import { languageModel } from "./language-model";

export type ChatRuntime = {
  deps: EngineDeps;
  senders: ChatSenders;
  telegram?: TelegramRuntime;
  /** Start receiving chat updates and sending the chat outbox; returns how to stop them. */
  begin(): { stop(): Promise<void> };
};

/**
 * The chat channels this process hosts (Telegram with a token, WhatsApp when enabled) and their
 * outbox senders. They live with the HTTP server: a Telegram webhook arrives there, and the
 * WhatsApp PIN page answers in the chat through the same senders.
 */
export function setUpChat(args: {
  config: Config;
  logger: Logger;
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  /** This process's boot id: it owns the updates it receives and the messages it is sending. */
  owner: string;
}): ChatRuntime {
  const { config, logger, owner } = args;
  const deps = engineDeps(args);
  const senders = new ChatSenders();
  const telegram = setUpTelegram({ config, deps, logger, senders, owner });
  return {
    deps,
    senders,
    telegram,
    begin() {
      // It keeps retrying on its own when WhatsApp Web cannot be reached, and never stops the app.
      const whatsapp = config.WHATSAPP_ENABLED
        ? startWhatsApp({ config, logger, engine: deps, senders, owner })
        : undefined;
      // The senders of every channel registered above; also the admin alerts for their chats.
      const outbox = startChatOutbox({ ctx: args.ctx, senders, logger, owner });
      const retry = telegram ? beginWithRetry(telegram, logger) : undefined;
      return {
        /**
         * The shutdown order (DECISIONS §41): stop fetching updates, let the ones in flight finish
         * (CHAT_DRAIN_SECONDS), send what the outbox can (CHAT_FLUSH_SECONDS), then stop. What was
         * recorded but not handled, or queued but not sent, is done after the restart.
         */
        async stop() {
          retry?.cancel();
          await Promise.all([telegram?.stopReceiving(), whatsapp?.stopReceiving()]);
          const drainMs = config.CHAT_DRAIN_SECONDS * 1000;
          const [tg, wa] = await Promise.all([telegram?.drain(drainMs), whatsapp?.drain(drainMs)]);
          const unfinished = (tg ?? 0) + (wa ?? 0);
          const unsent = await outbox.flush(config.CHAT_FLUSH_SECONDS * 1000);
          await outbox.stop();
          await whatsapp?.stop(); // last: the flush sends through its client
          logger.info({ unfinished, unsent }, "chat stopped; what is left is done after the restart");
        },
      };
    },
  };
}

/** What the chat engine runs on: the services' runtimes and, when configured, the language model. */
export function engineDeps(args: {
  config: Config;
  logger: Logger;
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
}): EngineDeps {
  return {
    ctx: args.ctx,
    vtu: args.vtu,
    payments: args.payments,
    ...languageModel(args.config, args.logger),
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
