import { sql } from "kysely";
import { type OutboxRow, type OutboxRowJson, type OutboxWrite, outboxRowFromJson } from "./chat-outbox";
import type { ServiceContext } from "./context";
import { ownerIsGone } from "./processes";

/**
 * Where each chat is (the chat engine's state, bot/engine) and which of its inputs were handled:
 * the engine's SQL lives here, like every other service's (transports never write SQL).
 */

/** What identifies one input of one chat (the engine's ChatInput has these and more). */
export type ChatInput = { channel: string; userRef: string; messageId: string };

/** A chat's place in a flow (the engine's FlowState). */
export type FlowState = { flow: string; step: string; data: Record<string, unknown> };

/** A flow untouched for this long starts over (a half-finished purchase from yesterday is stale). */
export const FLOW_TTL_MINUTES = 30;

/** An input claimed this long ago and still not handled is taken over (its handler is stuck or gone). */
const CLAIM_TAKEOVER_SECONDS = 60;

/** How long an outbox row written for the synchronous reply path stays leased to its sender. */
export const REPLY_LEASE_SECONDS = 30;

export type Session = {
  flow: FlowState | undefined;
  version: number;
  exists: boolean;
  /** When this chat last took a PIN. */
  pinTakenAt: Date | null;
};

export type Loaded = {
  /** False: this message id was handled before (W8), or is being handled right now elsewhere. */
  claimed: boolean;
  session: Session;
  /** The person behind this chat, when they exist already. */
  userId: string | undefined;
};

type SessionRow = {
  flow: string | null;
  step: string | null;
  data: Record<string, unknown> | null;
  version: number | null;
  expires_at: Date | null;
  pin_taken_at: Date | null;
  session_exists: boolean;
};

function toSession(ctx: ServiceContext, row: SessionRow | undefined): Session {
  if (!row?.session_exists) {
    return { flow: undefined, version: 0, exists: false, pinTakenAt: null };
  }
  const live = row.flow && row.step && (!row.expires_at || row.expires_at > ctx.now());
  return {
    flow: live ? { flow: row.flow as string, step: row.step as string, data: row.data ?? {} } : undefined,
    version: row.version ?? 0,
    exists: true,
    pinTakenAt: row.pin_taken_at,
  };
}

const SESSION_COLUMNS = sql`s.flow, s.step, s.data, s.version, s.expires_at, s.pin_taken_at,
  (s.channel IS NOT NULL) AS session_exists`;

/**
 * One round trip for everything an input needs first: record its message id (W8: a redelivered
 * message is not handled twice; a claim whose handler died, or that is older than a minute, is
 * taken over so the message is still answered), the chat's session and the person behind it.
 */
export async function claimAndLoad(ctx: ServiceContext, input: ChatInput, owner?: string): Promise<Loaded> {
  const result = await sql<SessionRow & { claimed: number; user_id: string | null }>`
    WITH c AS (
      INSERT INTO chat_inputs AS ci (channel, message_id, claimed_by)
      VALUES (${input.channel}, ${input.messageId}, ${owner ?? null})
      ON CONFLICT (channel, message_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, received_at = now()
       WHERE ci.handled_at IS NULL
         AND (ci.received_at < now() - make_interval(secs => ${CLAIM_TAKEOVER_SECONDS})
              OR ${ownerIsGone(ctx, sql.ref("ci.claimed_by"))})
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM c)::int AS claimed, ${SESSION_COLUMNS}, i.user_id
      FROM (SELECT 1) AS one
      LEFT JOIN chat_sessions s ON s.channel = ${input.channel} AND s.external_id = ${input.userRef}
      LEFT JOIN identities i ON i.channel = ${input.channel} AND i.external_id = ${input.userRef}`.execute(
    ctx.db,
  );
  const row = result.rows[0];
  return {
    claimed: (row?.claimed ?? 0) > 0,
    session: toSession(ctx, row),
    userId: row?.user_id ?? undefined,
  };
}

export async function loadSession(ctx: ServiceContext, input: ChatInput): Promise<Session> {
  const result = await sql<SessionRow>`
    SELECT ${SESSION_COLUMNS} FROM chat_sessions s
     WHERE s.channel = ${input.channel} AND s.external_id = ${input.userRef}`.execute(ctx.db);
  return toSession(ctx, result.rows[0]);
}

/**
 * Save where the chat is, mark the input handled and queue its messages, in one statement (one
 * round trip, atomic: the replies exist exactly when the step that made them was saved). Returns
 * saved = false when someone else saved in between (two updates of one chat handled at once by two
 * processes): the caller runs the input again on the fresh state, which is safe because every
 * purchase's idempotency key comes from the chat's message ids.
 *
 * With `sendingBy`, rows of a chat with nothing older unsent are written already leased to that
 * sender (the adapter sends them at once: no claim round trip); otherwise they wait in line.
 */
export async function saveAndQueue(
  ctx: ServiceContext,
  args: {
    input: ChatInput;
    userId: string;
    session: Session;
    next: FlowState | undefined;
    tookPin: boolean;
    messages: Omit<OutboxWrite, "channel" | "externalId" | "userId">[];
    sendingBy?: string;
  },
): Promise<{ saved: boolean; ids: number[]; leased: boolean; rows: OutboxRow[] }> {
  const { input, next } = args;
  const now = ctx.now();
  const expiresAt = next ? new Date(now.getTime() + FLOW_TTL_MINUTES * 60_000) : null;
  const data = JSON.stringify(next?.data ?? {});
  const pinTakenAt = args.tookPin ? now : args.session.pinTakenAt;
  const save = args.session.exists
    ? sql`UPDATE chat_sessions
             SET flow = ${next?.flow ?? null}, step = ${next?.step ?? null}, data = ${data}::jsonb,
                 expires_at = ${expiresAt}, updated_at = ${now}, user_id = ${args.userId},
                 version = version + 1, pin_taken_at = ${pinTakenAt}
           WHERE channel = ${input.channel} AND external_id = ${input.userRef} AND version = ${args.session.version}
          RETURNING 1`
    : sql`INSERT INTO chat_sessions (channel, external_id, user_id, flow, step, data, expires_at, updated_at, version, pin_taken_at)
          VALUES (${input.channel}, ${input.userRef}, ${args.userId}, ${next?.flow ?? null}, ${next?.step ?? null},
                  ${data}::jsonb, ${expiresAt}, ${now}, 1, ${pinTakenAt})
          ON CONFLICT (channel, external_id) DO NOTHING
          RETURNING 1`;
  const rows = JSON.stringify(
    args.messages.map((m, ord) => ({
      ord,
      kind: m.kind,
      op: m.op ?? "send",
      dedupe_key: m.dedupeKey ?? null,
      reply: m.reply ?? { text: "" },
      payload: m.payload ?? {},
      tag: m.tag ?? null,
      target: m.target ?? null,
    })),
  );
  const owner = args.sendingBy ?? null;
  const result = await sql<{
    saved: number;
    ids: (string | number)[] | null;
    leased: boolean;
    rows: OutboxRowJson[] | null;
  }>`
    WITH s AS (${save}),
    h AS (
      UPDATE chat_inputs SET handled_at = now()
       WHERE channel = ${input.channel} AND message_id = ${input.messageId} AND EXISTS (SELECT 1 FROM s)
      RETURNING 1
    ),
    lease AS (
      SELECT ${owner}::text IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM chat_outbox p WHERE p.channel = ${input.channel} AND p.external_id = ${input.userRef}
           AND p.status IN ('pending', 'sending')) AS now
    ),
    o AS (
      INSERT INTO chat_outbox (channel, external_id, user_id, kind, op, dedupe_key, reply, payload, tag, target,
                               status, lease_owner, lease_until, attempts)
      SELECT ${input.channel}, ${input.userRef}, ${args.userId}, r.kind, r.op, r.dedupe_key, r.reply, r.payload,
             r.tag, r.target,
             CASE WHEN lease.now THEN 'sending' ELSE 'pending' END,
             CASE WHEN lease.now THEN ${owner}::text END,
             CASE WHEN lease.now THEN now() + make_interval(secs => ${REPLY_LEASE_SECONDS}) END,
             CASE WHEN lease.now THEN 1 ELSE 0 END
        FROM jsonb_to_recordset(${rows}::jsonb)
             AS r(ord int, kind text, op text, dedupe_key text, reply jsonb, payload jsonb, tag text, target text),
             lease
       WHERE EXISTS (SELECT 1 FROM s)
       ORDER BY r.ord
      ON CONFLICT (dedupe_key) DO UPDATE SET reply = EXCLUDED.reply, tag = EXCLUDED.tag
       WHERE chat_outbox.status = 'pending'
      RETURNING id, status, channel, external_id, user_id, kind, op, reply, payload, tag, target, attempts, created_at
    )
    SELECT (SELECT count(*) FROM s)::int AS saved, (SELECT count(*) FROM h)::int AS handled,
           ARRAY(SELECT id FROM o ORDER BY id) AS ids,
           coalesce((SELECT bool_and(status = 'sending') FROM o), false) AS leased,
           -- The leased rows themselves: the sender sends them without reading them back.
           (SELECT json_agg(o ORDER BY o.id) FROM o WHERE o.status = 'sending') AS rows`.execute(ctx.db);
  const row = result.rows[0];
  return {
    saved: (row?.saved ?? 0) > 0,
    ids: (row?.ids ?? []).map(Number),
    leased: row?.leased ?? false,
    rows: (row?.rows ?? []).map(outboxRowFromJson),
  };
}

/** Mark an input handled without a session change (a step that could not be saved, a duplicate's echo). */
export async function markInputHandled(ctx: ServiceContext, input: ChatInput): Promise<void> {
  await ctx.db
    .updateTable("chat_inputs")
    .set({ handled_at: ctx.now() })
    .where("channel", "=", input.channel)
    .where("message_id", "=", input.messageId)
    .execute();
}
