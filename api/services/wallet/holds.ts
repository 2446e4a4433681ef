import { z } from "zod";
import { type ServiceContext, withTransaction } from "../context";
import {
  createHold,
  getWalletAccountId,
  postHold,
  runIdempotent,
  SYSTEM_ACCOUNT_CODES,
  systemAccountFor,
  voidHold,
} from "../ledger";

export const HoldFundsInput = z.strictObject({
  userId: z.string().min(1),
  amountKobo: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  destination: z.enum(SYSTEM_ACCOUNT_CODES),
  description: z.string().min(1).max(200),
  reference: z.string().max(100).optional(),
  idempotencyKey: z.string().min(1).max(255),
});
export type HoldFundsInput = z.input<typeof HoldFundsInput>;

/** Reserve wallet money for a purchase or withdrawal (pending until posted or voided). Idempotent per key. */
export async function holdWalletFunds(args: {
  ctx: ServiceContext;
  input: HoldFundsInput;
}): Promise<{ holdId: number; replayed: boolean }> {
  const input = HoldFundsInput.parse(args.input);
  const { result, replayed } = await withTransaction(args.ctx, (trx) =>
    runIdempotent(
      trx,
      {
        scope: `user:${input.userId}`,
        key: input.idempotencyKey,
        operation: "wallet.hold",
        params: { amountKobo: input.amountKobo, destination: input.destination, reference: input.reference },
      },
      async (idempotencyKeyId) => {
        const wallet = await getWalletAccountId(trx, input.userId);
        const holdId = await createHold(trx, {
          accountId: wallet,
          destinationAccountId: await systemAccountFor(args.ctx, trx, input.destination, wallet),
          amount: input.amountKobo,
          description: input.description,
          reference: input.reference,
          idempotencyKeyId,
        });
        return { holdId };
      },
    ),
  );
  return { ...result, replayed };
}

/** Post a hold (fully, or partly releasing the rest). A hold resolves exactly once. */
export function postWalletHold(args: {
  ctx: ServiceContext;
  input: { holdId: number; amountKobo?: number; actor: string; description?: string };
}): Promise<{ entryId: number; postedAmount: number }> {
  const { holdId, amountKobo, actor, description } = args.input;
  return withTransaction(args.ctx, (trx) =>
    postHold(trx, { holdId, amount: amountKobo, actor, description, now: args.ctx.now() }),
  );
}

/** Release a hold: the money becomes available again. */
export function voidWalletHold(args: { ctx: ServiceContext; input: { holdId: number } }): Promise<void> {
  return withTransaction(args.ctx, (trx) =>
    voidHold(trx, { holdId: args.input.holdId, now: args.ctx.now() }),
  );
}
