import { sql } from "kysely";
import { Batcher, batcherPer } from "./batcher";
import { type OutboxRow, type OutboxRowJson, type OutboxWrite, outboxRowFromJson } from "./chat-outbox";
import type { Db, ServiceContext } from "./context";
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
  /** Their wallet when the claim was made (undefined: no person or no wallet yet). */
  wallet?: LoadedWallet;
  /** Their chat language as the claim read it (null: not chosen; undefined: no person yet). */
  language?: "en" | "pcm" | null;
  /** Pidgin was offered to them already (once is enough). */
  languageOffered?: boolean;
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

/** The person's wallet as the claim read it (the balance answer needs no read of its own). */
export type LoadedWallet = { balanceKobo: number; heldKobo: number; currency: string };

type ClaimItem = { ctx: ServiceContext; input: ChatInput; owner: string | undefined };
type ClaimRow = SessionRow & {
  claimed: boolean;
  user_id: string | null;
  balance: number | null;
  held: number | null;
  currency: string | null;
  language: "en" | "pcm" | null;
  language_offered: boolean | null;
};

/**
 * One round trip for everything an input needs first: record its message id (W8: a redelivered
 * message is not handled twice; a claim whose handler died, or that is older than a minute, is
 * taken over so the message is still answered), the chat's session, the person behind it and their
 * wallet. Inputs of different chats claimed at the same moment share one statement (api/services/
 * batcher.ts): a getUpdates batch of 60 messages is one claim, not 60.
 */
export async function claimAndLoad(ctx: ServiceContext, input: ChatInput, owner?: string): Promise<Loaded> {
  return claimBatcher(ctx.db).load({ ctx, input, owner });
}

const claimBatcher = batcherPer((_db: Db) => new Batcher<ClaimItem, Loaded>(claimMany, { keyOf: chatKey }));

/** A batch statement's rows, one per item in item order (`i`), or an error naming what is missing. */
function rowPerItem<R extends { i: number }>(rows: R[], items: number, what: string): R[] {
  for (let i = 0; i < items; i++) {
    if (rows[i]?.i !== i) {
      throw new Error(`${what}: no row for input ${i}`);
    }
  }
  return rows.slice(0, items);
}

function chatKey(item: { input: ChatInput }): string {
  return `${item.input.channel}\u0000${item.input.userRef}`;
}

async function claimMany(items: ClaimItem[]): Promise<Loaded[]> {
  const first = items[0];
  if (!first) {
    return [];
  }
  // The takeover rule reads PROCESS_DEAD_AFTER_SECONDS: one process's items share one configuration.
  const { ctx } = first;
  const inputs = JSON.stringify(
    items.map((item, i) => ({
      i,
      channel: item.input.channel,
      message_id: item.input.messageId,
      user_ref: item.input.userRef,
      owner: item.owner ?? null,
    })),
  );
  const result = await sql<ClaimRow & { i: number }>`
    WITH inp AS (
      SELECT * FROM jsonb_to_recordset(${inputs}::jsonb)
          AS x(i int, channel text, message_id text, user_ref text, owner text)
    ),
    c AS (
      INSERT INTO chat_inputs AS ci (channel, message_id, claimed_by)
      SELECT channel, message_id, owner FROM inp ORDER BY i
      ON CONFLICT (channel, message_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, received_at = now()
       WHERE ci.handled_at IS NULL
         AND (ci.received_at < now() - make_interval(secs => ${CLAIM_TAKEOVER_SECONDS})
              OR ${ownerIsGone(ctx, sql.ref("ci.claimed_by"))})
      RETURNING channel, message_id
    )
    SELECT inp.i,
           EXISTS (SELECT 1 FROM c WHERE c.channel = inp.channel AND c.message_id = inp.message_id) AS claimed,
           ${SESSION_COLUMNS}, idn.user_id, a.balance, a.held, a.currency,
           u.language, (u.language_offered_at IS NOT NULL) AS language_offered
      FROM inp
      LEFT JOIN chat_sessions s ON s.channel = inp.channel AND s.external_id = inp.user_ref
      LEFT JOIN identities idn ON idn.channel = inp.channel AND idn.external_id = inp.user_ref
      LEFT JOIN accounts a ON a.user_id = idn.user_id
      LEFT JOIN users u ON u.id = idn.user_id
     ORDER BY inp.i`.execute(ctx.db);
  return rowPerItem(result.rows, items.length, "claim").map((row, i) => {
    const item = items[i] as ClaimItem;
    return {
      claimed: row.claimed,
      session: toSession(item.ctx, row),
      userId: row.user_id ?? undefined,
      wallet:
        row.balance === null || row.held === null
          ? undefined
          : { balanceKobo: row.balance, heldKobo: row.held, currency: row.currency ?? "NGN" },
      language: row.user_id ? row.language : undefined,
      languageOffered: row.language_offered ?? false,
    };
  });
}

export async function loadSession(ctx: ServiceContext, input: ChatInput): Promise<Session> {
  const result = await sql<SessionRow>`
    SELECT ${SESSION_COLUMNS} FROM chat_sessions s
     WHERE s.channel = ${input.channel} AND s.external_id = ${input.userRef}`.execute(ctx.db);
  return toSession(ctx, result.rows[0]);
}

type SaveArgs = {
  input: ChatInput;
  userId: string;
  session: Session;
  next: FlowState | undefined;
  tookPin: boolean;
  messages: Omit<OutboxWrite, "channel" | "externalId" | "userId">[];
  sendingBy?: string;
};

type Saved = { saved: boolean; ids: number[]; leased: boolean; rows: OutboxRow[] };

/**
 * Save where the chat is, mark the input handled and queue its messages, in one statement (one
 * round trip, atomic: the replies exist exactly when the step that made them was saved). Returns
 * saved = false when someone else saved in between (two updates of one chat handled at once by two
 * processes): the caller runs the input again on the fresh state, which is safe because every
 * purchase's idempotency key comes from the chat's message ids. Steps of different chats saved at
 * the same moment share one statement (api/services/batcher.ts); each chat's part stands alone.
 *
 * With `sendingBy`, rows of a chat with nothing older unsent are written already leased to that
 * sender (the adapter sends them at once: no claim round trip); otherwise they wait in line.
 */
export async function saveAndQueue(ctx: ServiceContext, args: SaveArgs): Promise<Saved> {
  return saveBatcher(ctx.db).load({ ctx, ...args });
}

type SaveItem = SaveArgs & { ctx: ServiceContext };

const saveBatcher = batcherPer((_db: Db) => new Batcher<SaveItem, Saved>(saveMany, { keyOf: chatKey }));

async function saveMany(items: SaveItem[]): Promise<Saved[]> {
  const first = items[0];
  if (!first) {
    return [];
  }
  const inputs = JSON.stringify(
    items.map((item, i) => {
      const { input, next } = item;
      const now = item.ctx.now();
      return {
        i,
        channel: input.channel,
        external_id: input.userRef,
        message_id: input.messageId,
        user_id: item.userId,
        exists: item.session.exists,
        version: item.session.version,
        flow: next?.flow ?? null,
        step: next?.step ?? null,
        data: next?.data ?? {},
        expires_at: next ? new Date(now.getTime() + FLOW_TTL_MINUTES * 60_000) : null,
        updated_at: now,
        pin_taken_at: item.tookPin ? now : item.session.pinTakenAt,
        owner: item.sendingBy ?? null,
        messages: item.messages.map((m, ord) => ({
          ord,
          kind: m.kind,
          op: m.op ?? "send",
          dedupe_key: m.dedupeKey ?? null,
          reply: m.reply ?? { text: "" },
          payload: m.payload ?? {},
          tag: m.tag ?? null,
          target: m.target ?? null,
        })),
      };
    }),
  );
  const result = await sql<{
    i: number;
    saved: boolean;
    ids: (string | number)[] | null;
    leased: boolean;
    rows: OutboxRowJson[] | null;
  }>`
    WITH inp AS (
      SELECT * FROM jsonb_to_recordset(${inputs}::jsonb)
          AS x(i int, channel text, external_id text, message_id text, user_id text, exists boolean,
               version int, flow text, step text, data jsonb, expires_at timestamptz, updated_at timestamptz,
               pin_taken_at timestamptz, owner text, messages jsonb)
    ),
    upd AS (
      UPDATE chat_sessions s
         SET flow = inp.flow, step = inp.step, data = inp.data, expires_at = inp.expires_at,
             updated_at = inp.updated_at, user_id = inp.user_id, version = s.version + 1,
             pin_taken_at = inp.pin_taken_at
        FROM inp
       WHERE inp.exists AND s.channel = inp.channel AND s.external_id = inp.external_id
         AND s.version = inp.version
      RETURNING inp.i
    ),
    ins AS (
      INSERT INTO chat_sessions (channel, external_id, user_id, flow, step, data, expires_at, updated_at, version,
                                 pin_taken_at)
      SELECT channel, external_id, user_id, flow, step, data, expires_at, updated_at, 1, pin_taken_at
        FROM inp WHERE NOT inp.exists ORDER BY i
      ON CONFLICT (channel, external_id) DO NOTHING
      RETURNING channel, external_id
    ),
    saved AS (
      SELECT i FROM upd
      UNION ALL
      SELECT inp.i FROM ins JOIN inp ON inp.channel = ins.channel AND inp.external_id = ins.external_id
       WHERE NOT inp.exists
    ),
    h AS (
      UPDATE chat_inputs c SET handled_at = now()
        FROM inp JOIN saved ON saved.i = inp.i
       WHERE c.channel = inp.channel AND c.message_id = inp.message_id
      RETURNING 1
    ),
    -- Per chat, one probe of chat_outbox_unsent (LATERAL … LIMIT 1): a planner left to itself reads
    -- every unsent entry of every chat into a hash, dead index entries included (1 ms and more).
    lease AS MATERIALIZED (
      SELECT inp.i, inp.owner IS NOT NULL AND busy.one IS NULL AS now
        FROM inp
        JOIN saved ON saved.i = inp.i
        LEFT JOIN LATERAL (
          SELECT 1 AS one FROM chat_outbox p
           WHERE p.channel = inp.channel AND p.external_id = inp.external_id AND p.status IN ('pending', 'sending')
           LIMIT 1) busy ON true
    ),
    o AS (
      INSERT INTO chat_outbox (channel, external_id, user_id, kind, op, dedupe_key, reply, payload, tag, target,
                               status, lease_owner, lease_until, attempts)
      SELECT inp.channel, inp.external_id, inp.user_id, r.kind, r.op, r.dedupe_key, r.reply, r.payload,
             r.tag, r.target,
             CASE WHEN lease.now THEN 'sending' ELSE 'pending' END,
             CASE WHEN lease.now THEN inp.owner END,
             CASE WHEN lease.now THEN now() + make_interval(secs => ${REPLY_LEASE_SECONDS}) END,
             CASE WHEN lease.now THEN 1 ELSE 0 END
        FROM inp
        JOIN lease ON lease.i = inp.i
       CROSS JOIN LATERAL jsonb_to_recordset(inp.messages)
             AS r(ord int, kind text, op text, dedupe_key text, reply jsonb, payload jsonb, tag text, target text)
       ORDER BY inp.i, r.ord
      -- The reply replaces a notification of the same outcome still unsent, values and all: it is
      -- written in the person's language already (the notification's payload is not re-rendered).
      ON CONFLICT (dedupe_key) DO UPDATE SET reply = EXCLUDED.reply, tag = EXCLUDED.tag, payload = EXCLUDED.payload
       WHERE chat_outbox.status = 'pending'
      RETURNING id, status, channel, external_id, user_id, kind, op, reply, payload, tag, target, attempts, created_at
    ),
    -- Each chat's rows, gathered once (h, like every data-modifying CTE, runs whether read or not).
    per_chat AS (
      SELECT o.channel, o.external_id, array_agg(o.id ORDER BY o.id) AS ids,
             bool_and(o.status = 'sending') AS leased,
             -- The leased rows themselves: the sender sends them without reading them back.
             json_agg(o ORDER BY o.id) FILTER (WHERE o.status = 'sending') AS rows
        FROM o GROUP BY o.channel, o.external_id
    )
    SELECT inp.i, saved.i IS NOT NULL AS saved, per_chat.ids, coalesce(per_chat.leased, false) AS leased,
           per_chat.rows
      FROM inp
      LEFT JOIN saved ON saved.i = inp.i
      LEFT JOIN per_chat ON per_chat.channel = inp.channel AND per_chat.external_id = inp.external_id
     ORDER BY inp.i`.execute(first.ctx.db);
  return rowPerItem(result.rows, items.length, "save").map((row) => {
    return {
      saved: row.saved,
      ids: (row.ids ?? []).map(Number),
      leased: row.leased,
      rows: (row.rows ?? []).map(outboxRowFromJson),
    };
  });
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
