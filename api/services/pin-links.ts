import type { PinLinkPurpose } from "../../db/database";
import { type ServiceContext, withTransaction } from "./context";
import { sha256 } from "./hashing";
import { newId, secretToken } from "./ids";

/**
 * One-time PIN pages (S4). On WhatsApp a typed PIN stays on the phone (a bot cannot delete it), so
 * the PIN step sends a link instead. The token (256 random bits) is kept only as a hash; the link is
 * bound to one chat and one flow step (`confirmId`), expires after PIN_LINK_TTL_SECONDS, and is
 * consumed once by a conditional UPDATE, so two submits cannot both use it.
 */
export type PinLink = {
  id: string;
  channel: string;
  userRef: string;
  userId: string;
  confirmId: string;
  purpose: PinLinkPurpose;
  /** What the PIN is for, shown on the page ("Pay ₦489.85 for MTN airtime"); never secret. */
  title: string;
  expiresAt: Date;
};

export async function createPinLink(args: {
  ctx: ServiceContext;
  channel: string;
  userRef: string;
  userId: string;
  confirmId: string;
  purpose: PinLinkPurpose;
  title: string;
}): Promise<{ id: string; url: string; expiresAt: Date }> {
  const { ctx } = args;
  const now = ctx.now();
  // The prefix keeps the token recognisable in a support ticket; the logger redacts `token` keys.
  const token = secretToken("pin");
  const id = newId("pln", now.getTime());
  const expiresAt = new Date(now.getTime() + ctx.config.PIN_LINK_TTL_SECONDS * 1000);
  await withTransaction(ctx, async (trx) => {
    // Only the newest link of a chat works: an older one lying in the chat history is dead.
    await trx
      .updateTable("pin_links")
      .set({ used_at: now })
      .where("channel", "=", args.channel)
      .where("user_ref", "=", args.userRef)
      .where("used_at", "is", null)
      .execute();
    await trx
      .insertInto("pin_links")
      .values({
        id,
        token_hash: sha256(token),
        channel: args.channel,
        user_ref: args.userRef,
        user_id: args.userId,
        confirm_id: args.confirmId,
        purpose: args.purpose,
        title: args.title,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { id, url: `${ctx.config.publicBaseUrl}/pin/${encodeURIComponent(token)}`, expiresAt };
}

const COLUMNS = [
  "id",
  "channel",
  "user_ref",
  "user_id",
  "confirm_id",
  "purpose",
  "title",
  "expires_at",
] as const;

/** The link behind a token, if it can still be used (GET shows the form; nothing is consumed). */
export async function findOpenPinLink(args: {
  ctx: ServiceContext;
  token: string;
}): Promise<PinLink | undefined> {
  const row = await args.ctx.db
    .selectFrom("pin_links")
    .select(COLUMNS)
    .where("token_hash", "=", sha256(args.token))
    .where("used_at", "is", null)
    .where("expires_at", ">", args.ctx.now())
    .executeTakeFirst();
  return row ? toPinLink(row) : undefined;
}

/** Use the link: exactly one caller gets it back; unknown, used and expired tokens give undefined. */
export async function consumePinLink(args: {
  ctx: ServiceContext;
  token: string;
}): Promise<PinLink | undefined> {
  const now = args.ctx.now();
  const row = await args.ctx.db
    .updateTable("pin_links")
    .set({ used_at: now })
    .where("token_hash", "=", sha256(args.token))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row ? toPinLink(row) : undefined;
}

function toPinLink(row: {
  id: string;
  channel: string;
  user_ref: string;
  user_id: string;
  confirm_id: string;
  purpose: PinLinkPurpose;
  title: string;
  expires_at: Date;
}): PinLink {
  return {
    id: row.id,
    channel: row.channel,
    userRef: row.user_ref,
    userId: row.user_id,
    confirmId: row.confirm_id,
    purpose: row.purpose,
    title: row.title,
    expiresAt: row.expires_at,
  };
}
