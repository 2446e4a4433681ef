import type { Logger } from "../../api/logger";
import { type AlertChannel, queueAlertsForChannel } from "../../api/services/alerts";
import type { ServiceContext } from "../../api/services/context";
import type { ChatChannel } from "../engine/types";
import type { ChatSenders } from "../outbound";
import { OutboxSender } from "./sender";

export type ChatOutboxDeps = {
  ctx: () => ServiceContext;
  senders: ChatSenders;
  logger: Logger;
  /** This process's boot id (the owner of the rows it leases). */
  owner: string;
};

const ALERT_CHANNELS: readonly AlertChannel[] = ["telegram", "whatsapp"];

/** Pacing per channel from the configuration (the console has none). */
function limitsFor(ctx: ServiceContext, channel: ChatChannel) {
  const c = ctx.config;
  if (channel === "telegram") {
    return { perSecond: c.TELEGRAM_SENDS_PER_SECOND, perChatPerSecond: c.TELEGRAM_CHAT_SENDS_PER_SECOND };
  }
  if (channel === "whatsapp") {
    return { perSecond: c.WHATSAPP_SENDS_PER_SECOND, perChatPerSecond: c.WHATSAPP_CHAT_SENDS_PER_SECOND };
  }
  return {};
}

export type ChatOutboxRuntime = {
  senders: OutboxSender[];
  /** Send what is due, for at most `timeoutMs` (shutdown); resolves with what is left unsent. */
  flush(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
};

/**
 * Start an outbox sender for every channel this process runs (registered in `senders`), attach it
 * so the adapters' replies go out at once, and queue new admin alerts for the admins' chats on
 * each pass. The senders also pick up what other processes queued (notifications, retries).
 */
export function startChatOutbox(deps: ChatOutboxDeps): ChatOutboxRuntime {
  const ctx = deps.ctx();
  const senders = deps.senders.all().map((transport) => {
    const sender = new OutboxSender({
      ctx: deps.ctx,
      transport,
      owner: deps.owner,
      logger: deps.logger,
      pollMs: ctx.config.NOTIFY_INTERVAL_MS,
      limits: limitsFor(ctx, transport.channel),
      maxBackoffMs: ctx.config.CHAT_RETRY_MAX_SECONDS * 1000,
      maxAgeHours: ctx.config.CHAT_OUTBOX_MAX_AGE_HOURS,
    }).start();
    deps.senders.attachOutbox(transport.channel, sender);
    return sender;
  });
  const alertChannels = senders
    .map((s) => s.channel)
    .filter((c): c is AlertChannel => ALERT_CHANNELS.includes(c as AlertChannel));
  let stopped = false;
  let alertTimer: NodeJS.Timeout | undefined;
  let alertPass: Promise<void> = Promise.resolve();
  const queueAlerts = () => {
    if (stopped) {
      return;
    }
    alertPass = (async () => {
      for (const channel of alertChannels) {
        const queued = await queueAlertsForChannel(deps.ctx(), channel).catch((error) => {
          deps.logger.error({ err: error, channel }, "could not queue admin alerts for the chats");
          return 0;
        });
        if (queued > 0) {
          senders.find((s) => s.channel === channel)?.wake();
        }
      }
    })().finally(() => {
      if (!stopped) {
        alertTimer = setTimeout(queueAlerts, ctx.config.NOTIFY_INTERVAL_MS);
      }
    });
  };
  if (alertChannels.length > 0) {
    alertTimer = setTimeout(queueAlerts, 0);
  }
  return {
    senders,
    async flush(timeoutMs) {
      const left = await Promise.all(senders.map((s) => s.drain(timeoutMs)));
      return left.reduce((a, b) => a + b, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(alertTimer);
      await alertPass;
      await Promise.all(senders.map((s) => s.stop()));
      for (const s of senders) {
        deps.senders.attachOutbox(s.channel, undefined);
      }
    },
  };
}
