import { sql } from "kysely";
import { chatDedupeKey } from "./chat-outbox";
import type { Trx } from "./context";

export type NotificationInput = {
  userId: string;
  kind: string;
  /** The message as the user will read it in chat. */
  body: string;
  payload?: Record<string, unknown>;
};

/** The channels a notification can be delivered to (chat identities). */
export const CHAT_CHANNELS = ["telegram", "whatsapp", "console"] as const;
export type ChatChannelName = (typeof CHAT_CHANNELS)[number];

/**
 * The outcome a notification announces, when a chat reply can announce the same one: an order's
 * delivery, failure or reversal, a gift room's close. The reply and the notification then share one
 * outbox key per chat, so the person reads it once, whoever writes it first (DECISIONS §40).
 */
export function outcomeKey(kind: string, payload: Record<string, unknown> = {}): string | undefined {
  if (kind.startsWith("order.") && kind !== "order.receipt" && typeof payload.orderId === "string") {
    return `${kind}:${payload.orderId}`;
  }
  if (kind === "gift.room_closed" && typeof payload.giftRoomId === "string") {
    return `${kind}:${payload.giftRoomId}`;
  }
  return undefined;
}

/**
 * Queue a message for every chat the user has, in the caller's transaction (an outbox: it exists
 * exactly when the thing it announces does). One statement, `chat_notify` (db migration
 * 2026_12_06_1500, also called by the database's own order steps): the notification row (kept as
 * the record; 'undeliverable' for an API-only customer) and one `chat_outbox` row per chat identity.
 * A chat that was already told the same outcome by a reply gets nothing more.
 */
export async function queueNotification(trx: Trx, input: NotificationInput): Promise<void> {
  const args = notificationArgs(input);
  await sql`SELECT chat_notify(${input.userId}, ${input.kind}, ${input.body}, ${args.payload}::jsonb,
                               ${args.outcome}::text, ${args.channels}::text[])`.execute(trx);
}

/** chat_notify's arguments besides the user, kind and body: the payload, the outcome key, the channels. */
export function notificationArgs(input: Pick<NotificationInput, "kind" | "payload">): {
  payload: string;
  outcome: string | null;
  channels: string[];
} {
  const payload = input.payload ?? {};
  return {
    payload: JSON.stringify(payload),
    outcome: outcomeKey(input.kind, payload) ?? null,
    channels: [...CHAT_CHANNELS],
  };
}

/** The outbox key a chat reply uses for an outcome it announces (same as the notification's). */
export function replyDedupeKey(
  kind: string,
  payload: Record<string, unknown>,
  chat: { channel: string; externalId: string },
): string | undefined {
  const key = outcomeKey(kind, payload);
  return key ? chatDedupeKey(key, chat.channel, chat.externalId) : undefined;
}
