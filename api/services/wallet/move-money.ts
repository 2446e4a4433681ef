import { sql } from "kysely";
import { z } from "zod";
import type { ServiceContext } from "../context";
import {
  assertIdempotencyKey,
  type EntryType,
  fingerprintOf,
  ledgerCallError,
  SYSTEM_ACCOUNT_CODES,
} from "../ledger";
import type { WalletBalance } from "./balance";

export const MoveMoneyInput = z.strictObject({
  userId: z.string().min(1),
  amountKobo: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** The other side of the entry: where a credit comes from, or where a debit goes. */
  counterparty: z.enum(SYSTEM_ACCOUNT_CODES),
  type: z.enum(["wallet_credit", "wallet_debit", "transfer"]).optional(),
  description: z.string().min(1).max(200),
  idempotencyKey: z.string().min(1).max(255),
  actor: z.string().min(1),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type MoveMoneyInput = z.input<typeof MoveMoneyInput>;

export type MoveMoneyResult = { entryId: number; amountKobo: number; replayed: boolean } & WalletBalance;

/** Credit a user's wallet from a system account (funding, refunds, promotions). Idempotent per key. */
export function creditWallet(args: { ctx: ServiceContext; input: MoveMoneyInput }): Promise<MoveMoneyResult> {
  return moveMoney(args.ctx, MoveMoneyInput.parse(args.input), "credit");
}

/** Debit a user's wallet into a system account. Refused (nothing written) when available balance is short. */
export function debitWallet(args: { ctx: ServiceContext; input: MoveMoneyInput }): Promise<MoveMoneyResult> {
  return moveMoney(args.ctx, MoveMoneyInput.parse(args.input), "debit");
}

/**
 * One call of ledger_move_wallet (db/migrations/2026_12_06_1100_wallet_move_function.ts): the
 * idempotency key, both account locks, the entry, its postings, the balance and the stored response
 * in one statement, so a busy wallet is locked for one statement instead of ten round trips
 * (DECISIONS §1). Inside a caller's transaction it is part of that transaction.
 */
async function moveMoney(
  ctx: ServiceContext,
  input: z.output<typeof MoveMoneyInput>,
  direction: "credit" | "debit",
): Promise<MoveMoneyResult> {
  const type: EntryType = input.type ?? (direction === "credit" ? "wallet_credit" : "wallet_debit");
  const operation = `wallet.${direction}`;
  assertIdempotencyKey(input.idempotencyKey);
  // The same fingerprint as runIdempotent's, so a key's replay matches whichever path stored it.
  const fingerprint = fingerprintOf(operation, {
    amountKobo: input.amountKobo,
    counterparty: input.counterparty,
    type,
  });
  const signed = direction === "credit" ? input.amountKobo : -input.amountKobo;
  try {
    const { rows } = await sql<{ response: Omit<MoveMoneyResult, "replayed">; replayed: boolean }>`
      SELECT response, replayed FROM ledger_move_wallet(
        ${`user:${input.userId}`}, ${input.idempotencyKey}, ${operation}, ${fingerprint}, ${input.userId},
        ${input.counterparty}, ${ctx.config.SYSTEM_ACCOUNT_SHARDS}::int, ${signed}::bigint, ${type},
        ${input.description}, ${input.actor}, ${JSON.stringify(input.metadata ?? {})}::jsonb)`.execute(
      ctx.db,
    );
    const row = rows[0];
    if (!row) {
      throw new Error("ledger_move_wallet returned no row");
    }
    return { ...row.response, replayed: row.replayed };
  } catch (error) {
    throw ledgerCallError(error);
  }
}
