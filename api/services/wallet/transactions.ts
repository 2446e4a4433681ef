import { z } from "zod";
import type { ServiceContext } from "../context";
import { ValidationError } from "../errors";
import { getWalletAccountId } from "../ledger";

export const ListTransactionsInput = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});
export type ListTransactionsInput = z.input<typeof ListTransactionsInput>;

export type WalletTransaction = {
  id: number;
  entryId: number;
  type: string;
  description: string;
  /** Positive = money in, negative = money out. */
  amountKobo: number;
  balanceAfterKobo: number;
  createdAt: string;
};

export type WalletStatement = { items: WalletTransaction[]; nextCursor: string | null };

/**
 * The wallet statement, newest first, with an opaque cursor (keyset pagination on the posting id:
 * stable while new postings arrive, unlike offsets).
 */
export async function listWalletTransactions(args: {
  ctx: Pick<ServiceContext, "db">;
  userId: string;
  input: ListTransactionsInput;
}): Promise<WalletStatement> {
  const input = ListTransactionsInput.parse(args.input);
  const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const accountId = await getWalletAccountId(args.ctx.db, args.userId);
  let query = args.ctx.db
    .selectFrom("postings as p")
    .innerJoin("journal_entries as e", "e.id", "p.entry_id")
    .select([
      "p.id",
      "p.entry_id",
      "e.type",
      "e.description",
      "p.amount",
      "p.current_balance",
      "p.created_at",
    ])
    .where("p.account_id", "=", accountId)
    .orderBy("p.id", "desc")
    .limit(input.limit + 1);
  if (before !== undefined) {
    query = query.where("p.id", "<", before);
  }
  const rows = await query.execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      entryId: r.entry_id,
      type: r.type,
      description: r.description,
      amountKobo: r.amount,
      balanceAfterKobo: r.current_balance,
      createdAt: r.created_at.toISOString(),
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null,
  };
}

function encodeCursor(id: number): string {
  return Buffer.from(`p:${id}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^p:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match?.[1]) {
    throw new ValidationError("cursor is not valid; use the nextCursor value from the previous page.", {
      field: "cursor",
    });
  }
  return Number(match[1]);
}
