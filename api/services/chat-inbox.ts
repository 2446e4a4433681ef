import { sql } from "kysely";
import type { ServiceContext } from "./context";
import { ownerIsGone } from "./processes";

/**
 * The chat inbox (DECISIONS §40, "acknowledgement"): an inbound update counts as received only once
 * it is a row in `chat_updates`; only then is it acknowledged to the channel (the next getUpdates
 * offset, the webhook's 200). An update whose receiving process died before handling it is handled
 * by whoever sees it next (`claimUnhandledUpdates`). The engine's own message-id record (W8) keeps
 * a handled message from being handled twice.
 */

export type InboundUpdate = {
  /** Unique per channel (Telegram: the update_id). */
  key: string;
  /** The chat, for per-chat order. */
  externalId: string;
  /** The update as the adapter needs it again after a crash; a PIN-shaped text already redacted. */
  payload: Record<string, unknown>;
};

/** Record a batch (one statement); returns the keys that are new (a redelivered update is not). */
export async function recordUpdates(
  ctx: ServiceContext,
  args: { channel: string; owner: string | undefined; updates: InboundUpdate[] },
): Promise<Set<string>> {
  if (args.updates.length === 0) {
    return new Set();
  }
  const rows = await ctx.db
    .insertInto("chat_updates")
    .values(
      args.updates.map((u) => ({
        channel: args.channel,
        update_key: u.key,
        external_id: u.externalId,
        payload: u.payload,
        received_by: args.owner ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(["channel", "update_key"]).doNothing())
    .returning("update_key")
    .execute();
  return new Set(rows.map((r) => r.update_key));
}

/** Handled (the engine answered, or the update needs no answer): one statement for a batch. */
export async function markUpdatesHandled(
  ctx: ServiceContext,
  channel: string,
  keys: string[],
): Promise<void> {
  if (keys.length === 0) {
    return;
  }
  await ctx.db
    .updateTable("chat_updates")
    .set({ handled_at: sql`now()` })
    .where("channel", "=", channel)
    // One array parameter, not an IN list: one statement text (prepared once) whatever the count.
    .where("update_key", "=", sql<string>`any(${keys}::text[])`)
    .where("handled_at", "is", null)
    .execute();
}

/** Tries before an update that keeps failing is set aside (logged) rather than retried forever. */
const MAX_HANDLING_ATTEMPTS = 5;

/**
 * Take over updates that were recorded but never handled: their receiver is gone (stopped, killed,
 * restarted), or has sat on them for `staleSeconds`. Oldest first; at most `limit`.
 */
export async function claimUnhandledUpdates(
  ctx: ServiceContext,
  args: { channel: string; owner: string | undefined; staleSeconds: number; limit: number },
): Promise<{ key: string; externalId: string; payload: Record<string, unknown> }[]> {
  const given = await ctx.db
    .updateTable("chat_updates")
    .set({ handled_at: sql`now()` })
    .where("channel", "=", args.channel)
    .where("handled_at", "is", null)
    .where("attempts", ">=", MAX_HANDLING_ATTEMPTS)
    .returning("update_key")
    .execute();
  if (given.length > 0) {
    ctx.logger.error(
      { channel: args.channel, updates: given.map((g) => g.update_key) },
      "chat updates failed too often and were set aside",
    );
  }
  const { rows } = await sql<{
    update_key: string;
    external_id: string;
    payload: Record<string, unknown>;
    was: Date;
  }>`
    UPDATE chat_updates c
       SET received_by = ${args.owner ?? null}, received_at = now(), attempts = c.attempts + 1
      FROM (
        SELECT u.channel, u.update_key, u.received_at AS was FROM chat_updates u
         WHERE u.channel = ${args.channel} AND u.handled_at IS NULL
           AND (u.received_by IS NULL
                OR u.received_at < now() - make_interval(secs => ${args.staleSeconds})
                OR ${ownerIsGone(ctx, sql.ref<string | null>("u.received_by"))})
         ORDER BY u.received_at
         LIMIT ${args.limit}
         FOR UPDATE SKIP LOCKED
      ) due
     WHERE c.channel = due.channel AND c.update_key = due.update_key
    RETURNING c.update_key, c.external_id, c.payload, due.was`.execute(ctx.db);
  // In the order they first arrived (RETURNING has none): a chat's updates are handled in turn.
  rows.sort(
    (a, b) =>
      a.was.getTime() - b.was.getTime() || a.update_key.localeCompare(b.update_key, "en", { numeric: true }),
  );
  return rows.map((r) => ({ key: r.update_key, externalId: r.external_id, payload: r.payload }));
}

/** Whether the engine already handled this input (its message id is recorded as handled, W8). */
export async function isInputHandled(
  ctx: ServiceContext,
  channel: string,
  messageId: string,
): Promise<boolean> {
  const row = await ctx.db
    .selectFrom("chat_inputs")
    .select("handled_at")
    .where("channel", "=", channel)
    .where("message_id", "=", messageId)
    .executeTakeFirst();
  return Boolean(row?.handled_at);
}
