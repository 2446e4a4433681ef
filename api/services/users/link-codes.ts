import { sql } from "kysely";
import { z } from "zod";
import type { Channel } from "../../../db/database";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ConflictError, ValidationError } from "../errors";
import { hmacSha256 } from "../hashing";
import { humanCode } from "../ids";

const CHANNEL_NAMES = {
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  web: "web",
  api: "API",
  console: "console",
} as const;

/**
 * One-time code that joins a second channel identity to an existing user (one wallet across
 * channels). Shown to the user on channel A, typed on channel B.
 */
export async function createLinkCode(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<{ linkCode: string; expiresAt: string }> {
  const { ctx } = args;
  const code = humanCode(8);
  const expiresAt = new Date(ctx.now().getTime() + ctx.config.LINK_CODE_TTL_MINUTES * 60_000);
  await ctx.db
    .insertInto("link_codes")
    .values({ user_id: args.userId, code_hash: hashLinkCode(ctx, code), expires_at: expiresAt })
    .execute();
  return { linkCode: code, expiresAt: expiresAt.toISOString() };
}

export const LinkIdentityInput = z.strictObject({
  linkCode: z.string().trim().toUpperCase().min(4).max(20),
  channel: z.enum(["telegram", "whatsapp", "web", "api", "console"]),
  externalId: z.string().min(1).max(200),
});
export type LinkIdentityInput = z.input<typeof LinkIdentityInput>;

/**
 * Attach the identity (channel, externalId) to the user who issued the code.
 *
 * If the identity already belongs to another user — bots create a user on first contact — that
 * user is folded in only when it is empty (no money ever moved, no other identity, no password);
 * otherwise we refuse rather than merge two wallets silently (DECISIONS.md, "Linking").
 */
export async function linkIdentity(args: {
  ctx: ServiceContext;
  input: LinkIdentityInput;
}): Promise<{ userId: string; channel: string; alreadyLinked: boolean }> {
  const input = LinkIdentityInput.parse(args.input);
  const { ctx } = args;
  return withTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const code = await trx
      .updateTable("link_codes")
      .set({ used_at: now })
      .where("code_hash", "=", hashLinkCode(ctx, input.linkCode))
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning(["id", "user_id"])
      .executeTakeFirst();
    if (!code) {
      throw await invalidLinkCode(trx, hashLinkCode(ctx, input.linkCode));
    }
    const identity = await trx
      .selectFrom("identities")
      .select(["id", "user_id"])
      .where("channel", "=", input.channel)
      .where("external_id", "=", input.externalId)
      .forUpdate()
      .executeTakeFirst();
    if (identity?.user_id === code.user_id) {
      return { userId: code.user_id, channel: input.channel, alreadyLinked: true };
    }
    const taken = await trx
      .selectFrom("identities")
      .select("id")
      .where("user_id", "=", code.user_id)
      .where("channel", "=", input.channel)
      .executeTakeFirst();
    if (taken) {
      throw new ConflictError(
        `That account is already used from another ${CHANNEL_NAMES[input.channel]} chat, and an account can have one per app. Keep using that chat, or ask us to move the account.`,
        "CHANNEL_ALREADY_LINKED",
      );
    }

    const identityId = await moveIdentity(trx, {
      identity,
      to: code.user_id,
      channel: input.channel,
      externalId: input.externalId,
      now,
    });
    await trx
      .updateTable("link_codes")
      .set({ used_by_identity_id: identityId })
      .where("id", "=", code.id)
      .execute();
    return { userId: code.user_id, channel: input.channel, alreadyLinked: false };
  });
}

/**
 * Give the identity (channel, externalId) to user `to`, in the caller's transaction: inserted when
 * it does not exist; when it belongs to another user, that user is folded in and closed, or the move
 * is refused (IDENTITY_HAS_WALLET) when that user is not empty. `identity` is that row, read FOR UPDATE.
 */
export async function moveIdentity(
  trx: Trx,
  args: {
    identity: { id: number; user_id: string } | undefined;
    to: string;
    channel: Channel;
    externalId: string;
    now: Date;
  },
): Promise<number> {
  const { identity } = args;
  if (!identity) {
    const inserted = await trx
      .insertInto("identities")
      .values({ user_id: args.to, channel: args.channel, external_id: args.externalId })
      .returning("id")
      .executeTakeFirstOrThrow();
    return inserted.id;
  }
  await assertFoldable(trx, identity.user_id, identity.id);
  await trx.updateTable("identities").set({ user_id: args.to }).where("id", "=", identity.id).execute();
  await trx
    .updateTable("users")
    .set({ status: "closed", updated_at: args.now })
    .where("id", "=", identity.user_id)
    .execute();
  return identity.id;
}

async function assertFoldable(trx: Trx, userId: string, identityId: number) {
  const result = await sql<{ busy: boolean }>`
    SELECT EXISTS (SELECT 1 FROM accounts a JOIN postings p ON p.account_id = a.id WHERE a.user_id = ${userId})
        OR EXISTS (SELECT 1 FROM accounts a JOIN holds h ON h.account_id = a.id WHERE a.user_id = ${userId})
        OR EXISTS (SELECT 1 FROM identities WHERE user_id = ${userId} AND id <> ${identityId})
        OR EXISTS (SELECT 1 FROM users WHERE id = ${userId} AND password_hash IS NOT NULL) AS busy`.execute(
    trx,
  );
  if (result.rows[0]?.busy) {
    throw new ConflictError(
      "This chat already has its own TADA wallet with activity, so it cannot be merged automatically. Contact support to merge the two accounts.",
      "IDENTITY_HAS_WALLET",
    );
  }
}

/**
 * Why a code did not work, in words the person can act on. Saying "used" or "expired" reveals
 * nothing useful: such a code links nothing any more, and guessing a live one is still 31^8.
 */
async function invalidLinkCode(trx: Trx, codeHash: string): Promise<ValidationError> {
  const row = await trx
    .selectFrom("link_codes")
    .select(["used_at"])
    .where("code_hash", "=", codeHash)
    .executeTakeFirst();
  const reason = !row
    ? "I do not know that link code. Check it, or ask for a new code on your other chat."
    : row.used_at
      ? "That link code was already used. Ask for a new code on your other chat."
      : "That link code has expired. Ask for a new code on your other chat and use it within a few minutes.";
  return new ValidationError(reason, { field: "linkCode" }, "INVALID_LINK_CODE");
}

function hashLinkCode(ctx: ServiceContext, code: string): string {
  return hmacSha256(ctx.config.pinPepper, `link:${code.toUpperCase()}`);
}
