import { sql } from "kysely";
import type { Db, ServiceContext, Trx } from "../context";
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
  /** Bank transfers nobody may be credited for yet (issue 17); moved only by funding/suspense.ts. */
  transferSuspense: "system:transfer_suspense",
  /** What the business owes for loyalty points (issue 18); moved only by rewards/points.ts. */
  pointsLiability: "system:points_liability",
} as const;

export type SystemAccountCode = (typeof SYSTEM_ACCOUNTS)[keyof typeof SYSTEM_ACCOUNTS];

/**
 * The codes a wallet move or hold may name, as a non-empty tuple for z.enum in service inputs. The
 * suspense account is left out: its balance must always equal the transfers awaiting a decision
 * (check T1), so only the transfer code moves money in and out of it; the points liability likewise
 * (check P1: it equals the value of the points outstanding).
 */
export const SYSTEM_ACCOUNT_CODES = Object.values(SYSTEM_ACCOUNTS).filter(
  (code) => code !== SYSTEM_ACCOUNTS.transferSuspense && code !== SYSTEM_ACCOUNTS.pointsLiability,
) as [SystemAccountCode, ...SystemAccountCode[]];

export function walletCode(userId: string): string {
  return `wallet:${userId}`;
}

/** Shard 0 of a system account family: the account the migrations created under that code. */
export async function getSystemAccountId(db: Db, code: SystemAccountCode): Promise<number> {
  const row = await db.selectFrom("accounts").select("id").where("code", "=", code).executeTakeFirst();
  if (!row) {
    throw new Error(`system account ${code} is missing; run the migrations`);
  }
  return row.id;
}

/** The shard of a family an entry uses: the one of the account on its other side (stable per wallet). */
// The same rule is written once more in SQL, in ledger_move_wallet (wallet_id % shards): keep both.
export function shardOf(otherAccountId: number, shards: number): number {
  return shards <= 1 ? 0 : otherAccountId % shards;
}

/** Shard ids per database (the root Kysely instance): a committed shard keeps its id forever. */
const shardIds = new WeakMap<Db, Map<string, number>>();

/**
 * The system account an entry posts to when its other side is `otherAccountId` (a wallet or a gift
 * room's escrow): shard `otherAccountId mod SYSTEM_ACCOUNT_SHARDS` of the family `code`, created on
 * first use (DECISIONS §1). Purchases of different wallets then update different rows instead of
 * all queueing on one. Read and created in the caller's transaction (a second connection could wait
 * for a pool that transactions like this one hold); cached per process once committed.
 */
export async function systemAccountFor(
  ctx: Pick<ServiceContext, "db" | "config">,
  trx: Db | Trx,
  code: SystemAccountCode,
  otherAccountId: number,
): Promise<number> {
  const shard = shardOf(otherAccountId, ctx.config.SYSTEM_ACCOUNT_SHARDS);
  const key = `${code}#${shard}`;
  const cache = cacheOf(ctx.db);
  const cached = cache.get(key);
  if (cached !== undefined) {
    return cached;
  }
  // ledger_system_shard finds the shard or creates it with its family's rules (allow_negative,
  // currency); a concurrent creator may win, either way the row exists after. (A second statement
  // reads it: a row the function inserted is not visible to the statement that called it.)
  const created = await sql<{ id: number }>`SELECT ledger_system_shard(${code}, ${shard}) AS id`.execute(trx);
  const result = await sql<{ id: number; mine: boolean }>`
    SELECT id, xmin::text = coalesce(pg_current_xact_id_if_assigned()::xid::text, '') AS mine
      FROM accounts WHERE id = ${created.rows[0]?.id ?? null}`.execute(trx);
  const found = result.rows[0];
  if (!found) {
    throw new Error(`system account ${code} is missing; run the migrations`);
  }
  if (!found.mine) {
    // A shard this transaction created could still roll back: cached only once someone committed it.
    cache.set(key, found.id);
  }
  return found.id;
}

function cacheOf(db: Db): Map<string, number> {
  let cache = shardIds.get(db);
  if (!cache) {
    cache = new Map();
    shardIds.set(db, cache);
  }
  return cache;
}

/** A system family's balance: the sum over its shards (reports, tests). */
export async function systemAccountTotal(
  db: Db,
  code: SystemAccountCode,
): Promise<{ balance: number; held: number; shards: number }> {
  const row = await db
    .selectFrom("accounts")
    .select([
      sql<string>`coalesce(sum(balance), 0)::text`.as("balance"),
      sql<string>`coalesce(sum(held), 0)::text`.as("held"),
      sql<number>`count(*)::int`.as("shards"),
    ])
    .where("system_code", "=", code)
    .executeTakeFirstOrThrow();
  return { balance: Number(row.balance), held: Number(row.held), shards: row.shards };
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
    // NO KEY: an entry never changes an account's key, and FOR UPDATE would also block every other
    // transaction's foreign-key check on the row (a posting or hold referencing it).
    .forNoKeyUpdate()
    .execute();
  if (rows.length !== unique.length) {
    throw new NotFoundError("Account");
  }
  return new Map(
    rows.map((r) => [r.id, { id: r.id, balance: r.balance, held: r.held, allowNegative: r.allow_negative }]),
  );
}
