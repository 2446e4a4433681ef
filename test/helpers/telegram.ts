import { endBoot, registerBoot, startHeartbeat } from "../../api/services/processes";
import type { EngineDeps } from "../../bot/engine/types";
import { ChatSenders } from "../../bot/outbound";
import { type ChatOutboxRuntime, startChatOutbox } from "../../bot/outbox/run";
import { BOT_INFO, recordApiCalls } from "../../bot/telegram/offline";
import { setUpTelegram, type TelegramRuntime } from "../../bot/telegram/start";
import { startTelegramEmulator, type TelegramEmulator } from "../emulators/telegram-emulator";
import type { makeChatHarness } from "./chat";
import { testConfig } from "./context";
import { makeTestApp } from "./http";

type Harness = Awaited<ReturnType<typeof makeChatHarness>>;

export type TelegramStack = {
  telegram: TelegramRuntime;
  outbox: ChatOutboxRuntime;
  senders: ChatSenders;
  bootId: string;
  /** The production shutdown order: stop polling, drain in-flight updates, flush the outbox, stop. */
  shutdown(options?: { drainMs?: number; flushMs?: number }): Promise<{ unfinished: number; unsent: number }>;
  /** Like kill -9: nothing more runs in this "process" and its boot is over; nothing is drained. */
  kill(): Promise<void>;
};

/**
 * One "process" of the product's Telegram side, as `npm start` wires it (scripts/runtime/chat.ts): the
 * real bot, long-polling inbox and outbox sender, on the harness's database and engine, pointed at
 * a Bot API emulator over real HTTP. Its boot is registered like a process's, so a stopped stack's
 * unhandled updates and unsent messages are taken over by the next one.
 */
export async function startTelegramStack(
  h: Harness,
  emulator: TelegramEmulator,
  overrides: Record<string, string> = {},
): Promise<TelegramStack> {
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: emulator.token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    NOTIFY_INTERVAL_MS: "200",
    ...overrides,
  });
  const ctx = () => ({ ...h.ctx, config });
  const boot = await registerBoot(h.ctx, { role: "api" });
  // Like a process: without its heartbeat the boot looks dead after PROCESS_DEAD_AFTER_SECONDS,
  // and its leases are taken over while it still works on them.
  const heartbeat = startHeartbeat({ ...h.ctx, config }, boot);
  const deps: EngineDeps = { ...h.deps, ctx, vtu: { ...h.deps.vtu, owner: boot.bootId } };
  const senders = new ChatSenders();
  const telegram = setUpTelegram({
    config,
    deps,
    logger: h.ctx.logger,
    senders,
    owner: boot.bootId,
    botInfo: emulator.botInfo,
  });
  if (!telegram) {
    throw new Error("TELEGRAM_BOT_TOKEN is set, so Telegram must be set up");
  }
  const outbox = startChatOutbox({ ctx, senders, logger: h.ctx.logger, owner: boot.bootId });
  await telegram.begin();
  let stopped = false;
  return {
    telegram,
    outbox,
    senders,
    bootId: boot.bootId,
    async shutdown(options = {}) {
      stopped = true;
      await telegram.stopReceiving();
      const unfinished = await telegram.drain(options.drainMs ?? config.CHAT_DRAIN_SECONDS * 1000);
      const unsent = await outbox.flush(options.flushMs ?? config.CHAT_FLUSH_SECONDS * 1000);
      await outbox.stop();
      await heartbeat.stop();
      return { unfinished, unsent };
    },
    async kill() {
      if (stopped) {
        return;
      }
      stopped = true;
      await telegram.stopReceiving();
      telegram.inbox.stopAccepting();
      await outbox.stop();
      await heartbeat.stop();
      await endBoot(h.tdb.db, boot.bootId);
    },
  };
}

export { startTelegramEmulator };

/**
 * Telegram in webhook mode on the harness, with Bot API calls recorded offline (bot/telegram/
 * offline.ts) and an outbox sender: `post` an update to POST /api/telegram/webhook, then
 * `settled()` waits until it was handled and its answers were sent.
 */
export function offlineWebhookStack(h: Harness, secret: string, overrides: Record<string, string> = {}) {
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: "558:webhook",
    TELEGRAM_WEBHOOK_URL: "https://tada.example/api/telegram/webhook",
    TELEGRAM_WEBHOOK_SECRET: secret,
    ...overrides,
  });
  const senders = new ChatSenders();
  const owner = `webhook-test-${++webhookStacks}`;
  const telegram = setUpTelegram({
    config,
    deps: h.deps,
    logger: h.ctx.logger,
    senders,
    owner,
    botInfo: BOT_INFO,
  });
  if (!telegram?.webhook) {
    throw new Error("expected webhook mode");
  }
  const calls = recordApiCalls(telegram.bot);
  const outbox = startChatOutbox({ ctx: () => h.ctx, senders, logger: h.ctx.logger, owner });
  const { app } = makeTestApp(h.tdb.db, { config, telegramWebhook: telegram.webhook });
  const post = (body: unknown, token: string | undefined = secret) =>
    app.request("/api/telegram/webhook", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { "x-telegram-bot-api-secret-token": token } : {}),
      },
      body: JSON.stringify(body),
    });
  return {
    telegram,
    calls,
    post,
    outbox,
    async settled() {
      while (telegram.inbox.pending > 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await outbox.flush(2_000);
    },
    stop: () => outbox.stop(),
  };
}
let webhookStacks = 0;
