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
 * exactly when the thing it announces does). One statement: the notification row (kept as the
 * record; 'undeliverable' for an API-only customer) and one `chat_outbox` row per chat identity.
 * A chat that was already told the same outcome by a reply gets nothing more.
 */
export async function queueNotification(trx: Trx, input: NotificationInput): Promise<void> {
  const payload = input.payload ?? {};
  const outcome = outcomeKey(input.kind, payload) ?? null;
  const channels = sql.join([...CHAT_CHANNELS]);
  await sql`
    WITH chats AS (
      SELECT channel, external_id FROM identities WHERE user_id = ${input.userId} AND channel IN (${channels})
    ), n AS (
      INSERT INTO notifications (user_id, kind, body, payload, status)
      VALUES (${input.userId}, ${input.kind}, ${input.body}, ${JSON.stringify(payload)}::jsonb,
              CASE WHEN EXISTS (SELECT 1 FROM chats) THEN 'dispatched' ELSE 'undeliverable' END)
      RETURNING id
    )
    INSERT INTO chat_outbox (channel, external_id, user_id, kind, dedupe_key, reply, payload)
    SELECT c.channel, c.external_id, ${input.userId}, ${input.kind},
           coalesce(${outcome}::text, 'n:' || n.id) || '@' || c.channel || ':' || c.external_id,
           jsonb_build_object('text', ${input.body}::text), ${JSON.stringify(payload)}::jsonb
      FROM n, chats c
    ON CONFLICT (dedupe_key) DO NOTHING`.execute(trx);
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
