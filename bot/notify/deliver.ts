import type { Logger } from "../../api/logger";
import type { ServiceContext } from "../../api/services/context";
import {
  type ClaimedDelivery,
  claimDeliveries,
  dispatchNotifications,
  markDeliveryFailed,
  markDeliverySent,
} from "../../api/services/notifications";
import { getOrder } from "../../api/services/vtu";
import type { ChatChannel } from "../engine/types";
import { type ChatSenders, PermanentSendError } from "../outbound";
import { deliverAdminAlerts } from "./admin-alerts";

export type DeliveryDeps = {
  ctx: () => ServiceContext;
  senders: ChatSenders;
  logger: Logger;
};

/** Long enough for a slow Bot API call with its own flood-wait retries. */
const LEASE_SECONDS = 120;
const BATCH = 50;

/**
 * One pass of the notification job: fan new notifications out to the user's chats, then send the
 * due ones for the channels this process runs. Each chat gets its messages in order; chats are
 * served side by side. A refused message is retried with backoff; a sent one is never sent again.
 */
export async function deliverDueNotifications(
  deps: DeliveryDeps,
): Promise<{ sent: number; retried: number; failed: number }> {
  const ctx = deps.ctx();
  await dispatchNotifications(ctx);
  const claimed: ClaimedDelivery[] = [];
  for (const sender of deps.senders.all()) {
    claimed.push(
      ...(await claimDeliveries(ctx, {
        channel: sender.channel,
        externalIds: sender.reaches,
        limit: BATCH,
        leaseSeconds: LEASE_SECONDS,
      })),
    );
  }
  const byChat = new Map<string, ClaimedDelivery[]>();
  for (const d of claimed) {
    const key = `${d.channel}:${d.externalId}`;
    byChat.set(key, [...(byChat.get(key) ?? []), d]);
  }
  const counts = { sent: 0, retried: 0, failed: 0 };
  await Promise.all(
    [...byChat.values()].map(async (queue) => {
      for (const delivery of queue) {
        counts[await deliverOne(deps, ctx, delivery)]++;
      }
    }),
  );
  return counts;
}

async function deliverOne(
  deps: DeliveryDeps,
  ctx: ServiceContext,
  d: ClaimedDelivery,
): Promise<"sent" | "retried" | "failed"> {
  const sender = deps.senders.get(d.channel as ChatChannel);
  try {
    if (!sender) {
      throw new Error(`no sender for ${d.channel} in this process`);
    }
    await sender.send(d.externalId, [{ text: await render(ctx, d) }]);
    await markDeliverySent(ctx, d.id);
    return "sent";
  } catch (error) {
    const outcome = await markDeliveryFailed(ctx, {
      id: d.id,
      attempts: d.attempts,
      error: error instanceof Error ? error.message : String(error),
      permanent: error instanceof PermanentSendError,
      maxAttempts: ctx.config.NOTIFY_MAX_ATTEMPTS,
      backoffSeconds: ctx.config.NOTIFY_RETRY_SECONDS,
    });
    deps.logger.warn(
      { err: error, deliveryId: d.id, channel: d.channel, kind: d.kind, outcome },
      "notification not delivered",
    );
    return outcome === "failed" ? "failed" : "retried";
  }
}

/**
 * The text the person reads. A token (electricity) is never stored in the outbox (P11): it is read
 * from the order, decrypted for its owner, at the moment of sending.
 */
async function render(ctx: ServiceContext, d: ClaimedDelivery): Promise<string> {
  const orderId = d.payload.orderId;
  if (d.payload.hasToken !== true || typeof orderId !== "string") {
    return d.body;
  }
  const order = await getOrder({ ctx, userId: d.userId, orderId });
  return order.token ? `${d.body}\nToken: ${order.token}` : d.body;
}

/**
 * Run the notification job (and the admin alerts for this process's channels) every `everyMs` until
 * stopped; a failing pass is logged and retried.
 */
export function startNotificationDelivery(deps: DeliveryDeps & { everyMs: number }): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) {
      return;
    }
    // Two independent passes: a failing one does not keep the other from running.
    running = Promise.all([
      deliverDueNotifications(deps).catch((error) =>
        deps.logger.error({ err: error }, "notification pass failed"),
      ),
      deliverAdminAlerts(deps).catch((error) => deps.logger.error({ err: error }, "admin alert pass failed")),
    ]).finally(() => {
      if (!stopped) {
        timer = setTimeout(tick, deps.everyMs);
      }
    });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
