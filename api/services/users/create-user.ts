import type { Channel, UserRow } from "../../../db/database";
import type { Trx } from "../context";
import { humanCode, newId } from "../ids";
import { ensureWalletAccount } from "../ledger";

export type NewUserInput = {
  displayName?: string | null;
  phone?: string | null;
  email?: string | null;
  passwordHash?: string | null;
  identity?: { channel: Channel; externalId: string };
  referredByUserId?: string | null;
};

/**
 * Insert a user with their wallet account and (optionally) their first channel identity, all in the
 * caller's transaction: a user never exists without a wallet.
 */
export async function insertUser(trx: Trx, input: NewUserInput): Promise<UserRow> {
  const user = await trx
    .insertInto("users")
    .values({
      id: newId("usr"),
      display_name: input.displayName ?? null,
      phone: input.phone ?? null,
      email: input.email ?? null,
      password_hash: input.passwordHash ?? null,
      referral_code: await uniqueReferralCode(trx),
      referred_by: input.referredByUserId ?? null,
      referred_at: input.referredByUserId ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await ensureWalletAccount(trx, user.id);
  if (input.identity) {
    await trx
      .insertInto("identities")
      .values({ user_id: user.id, channel: input.identity.channel, external_id: input.identity.externalId })
      .execute();
  }
  return user;
}

async function uniqueReferralCode(trx: Trx): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = `TADA${humanCode(6)}`;
    const taken = await trx
      .selectFrom("users")
      .select("id")
      .where("referral_code", "=", code)
      .executeTakeFirst();
    if (!taken) {
      return code;
    }
  }
  throw new Error("could not find a free referral code after 5 attempts");
}
