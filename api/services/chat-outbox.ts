import { sql } from "kysely";
import type { ChatOutboxOp, ChatOutboxTable } from "../../db/database";
import type { Db, ServiceContext } from "./context";
import { ownerIsGone } from "./processes";

/**
 * The chat outbox (DECISIONS §40): every message a bot sends is a row in `chat_outbox`, written in
 * the transaction of the change that caused it. Senders (bot/outbox/sender.ts, one per channel and
 * process) take the oldest unsent row of each chat, send it, and mark it sent only once the channel
 * accepted it; a refusal is retried with a capped backoff, a permanent one (bot blocked, chat gone)
 * is recorded. This module is the rows; the sending is in bot/.
 */

/** A message as the chat shows it: channel-neutral (the adapters render it). */
export type OutboxReply = {
  text: string;
  choices?: { id: string; label: string }[];
  link?: { label: string; url: string };
  askContact?: string;
  /** Text in `text` people copy (an account number): Telegram marks it as code. */
  copy?: string;
};

export type OutboxWrite = {
  channel: string;
  externalId: string;
  userId?: string | null;
  /** What it is: "reply", a notification kind ("order.delivered"), "alert", "clear_buttons". */
  kind: string;
  op?: ChatOutboxOp;
  reply?: OutboxReply;
  /** Read at send time: `orderId` + `hasToken` appends the electricity token (never stored here, P11). */
  payload?: Record<string, unknown>;
  /**
   * One outcome, one message per chat, whoever writes it (see `chatDedupeKey`). A second write of a
   * key still unsent replaces the text (the chat reply is richer than the notification); one
   * already sending or sent is left alone and nothing is added.
   */
  dedupeKey?: string;
  /** A name to find this message by later (clear_buttons of an old summary). */
  tag?: string;
  /** clear_buttons: the tag whose sent messages lose their buttons; delete: the channel's message id. */
  target?: string;
};

export type OutboxRow = {
  id: number;
  channel: string;
  externalId: string;
  userId: string | null;
  kind: string;
  op: ChatOutboxOp;
  reply: OutboxReply;
  payload: Record<string, unknown>;
  tag: string | null;
  target: string | null;
  attempts: number;
  createdAt: Date;
  /**
   * The person's chat language when the row was claimed for sending (undefined on rows the engine
   * wrote already leased: those replies are written in it). A notification is shown in Pidgin from
   * its payload's values (bot/outbox/notification-text.ts).
   */
  language?: "en" | "pcm" | null;
};

/** The per-chat form of an outcome key: "order.delivered:ord_1" → "order.delivered:ord_1@telegram:42". */
export function chatDedupeKey(outcomeKey: string, channel: string, externalId: string): string {
  return `${outcomeKey}@${channel}:${externalId}`;
}

/** Queue messages (in the caller's transaction, when given one). Returns the ids of rows that will go out. */
export async function enqueueChatMessages(db: Db, rows: OutboxWrite[]): Promise<number[]> {
  if (rows.length === 0) {
    return [];
  }
  const inserted = await db
    .insertInto("chat_outbox")
    .values(rows.map(toInsert))
    .onConflict((oc) =>
      oc
        .column("dedupe_key")
        // The payload too: a notification's values (`notice`) must not re-render over a reply.
        .doUpdateSet({ reply: sql`EXCLUDED.reply`, tag: sql`EXCLUDED.tag`, payload: sql`EXCLUDED.payload` })
        .where("chat_outbox.status", "=", "pending"),
    )
    .returning("id")
    .execute();
  return inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
}

export function toInsert(row: OutboxWrite) {
  return {
    channel: row.channel,
    external_id: row.externalId,
    user_id: row.userId ?? null,
    kind: row.kind,
    op: row.op ?? "send",
    dedupe_key: row.dedupeKey ?? null,
    reply: (row.reply ?? { text: "" }) as Record<string, unknown>,
    payload: row.payload ?? {},
    tag: row.tag ?? null,
    target: row.target ?? null,
  } satisfies Partial<Record<keyof ChatOutboxTable, unknown>>;
}

type RawRow = {
  id: number | string;
  channel: string;
  external_id: string;
  user_id: string | null;
  kind: string;
  op: ChatOutboxOp;
  reply: unknown;
  payload: unknown;
  tag: string | null;
  target: string | null;
  attempts: number;
  created_at: Date;
  language?: "en" | "pcm" | null;
};

function fromRaw(r: RawRow): OutboxRow {
  return {
    id: Number(r.id),
    channel: r.channel,
    externalId: r.external_id,
    userId: r.user_id,
    kind: r.kind,
    op: r.op,
    reply: (r.reply ?? { text: "" }) as OutboxReply,
    payload: (r.payload ?? {}) as Record<string, unknown>,
    tag: r.tag,
    target: r.target,
    attempts: r.attempts,
    createdAt: r.created_at,
    ...(r.language !== undefined ? { language: r.language } : {}),
  };
}

/** A row as `json_agg` gives it back (the engine's saveAndQueue returns its leased rows so). */
export function outboxRowFromJson(r: RawRow & { created_at: Date | string }): OutboxRow {
  return fromRaw({ ...r, created_at: new Date(r.created_at) });
}

export type { RawRow as OutboxRowJson };

const RETURNING = sql`id, channel, external_id, user_id, kind, op, reply, payload, tag, target, attempts, created_at,
  (SELECT u.language FROM users u WHERE u.id = user_id) AS language`;

/**
 * Take the due head of each chat's queue for `channel` (one row per chat: a chat's messages go out
 * in order, and a head waiting for its retry holds the ones behind it). Rows another sender holds
 * are skipped, so any number of senders can run at once.
 */
export async function claimChatHeads(
  ctx: ServiceContext,
  args: { channel: string; owner: string; limit: number; leaseSeconds: number; externalIds?: string[] },
): Promise<OutboxRow[]> {
  const only = args.externalIds ? sql`AND o.external_id = ANY(${args.externalIds}::text[])` : sql``;
  const result = await sql<RawRow>`
    UPDATE chat_outbox SET status = 'sending', lease_owner = ${args.owner},
           lease_until = now() + make_interval(secs => ${args.leaseSeconds}), attempts = attempts + 1
     WHERE id IN (
       SELECT o.id FROM chat_outbox o
        WHERE o.channel = ${args.channel} AND o.status = 'pending' AND o.next_attempt_at <= now() ${only}
          AND NOT EXISTS (SELECT 1 FROM chat_outbox p
                           WHERE p.channel = o.channel AND p.external_id = o.external_id
                             AND p.status IN ('pending', 'sending') AND p.id < o.id)
        ORDER BY o.id LIMIT ${args.limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING ${RETURNING}`.execute(ctx.db);
  return result.rows.map(fromRaw).sort((a, b) => a.id - b.id);
}

/**
 * The synchronous reply path: take these rows now (the engine just wrote them) if nothing older of
 * their chat is still unsent; otherwise they wait for the sender's loop, behind the older ones.
 */
export async function claimChatRows(
  ctx: ServiceContext,
  args: { ids: number[]; owner: string; leaseSeconds: number },
): Promise<OutboxRow[]> {
  if (args.ids.length === 0) {
    return [];
  }
  const result = await sql<RawRow>`
    UPDATE chat_outbox o SET status = 'sending', lease_owner = ${args.owner},
           lease_until = now() + make_interval(secs => ${args.leaseSeconds}), attempts = attempts + 1
     WHERE o.id = ANY(${args.ids}::bigint[]) AND o.status = 'pending'
       AND NOT EXISTS (SELECT 1 FROM chat_outbox p
                        WHERE p.channel = o.channel AND p.external_id = o.external_id
                          AND p.status IN ('pending', 'sending') AND p.id < o.id
                          AND NOT (p.id = ANY(${args.ids}::bigint[])))
    RETURNING ${RETURNING}`.execute(ctx.db);
  const claimed = result.rows.map(fromRaw).sort((a, b) => a.id - b.id);
  if (claimed.length === args.ids.length) {
    return claimed;
  }
  return releaseRowsBehindOthers(ctx, args, claimed);
}

/**
 * Some of the rows asked for were not claimed: another sender holds them (or they went meanwhile).
 * A claimed row of the same chat behind such a row, still unsent, must not overtake it: the check
 * above let it through because its predecessor was in the same request. Those rows go back to
 * `pending`, for the loop to send in turn (seen with two processes racing one chat's #1 and #2).
 */
async function releaseRowsBehindOthers(
  ctx: ServiceContext,
  args: { ids: number[]; owner: string },
  claimed: OutboxRow[],
): Promise<OutboxRow[]> {
  const mine = new Set(claimed.map((r) => r.id));
  const others = await ctx.db
    .selectFrom("chat_outbox")
    .select(["id", "channel", "external_id"])
    .where("id", "=", sql<number>`any(${args.ids.filter((id) => !mine.has(id))}::bigint[])`)
    .where("status", "in", ["pending", "sending"])
    .execute();
  const release = claimed.filter((row) =>
    others.some(
      (o) => o.channel === row.channel && o.external_id === row.externalId && Number(o.id) < row.id,
    ),
  );
  if (release.length === 0) {
    return claimed;
  }
  await ctx.db
    .updateTable("chat_outbox")
    .set({ status: "pending", lease_owner: null, lease_until: null, attempts: sql`attempts - 1` })
    .where("id", "=", sql<number>`any(${release.map((r) => r.id)}::bigint[])`)
    .where("status", "=", "sending")
    .where("lease_owner", "=", args.owner)
    .execute();
  const released = new Set(release.map((r) => r.id));
  return claimed.filter((row) => !released.has(row.id));
}

/** Rows the engine wrote already leased to `owner` (the synchronous reply path): read them back. */
export async function leasedChatRows(
  ctx: ServiceContext,
  args: { ids: number[]; owner: string },
): Promise<OutboxRow[]> {
  if (args.ids.length === 0) {
    return [];
  }
  const result = await sql<RawRow>`
    SELECT ${RETURNING} FROM chat_outbox o
     WHERE o.id = ANY(${args.ids}::bigint[]) AND o.status = 'sending' AND o.lease_owner = ${args.owner}
     ORDER BY o.id`.execute(ctx.db);
  return result.rows.map(fromRaw);
}

/** The channel accepted these rows (one statement for a batch). Only rows still leased to `owner` move. */
export async function markChatRowsSent(
  ctx: ServiceContext,
  owner: string,
  sent: { id: number; channelMessageId?: string }[],
): Promise<void> {
  if (sent.length === 0) {
    return;
  }
  await sql`
    UPDATE chat_outbox o SET status = 'sent', sent_at = now(), lease_owner = NULL, lease_until = NULL,
           channel_message_id = s.mid, last_error = NULL
      FROM unnest(${sent.map((s) => s.id)}::bigint[], ${sent.map((s) => s.channelMessageId ?? null)}::text[]) AS s(id, mid)
     WHERE o.id = s.id AND o.status = 'sending' AND o.lease_owner = ${owner}`.execute(ctx.db);
}

/**
 * Keep the leases of rows a live sender still holds (queued behind its pace, or in a slow send):
 * a lease that ran out would let another pass send the row again. One statement for all of them.
 */
export async function renewChatLeases(
  ctx: ServiceContext,
  args: { owner: string; ids: number[]; leaseSeconds: number },
): Promise<void> {
  if (args.ids.length === 0) {
    return;
  }
  await ctx.db
    .updateTable("chat_outbox")
    .set({ lease_until: sql<Date>`now() + make_interval(secs => ${args.leaseSeconds})` })
    .where("id", "in", args.ids)
    .where("status", "=", "sending")
    .where("lease_owner", "=", args.owner)
    .execute();
}

/** Not accepted this time: back to pending, due again after `delayMs`. */
export async function markChatRowRetry(
  ctx: ServiceContext,
  args: { id: number; owner: string; delayMs: number; error: string; countAttempt: boolean },
): Promise<void> {
  await ctx.db
    .updateTable("chat_outbox")
    .set((eb) => ({
      status: "pending",
      lease_owner: null,
      lease_until: null,
      last_error: args.error.slice(0, 500),
      next_attempt_at: sql`now() + make_interval(secs => ${args.delayMs / 1000})`,
      // A flood wait is not the message's fault: it does not grow the backoff.
      attempts: args.countAttempt ? eb.ref("attempts") : eb("attempts", "-", 1),
    }))
    .where("id", "=", args.id)
    .where("status", "=", "sending")
    .where("lease_owner", "=", args.owner)
    .execute();
}

/** The channel will never take it (blocked, chat gone, a request it refuses as malformed): recorded, not retried. */
export async function markChatRowFailed(
  ctx: ServiceContext,
  args: { id: number; owner: string; error: string },
): Promise<void> {
  await ctx.db
    .updateTable("chat_outbox")
    .set({ status: "failed", lease_owner: null, lease_until: null, last_error: args.error.slice(0, 500) })
    .where("id", "=", args.id)
    .where("status", "=", "sending")
    .where("lease_owner", "=", args.owner)
    .execute();
}

/**
 * Housekeeping a sender runs now and then: a row whose sender died mid-send (its boot is gone, or
 * the lease ran out) goes back to pending and is sent again — at least once: the channel may have
 * taken it just before the crash, a window of milliseconds, and a repeat beats a lost outcome. Rows
 * unsent after `maxAgeHours` (a channel down for a day) are failed as expired: old news misleads.
 */
export async function repairChatOutbox(
  ctx: ServiceContext,
  args: { channel: string; maxAgeHours: number; owner?: string },
): Promise<{ released: number; expired: number }> {
  const released = await ctx.db
    .updateTable("chat_outbox")
    .set({ status: "pending", lease_owner: null, lease_until: null })
    .where("channel", "=", args.channel)
    .where("status", "=", "sending")
    // Never the caller's own rows: it is alive (it is asking), and still working on them.
    .where("lease_owner", "is distinct from", args.owner ?? null)
    .where((eb) => eb.or([eb("lease_until", "<", sql<Date>`now()`), ownerIsGone(ctx, eb.ref("lease_owner"))]))
    .executeTakeFirst();
  const expired = await ctx.db
    .updateTable("chat_outbox")
    .set({ status: "failed", last_error: "expired: not accepted by the channel in time" })
    .where("channel", "=", args.channel)
    .where("status", "=", "pending")
    .where("created_at", "<", sql<Date>`now() - make_interval(hours => ${args.maxAgeHours})`)
    .executeTakeFirst();
  return { released: Number(released.numUpdatedRows), expired: Number(expired.numUpdatedRows) };
}

/** The channel's message ids of the sent messages of a chat with this tag (to clear their buttons). */
export async function sentMessageIdsByTag(
  ctx: ServiceContext,
  args: { channel: string; externalId: string; tag: string },
): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom("chat_outbox")
    .select("channel_message_id")
    .where("channel", "=", args.channel)
    .where("external_id", "=", args.externalId)
    .where("tag", "=", args.tag)
    .where("status", "=", "sent")
    .where("channel_message_id", "is not", null)
    .execute();
  return rows.flatMap((r) => (r.channel_message_id ? [r.channel_message_id] : []));
}

/** For /metrics: unsent rows and the age of the oldest, per channel. */
export async function chatOutboxDepth(
  ctx: ServiceContext,
): Promise<{ channel: string; unsent: number; oldestSeconds: number }[]> {
  const result = await sql<{ channel: string; unsent: string; oldest: number | null }>`
    SELECT channel, count(*) AS unsent, extract(epoch FROM now() - min(created_at))::float8 AS oldest
      FROM chat_outbox WHERE status IN ('pending', 'sending') GROUP BY channel`.execute(ctx.db);
  return result.rows.map((r) => ({
    channel: r.channel,
    unsent: Number(r.unsent),
    oldestSeconds: Math.max(0, r.oldest ?? 0),
  }));
}
