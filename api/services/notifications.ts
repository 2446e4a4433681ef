import type { Trx } from "./context";

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
