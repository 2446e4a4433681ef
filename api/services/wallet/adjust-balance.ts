import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ForbiddenError, InsufficientFundsError, NotFoundError } from "../errors";
import { getWalletAccountId, postEntry, runIdempotent, SYSTEM_ACCOUNTS, systemAccountFor } from "../ledger";
import { formatNaira } from "../money";
import { getWalletBalance, type WalletBalance } from "./balance";

export const AdjustBalanceInput = z.strictObject({
  adminId: z.string().min(1),
  userId: z.string().min(1),
  /** Signed: positive credits the wallet, negative debits it. */
  amountKobo: z
    .number()
    .int()
    .refine((v) => v !== 0 && Number.isSafeInteger(v), "must be a non-zero whole number of kobo"),
  reason: z.string().trim().min(5, "say why (at least 5 characters)").max(500),
  idempotencyKey: z.string().min(1).max(255),
});
export type AdjustBalanceInput = z.input<typeof AdjustBalanceInput>;

/**
 * A debit larger than what the customer can spend (balance − held), said to the admin: the
 * ledger's own InsufficientFundsError speaks to the customer ("Fund your wallet"), which is no help
 * to the person adjusting. Same class, code and details, so a script can still match on them.
 */
export function debitExceedsAvailableError(
  availableKobo: number,
  debitKobo: number,
  when: "request" | "approval" = "request",
): InsufficientFundsError {
  const available = formatNaira(Math.max(availableKobo, 0));
  const message =
    when === "approval"
      ? `This customer has ${available} available now, less than this debit of ${formatNaira(debitKobo)}; reject the request, or approve it once the balance covers it.`
      : `This customer has ${available} available; a debit can be at most that.`;
  return new InsufficientFundsError(availableKobo, debitKobo, message);
}

const ROLES_THAT_ADJUST = new Set(["super_admin", "admin"]);

/**
 * Admin balance adjustment: its own entry type with a mandatory reason, against the adjustments
 * system account, with an audit row (before/after) in the same transaction. Support staff cannot.
 */
export async function adjustWalletBalance(args: {
  ctx: ServiceContext;
  input: AdjustBalanceInput;
  /** Whose words a refused debit uses: the requesting admin's (default) or the approving one's. */
  debitCheckedAt?: "request" | "approval";
}): Promise<{ entryId: number; replayed: boolean } & WalletBalance> {
  const input = AdjustBalanceInput.parse(args.input);
  const { result, replayed } = await withTransaction(args.ctx, async (trx) => {
    const admin = await trx
      .selectFrom("admin_users")
      .select(["id", "role", "status"])
      .where("id", "=", input.adminId)
      .executeTakeFirst();
    if (admin?.status !== "active") {
      throw new NotFoundError("Admin");
    }
    if (!ROLES_THAT_ADJUST.has(admin.role)) {
      throw new ForbiddenError("Your role cannot adjust balances; ask an admin.", "ROLE_FORBIDDEN");
    }
    return runIdempotent(
      trx,
      {
        scope: `admin:${admin.id}`,
        key: input.idempotencyKey,
        operation: "wallet.adjust",
        params: { userId: input.userId, amountKobo: input.amountKobo, reason: input.reason },
      },
      async (idempotencyKeyId) => {
        const scoped = { db: trx };
        const before = await getWalletBalance({ ctx: scoped, userId: input.userId });
        const wallet = await getWalletAccountId(trx, input.userId);
        const adjustments = await systemAccountFor(args.ctx, trx, SYSTEM_ACCOUNTS.adjustments, wallet);
        const entryId = await postEntry(trx, {
          type: "admin_adjustment",
          description: input.amountKobo > 0 ? "Balance adjustment (credit)" : "Balance adjustment (debit)",
          reason: input.reason,
          actor: `admin:${admin.id}`,
          idempotencyKeyId,
          postings: [
            { accountId: wallet, amount: input.amountKobo },
            { accountId: adjustments, amount: -input.amountKobo },
          ],
        }).catch((error: unknown) => {
          // postEntry refuses the overdraft under the wallet's lock, before any write.
          if (error instanceof InsufficientFundsError) {
            throw debitExceedsAvailableError(
              Number(error.details?.availableKobo ?? 0),
              -input.amountKobo,
              args.debitCheckedAt,
            );
          }
          throw error;
        });
        const after = await getWalletBalance({ ctx: scoped, userId: input.userId });
        await recordAudit(trx, {
          actorType: "admin",
          actorId: admin.id,
          action: "wallet.adjust",
          targetType: "user",
          targetId: input.userId,
          before,
          after: { ...after, entryId, amountKobo: input.amountKobo },
          reason: input.reason,
          requestId: args.ctx.requestId,
        });
        return { entryId, ...after };
      },
    );
  });
  return { ...result, replayed };
}
