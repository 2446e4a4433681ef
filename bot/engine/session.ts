import type { ServiceContext } from "../../api/services/context";
import type { ChatInput, FlowState } from "./types";

/** A flow untouched for this long starts over (a half-finished purchase from yesterday is stale). */
export const FLOW_TTL_MINUTES = 30;

export type Session = { flow: FlowState | undefined; version: number; exists: boolean };

/** Record the input once (W8). False when this messageId was already handled. */
export async function claimInput(ctx: ServiceContext, input: ChatInput): Promise<boolean> {
  const row = await ctx.db
    .insertInto("chat_inputs")
    .values({ channel: input.channel, message_id: input.messageId })
    .onConflict((oc) => oc.columns(["channel", "message_id"]).doNothing())
    .returning("message_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function loadSession(ctx: ServiceContext, input: ChatInput): Promise<Session> {
  const row = await ctx.db
    .selectFrom("chat_sessions")
    .select(["flow", "step", "data", "version", "expires_at"])
    .where("channel", "=", input.channel)
    .where("external_id", "=", input.userRef)
    .executeTakeFirst();
  if (!row) {
    return { flow: undefined, version: 0, exists: false };
  }
  const live = row.flow && row.step && (!row.expires_at || row.expires_at > ctx.now());
  return {
    flow: live ? { flow: row.flow as string, step: row.step as string, data: row.data } : undefined,
    version: row.version,
    exists: true,
  };
}

/**
 * Save where the chat is. Returns false when someone else saved in between (two updates of one chat
 * handled at once by two processes): the caller runs the input again on the fresh state, which is
 * safe because every purchase's idempotency key comes from the chat's message ids.
 */
export async function saveSession(
  ctx: ServiceContext,
  input: ChatInput,
  userId: string,
  session: Session,
  next: FlowState | undefined,
): Promise<boolean> {
  const now = ctx.now();
  const values = {
    flow: next?.flow ?? null,
    step: next?.step ?? null,
    data: next?.data ?? {},
    expires_at: next ? new Date(now.getTime() + FLOW_TTL_MINUTES * 60_000) : null,
    updated_at: now,
  };
  if (!session.exists) {
    const inserted = await ctx.db
      .insertInto("chat_sessions")
      .values({ channel: input.channel, external_id: input.userRef, user_id: userId, ...values, version: 1 })
      .onConflict((oc) => oc.columns(["channel", "external_id"]).doNothing())
      .returning("version")
      .executeTakeFirst();
    return inserted !== undefined;
  }
  const updated = await ctx.db
    .updateTable("chat_sessions")
    // user_id follows the identity: after "/link CODE" this chat belongs to the linked account.
    .set({ ...values, user_id: userId, version: session.version + 1 })
    .where("channel", "=", input.channel)
    .where("external_id", "=", input.userRef)
    .where("version", "=", session.version)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}
