import type { Trx } from "../context";
import { InsufficientFundsError, ValidationError } from "../errors";
import { lockAccounts } from "./accounts";

export type EntryType =
  | "wallet_credit"
  | "wallet_debit"
  | "hold_post"
  | "transfer"
  | "admin_adjustment"
  | "reversal"
  | "vtu_settle"
  | "vtu_reversal"
  | "gift_room_fund"
  | "gift_cash"
  | "gift_room_refund";

export type PostingInput = { accountId: number; amount: number };

export type EntryInput = {
  type: EntryType;
  description: string;
  /** Who caused it: `user:usr_…`, `admin:adm_…`, `system`, `api_key:key_…`. */
  actor: string;
  postings: PostingInput[];
  reason?: string;
  holdId?: number;
  reversesEntryId?: number;
  idempotencyKeyId?: number;
  metadata?: Record<string, unknown>;
};

export function assertKobo(amount: number, field = "amountKobo"): void {
  if (!Number.isSafeInteger(amount)) {
    throw new ValidationError(`${field} must be a whole number of kobo.`, { field });
  }
}

/**
 * Write one balanced journal entry. Accounts are locked in id order first, so the balance read
 * here is the one the postings will change: an overdraft is refused with a clear error before any
 * write. The database enforces the same rules again (balance CHECKs, the deferred balance trigger).
 */
export async function postEntry(
  trx: Trx,
  input: EntryInput,
  /**
   * The caller holds the locks on every account of the entry and has proven no overdraft can
   * follow (posting a hold: the money was reserved): skip the lock-and-check round trip. The
   * balance CHECKs still apply.
   */
  options: { accountsLockedAndCovered?: boolean } = {},
): Promise<number> {
  if (input.postings.length < 2) {
    throw new Error("ledger: an entry needs at least two postings");
  }
  let sum = 0;
  for (const p of input.postings) {
    assertKobo(p.amount);
    if (p.amount === 0) {
      throw new Error("ledger: a posting cannot be zero");
    }
    sum += p.amount;
  }
  if (sum !== 0) {
    throw new Error(`ledger: entry "${input.type}" does not balance (sum ${sum})`);
  }

  if (!options.accountsLockedAndCovered) {
    const ids = input.postings.map((p) => p.accountId);
    const accounts = await lockAccounts(trx, ids);
    for (const [accountId, delta] of netByAccount(input.postings)) {
      const account = accounts.get(accountId);
      if (account && !account.allowNegative && delta < 0 && account.balance - account.held + delta < 0) {
        throw new InsufficientFundsError(account.balance - account.held, -delta);
      }
    }
  }

  const entry = await trx
    .insertInto("journal_entries")
    .values({
      type: input.type,
      description: input.description,
      actor: input.actor,
      reason: input.reason ?? null,
      hold_id: input.holdId ?? null,
      reverses_entry_id: input.reversesEntryId ?? null,
      idempotency_key_id: input.idempotencyKeyId ?? null,
      metadata: input.metadata ?? {},
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  await trx
    .insertInto("postings")
    .values(input.postings.map((p) => ({ entry_id: entry.id, account_id: p.accountId, amount: p.amount })))
    .execute();
  return entry.id;
}

function netByAccount(postings: PostingInput[]): Map<number, number> {
  const net = new Map<number, number>();
  for (const p of postings) {
    net.set(p.accountId, (net.get(p.accountId) ?? 0) + p.amount);
  }
  return net;
}
