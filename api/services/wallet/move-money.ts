import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import {
  type EntryType,
  getSystemAccountId,
  getWalletAccountId,
  postEntry,
  runIdempotent,
  SYSTEM_ACCOUNT_CODES,
} from "../ledger";
import { getWalletBalance, type WalletBalance } from "./balance";

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

async function moveMoney(
  ctx: ServiceContext,
  input: z.output<typeof MoveMoneyInput>,
  direction: "credit" | "debit",
): Promise<MoveMoneyResult> {
  const type: EntryType = input.type ?? (direction === "credit" ? "wallet_credit" : "wallet_debit");
  const operation = `wallet.${direction}`;
  const { result, replayed } = await withTransaction(ctx, (trx) =>
    runIdempotent(
      trx,
      {
        scope: `user:${input.userId}`,
        key: input.idempotencyKey,
        operation,
        params: { amountKobo: input.amountKobo, counterparty: input.counterparty, type },
      },
      async (idempotencyKeyId) => {
        const wallet = await getWalletAccountId(trx, input.userId);
        const other = await getSystemAccountId(trx, input.counterparty);
        const signed = direction === "credit" ? input.amountKobo : -input.amountKobo;
        const entryId = await postEntry(trx, {
          type,
          description: input.description,
          actor: input.actor,
          idempotencyKeyId,
          metadata: input.metadata,
          postings: [
            { accountId: wallet, amount: signed },
            { accountId: other, amount: -signed },
          ],
        });
        const balance = await getWalletBalance({ ctx: { ...ctx, db: trx }, userId: input.userId });
        return { entryId, amountKobo: input.amountKobo, ...balance };
      },
    ),
  );
  return { ...result, replayed };
}
