import { sql } from "kysely";
import type { Trx } from "./context";
import { type ServiceContext, withTransaction } from "./context";

export type NotificationInput = {
  userId: string;
  kind: string;
  /** The message as the user will read it in chat. */
  body: string;
  payload?: Record<string, unknown>;
};

/**
 * Queue a message for the user's chat channel in the caller's transaction (an outbox: it exists
 * exactly when the thing it announces does). The bots drain it.
 */
export async function queueNotification(trx: Trx, input: NotificationInput): Promise<void> {
  await trx
    .insertInto("notifications")
    .values({ user_id: input.userId, kind: input.kind, body: input.body, payload: input.payload ?? {} })
    .execute();
}

/** The channels a notification can be delivered to (chat identities). */
export const CHAT_CHANNELS = ["telegram", "whatsapp", "console"] as const;
export type ChatChannelName = (typeof CHAT_CHANNELS)[number];

/**
 * Fan new notifications out to one delivery row per chat the user has (telegram, whatsapp,
 * console). A user with no chat (API only) gets none: the notification is 'undeliverable'.
 * Safe to run anywhere, any number of times at once (SKIP LOCKED, ON CONFLICT DO NOTHING).
 */
export async function dispatchNotifications(ctx: ServiceContext, limit = 200): Promise<number> {
  return withTransaction(ctx, async (trx) => {
    const pending = await trx
      .selectFrom("notifications")
      .select(["id", "user_id"])
      .where("status", "=", "pending")
      .orderBy("id")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (pending.length === 0) {
      return 0;
    }
    const identities = await trx
      .selectFrom("identities")
      .select(["user_id", "channel", "external_id"])
      .where(
        "user_id",
        "in",
        pending.map((n) => n.user_id),
      )
      .where("channel", "in", [...CHAT_CHANNELS])
      .execute();
    const rows = pending.flatMap((n) =>
      identities
        .filter((i) => i.user_id === n.user_id)
        .map((i) => ({ notification_id: n.id, channel: i.channel, external_id: i.external_id })),
    );
    if (rows.length > 0) {
      await trx
        .insertInto("notification_deliveries")
        .values(rows)
        .onConflict((oc) => oc.columns(["notification_id", "channel", "external_id"]).doNothing())
        .execute();
    }
    const reached = new Set(rows.map((r) => r.notification_id));
    const dispatched = pending.filter((n) => reached.has(n.id)).map((n) => n.id);
    const undeliverable = pending.filter((n) => !reached.has(n.id)).map((n) => n.id);
    if (dispatched.length > 0) {
      await trx
        .updateTable("notifications")
        .set({ status: "dispatched" })
        .where("id", "in", dispatched)
        .execute();
    }
    if (undeliverable.length > 0) {
      await trx
        .updateTable("notifications")
        .set({ status: "undeliverable" })
        .where("id", "in", undeliverable)
        .execute();
    }
    return pending.length;
  });
}

export type ClaimedDelivery = {
  id: number;
  notificationId: number;
  userId: string;
  channel: string;
  externalId: string;
  kind: string;
  body: string;
  payload: Record<string, unknown>;
  attempts: number;
};

/**
 * Take up to `limit` due deliveries for a channel (only to `externalIds` when given: the console
 * reaches just the person typing) under a lease. Before claiming, any
 * 'sending' row whose lease ran out is settled as 'unknown' (its process died mid-send; sending
 * again could deliver twice).
 */
export async function claimDeliveries(
  ctx: ServiceContext,
  args: { channel: string; externalIds?: string[]; limit: number; leaseSeconds: number },
): Promise<ClaimedDelivery[]> {
  const now = ctx.now();
  await ctx.db
    .updateTable("notification_deliveries")
    .set({ status: "unknown", last_error: "the sender stopped mid-send; not sent again" })
    .where("status", "=", "sending")
    .where("lease_until", "<", now)
    .execute();
  const leaseUntil = new Date(now.getTime() + args.leaseSeconds * 1000);
  const claimed = await ctx.db
    .updateTable("notification_deliveries")
    .set((eb) => ({ status: "sending", lease_until: leaseUntil, attempts: eb("attempts", "+", 1) }))
    .where(
      "id",
      "in",
      ctx.db
        .selectFrom("notification_deliveries")
        .select("id")
        .where("status", "=", "pending")
        .where("channel", "=", args.channel)
        .$if(args.externalIds !== undefined, (qb) => qb.where("external_id", "in", args.externalIds ?? []))
        .where("next_attempt_at", "<=", now)
        .orderBy("id")
        .limit(args.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(["id", "notification_id", "channel", "external_id", "attempts"])
    .execute();
  if (claimed.length === 0) {
    return [];
  }
  const notes = await ctx.db
    .selectFrom("notifications")
    .select(["id", "user_id", "kind", "body", "payload"])
    .where(
      "id",
      "in",
      claimed.map((c) => c.notification_id),
    )
    .execute();
  const byId = new Map(notes.map((n) => [n.id, n]));
  return claimed
    .sort((a, b) => a.id - b.id)
    .flatMap((c) => {
      const note = byId.get(c.notification_id);
      return note
        ? [
            {
              id: c.id,
              notificationId: c.notification_id,
              userId: note.user_id,
              channel: c.channel,
              externalId: c.external_id,
              kind: note.kind,
              body: note.body,
              payload: (note.payload ?? {}) as Record<string, unknown>,
              attempts: c.attempts,
            },
          ]
        : [];
    });
}

/** The chat accepted the message. Only a row still under our lease moves (never twice). */
export async function markDeliverySent(ctx: ServiceContext, id: number): Promise<void> {
  await ctx.db
    .updateTable("notification_deliveries")
    .set({ status: "sent", sent_at: ctx.now(), lease_until: null })
    .where("id", "=", id)
    .where("status", "=", "sending")
    .execute();
}

/**
 * The chat refused the message. A definite refusal can be retried with backoff until
 * `maxAttempts`; a permanent one (the person blocked the bot) stops at once.
 */
export async function markDeliveryFailed(
  ctx: ServiceContext,
  args: {
    id: number;
    attempts: number;
    error: string;
    permanent: boolean;
    maxAttempts: number;
    backoffSeconds: number;
  },
): Promise<"retry" | "failed"> {
  const giveUp = args.permanent || args.attempts >= args.maxAttempts;
  const delayMs = args.backoffSeconds * 1000 * 2 ** Math.max(0, args.attempts - 1);
  await ctx.db
    .updateTable("notification_deliveries")
    .set({
      status: giveUp ? "failed" : "pending",
      last_error: args.error.slice(0, 500),
      lease_until: null,
      next_attempt_at: new Date(ctx.now().getTime() + delayMs),
    })
    .where("id", "=", args.id)
    .where("status", "=", "sending")
    .execute();
  return giveUp ? "failed" : "retry";
}

/**
 * The chat reply to a purchase already told this chat the order's outcome: its notification of that
 * same outcome is not sent there again (other chats of the person still get it). If the job has
 * already claimed it, it goes out anyway: one repeated line is better than a held-back message.
 */
export async function markOutcomeShown(
  ctx: ServiceContext,
  args: {
    userId: string;
    orderId: string;
    kind: "order.delivered" | "order.failed";
    channel: string;
    externalId: string;
  },
): Promise<void> {
  await sql`
    INSERT INTO notification_deliveries (notification_id, channel, external_id, status, sent_at, last_error)
    SELECT n.id, ${args.channel}, ${args.externalId}, 'sent', now(), 'shown in the chat reply'
      FROM notifications n
     WHERE n.user_id = ${args.userId} AND n.kind = ${args.kind} AND n.payload->>'orderId' = ${args.orderId}
    ON CONFLICT (notification_id, channel, external_id) DO UPDATE
       SET status = 'sent', sent_at = now(), last_error = EXCLUDED.last_error
     WHERE notification_deliveries.status = 'pending'`.execute(ctx.db);
}

/**
 * Like markOutcomeShown for a gift room closed from the chat: the reply already says how much came
 * back, so this chat does not get the same news again as a notification.
 */
export async function markRoomClosedShown(
  ctx: ServiceContext,
  args: { userId: string; roomId: string; channel: string; externalId: string },
): Promise<void> {
  await sql`
    INSERT INTO notification_deliveries (notification_id, channel, external_id, status, sent_at, last_error)
    SELECT n.id, ${args.channel}, ${args.externalId}, 'sent', now(), 'shown in the chat reply'
      FROM notifications n
     WHERE n.user_id = ${args.userId} AND n.kind = 'gift.room_closed' AND n.payload->>'giftRoomId' = ${args.roomId}
    ON CONFLICT (notification_id, channel, external_id) DO UPDATE
       SET status = 'sent', sent_at = now(), last_error = EXCLUDED.last_error
     WHERE notification_deliveries.status = 'pending'`.execute(ctx.db);
}
