import type { Trx } from "../context";
import { ConflictError, InsufficientFundsError, NotFoundError, ValidationError } from "../errors";
import { lockAccounts } from "./accounts";
import { assertKobo, postEntry } from "./post-entry";

export type CreateHoldInput = {
  accountId: number;
  /** Where the money goes if the hold is posted (e.g. VTU clearing). */
  destinationAccountId: number;
  amount: number;
  description: string;
  reference?: string;
  idempotencyKeyId?: number;
};

/** Reserve money on an account: available balance drops now, the balance moves only when posted. */
export async function createHold(trx: Trx, input: CreateHoldInput): Promise<number> {
  assertKobo(input.amount);
  if (input.amount <= 0) {
    throw new ValidationError("amountKobo must be greater than zero.", { field: "amountKobo" });
  }
  // Only the held account changes; the destination is untouched until the hold is posted (locking
  // it made every purchase queue on the clearing account).
  const accounts = await lockAccounts(trx, [input.accountId]);
  const account = accounts.get(input.accountId);
  if (account && !account.allowNegative && account.balance - account.held < input.amount) {
    throw new InsufficientFundsError(account.balance - account.held, input.amount);
  }
  const hold = await trx
    .insertInto("holds")
    .values({
      account_id: input.accountId,
      destination_account_id: input.destinationAccountId,
      amount: input.amount,
      description: input.description,
      reference: input.reference ?? null,
      idempotency_key_id: input.idempotencyKeyId ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return hold.id;
}

export type PostHoldInput = {
  holdId: number;
  /** Defaults to the full held amount; a smaller amount releases the rest (L9). */
  amount?: number;
  actor: string;
  description?: string;
  now: Date;
};

/** Move held money to the hold's destination. Exactly one of post/void ever succeeds (L8). */
export async function postHold(
  trx: Trx,
  input: PostHoldInput,
): Promise<{ entryId: number; postedAmount: number; sourceAccountId: number; destinationAccountId: number }> {
  const hold = await loadHold(trx, input.holdId);
  const amount = input.amount ?? hold.amount;
  assertKobo(amount);
  if (amount <= 0 || amount > hold.amount) {
    throw new ValidationError(`A hold of ${hold.amount} kobo can post between 1 and ${hold.amount} kobo.`);
  }
  await lockAccounts(trx, [hold.account_id, hold.destination_account_id]);
  await resolvePending(trx, input.holdId, {
    status: "posted",
    posted_amount: amount,
    resolved_at: input.now,
  });
  // Both accounts are locked above, and the amount was reserved: available stays ≥ 0 after the
  // release (held − hold.amount) and the debit (≤ hold.amount).
  const entryId = await postEntry(
    trx,
    {
      type: "hold_post",
      description: input.description ?? hold.description,
      actor: input.actor,
      holdId: hold.id,
      postings: [
        { accountId: hold.account_id, amount: -amount },
        { accountId: hold.destination_account_id, amount },
      ],
    },
    { accountsLockedAndCovered: true },
  );
  return {
    entryId,
    postedAmount: amount,
    sourceAccountId: hold.account_id,
    destinationAccountId: hold.destination_account_id,
  };
}

/** Release a hold without moving money. */
export async function voidHold(trx: Trx, input: { holdId: number; now: Date }): Promise<void> {
  const hold = await loadHold(trx, input.holdId);
  // Releasing changes only the held account (its held amount).
  await lockAccounts(trx, [hold.account_id]);
  await resolvePending(trx, input.holdId, { status: "voided", posted_amount: null, resolved_at: input.now });
}

async function loadHold(trx: Trx, holdId: number) {
  const hold = await trx.selectFrom("holds").selectAll().where("id", "=", holdId).executeTakeFirst();
  if (!hold) {
    throw new NotFoundError("Hold");
  }
  return hold;
}

/** The conditional update is the guard: a second resolver finds no pending row. */
async function resolvePending(
  trx: Trx,
  holdId: number,
  values: { status: "posted" | "voided"; posted_amount: number | null; resolved_at: Date },
): Promise<void> {
  const updated = await trx
    .updateTable("holds")
    .set(values)
    .where("id", "=", holdId)
    .where("status", "=", "pending")
    .returning("id")
    .executeTakeFirst();
  if (!updated) {
    const current = await trx
      .selectFrom("holds")
      .select("status")
      .where("id", "=", holdId)
      .executeTakeFirst();
    throw new ConflictError(
      `This hold is already ${current?.status ?? "resolved"}.`,
      "HOLD_ALREADY_RESOLVED",
      {
        status: current?.status,
      },
    );
  }
}
