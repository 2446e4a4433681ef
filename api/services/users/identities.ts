import type { Channel, UserRow } from "../../../db/database";
import { type ServiceContext, withTransaction } from "../context";
import { NotFoundError } from "../errors";
import { insertUser } from "./create-user";

export type IdentityRef = { channel: Channel; externalId: string };

/**
 * The user behind a chat identity, created on first contact (bots). Safe under concurrency: a
 * racing first message loses the unique (channel, external_id) insert and reads the winner's user.
 */
export async function findOrCreateUserByIdentity(args: {
  ctx: ServiceContext;
  input: IdentityRef & { displayName?: string };
}): Promise<{ user: UserRow; created: boolean }> {
  const { channel, externalId, displayName } = args.input;
  const existing = await findUserByIdentity(args.ctx, { channel, externalId });
  if (existing) {
    return { user: existing, created: false };
  }
  try {
    const user = await withTransaction(args.ctx, (trx) =>
      insertUser(trx, { displayName: displayName ?? null, identity: { channel, externalId } }),
    );
    return { user, created: true };
  } catch (error) {
    const winner = await findUserByIdentity(args.ctx, { channel, externalId });
    if (winner) {
      return { user: winner, created: false };
    }
    throw error;
  }
}

export async function findUserByIdentity(
  ctx: Pick<ServiceContext, "db">,
  ref: IdentityRef,
): Promise<UserRow | undefined> {
  return ctx.db
    .selectFrom("identities as i")
    .innerJoin("users as u", "u.id", "i.user_id")
    .selectAll("u")
    .where("i.channel", "=", ref.channel)
    .where("i.external_id", "=", ref.externalId)
    .executeTakeFirst();
}

export async function getUser(ctx: Pick<ServiceContext, "db">, userId: string): Promise<UserRow> {
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user) {
    throw new NotFoundError("User");
  }
  return user;
}

export async function listIdentities(ctx: Pick<ServiceContext, "db">, userId: string) {
  const rows = await ctx.db
    .selectFrom("identities")
    .select(["channel", "external_id", "created_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    channel: r.channel,
    externalId: r.external_id,
    linkedAt: r.created_at.toISOString(),
  }));
}
