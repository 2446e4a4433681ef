import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";

export type WalletBalance = {
  /** Posted money in the wallet. */
  balanceKobo: number;
  /** Reserved by pending purchases/withdrawals. */
  heldKobo: number;
  /** What the user can spend now: balance − held. */
  availableKobo: number;
  currency: string;
};

export async function getWalletBalance(args: {
  ctx: Pick<ServiceContext, "db">;
  userId: string;
}): Promise<WalletBalance> {
  const row = await args.ctx.db
    .selectFrom("accounts")
    .select(["balance", "held", "currency"])
    .where("user_id", "=", args.userId)
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("Wallet");
  }
  return {
    balanceKobo: row.balance,
    heldKobo: row.held,
    availableKobo: row.balance - row.held,
    currency: row.currency,
  };
}
