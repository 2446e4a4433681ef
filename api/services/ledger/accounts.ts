import type { Db, Trx } from "../context";
import { NotFoundError } from "../errors";

/** System accounts created by the foundation migration. */
export const SYSTEM_ACCOUNTS = {
  paymentClearing: "system:payment_clearing",
  providerFloat: "system:provider_float",
  vtuClearing: "system:vtu_clearing",
  giftEscrow: "system:gift_escrow",
  feesRevenue: "system:fees_revenue",
  promotions: "system:promotions",
  adjustments: "system:adjustments",
  withdrawalsClearing: "system:withdrawals_clearing",
} as const;

export type SystemAccountCode = (typeof SYSTEM_ACCOUNTS)[keyof typeof SYSTEM_ACCOUNTS];

/** The codes as a non-empty tuple, for z.enum in service inputs. */
export const SYSTEM_ACCOUNT_CODES = Object.values(SYSTEM_ACCOUNTS) as [
  SystemAccountCode,
  ...SystemAccountCode[],
];

export function walletCode(userId: string): string {
  return `wallet:${userId}`;
}

export async function getSystemAccountId(db: Db, code: SystemAccountCode): Promise<number> {
  const row = await db.selectFrom("accounts").select("id").where("code", "=", code).executeTakeFirst();
  if (!row) {
    throw new Error(`system account ${code} is missing; run the migrations`);
  }
  return row.id;
}

/** Create the user's wallet account (idempotent). Called when the user is created. */
export async function ensureWalletAccount(trx: Trx, userId: string): Promise<number> {
  await trx
    .insertInto("accounts")
    .values({ code: walletCode(userId), kind: "wallet", user_id: userId })
    .onConflict((oc) => oc.column("code").doNothing())
    .execute();
  return getWalletAccountId(trx, userId);
}

export async function getWalletAccountId(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom("accounts").select("id").where("user_id", "=", userId).executeTakeFirst();
  if (!row) {
    throw new NotFoundError("Wallet");
  }
  return row.id;
}

export type LockedAccount = { id: number; balance: number; held: number; allowNegative: boolean };

/**
 * Lock accounts in ascending id order (L12: every multi-account writer takes locks in the same
 * order, so concurrent transfers cannot deadlock). Returns them keyed by id.
 */
export async function lockAccounts(trx: Trx, ids: number[]): Promise<Map<number, LockedAccount>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const rows = await trx
    .selectFrom("accounts")
    .select(["id", "balance", "held", "allow_negative"])
    .where("id", "in", unique)
    .orderBy("id")
    .forUpdate()
    .execute();
  if (rows.length !== unique.length) {
    throw new NotFoundError("Account");
  }
  return new Map(
    rows.map((r) => [r.id, { id: r.id, balance: r.balance, held: r.held, allowNegative: r.allow_negative }]),
  );
}
