import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ConflictError } from "../errors";
import { assertAcceptablePin, hashPin } from "./pin-hash";
import { checkPinLocked } from "./verify-pin";

export const SetPinInput = z.strictObject({
  pin: z.string(),
  /** Required when a PIN already exists (change); absent for the first set-up. */
  currentPin: z.string().optional(),
});
export type SetPinInput = z.input<typeof SetPinInput>;

/**
 * Set the first PIN, or change it (with the current PIN, which counts toward the lockout like any
 * other attempt). Returns whether this was a change.
 */
export async function setOrChangePin(args: {
  ctx: ServiceContext;
  userId: string;
  input: SetPinInput;
}): Promise<{ changed: boolean }> {
  const input = SetPinInput.parse(args.input);
  const { ctx, userId } = args;
  assertAcceptablePin(input.pin);
  const newHash = await hashPin(ctx.config, input.pin);
  const outcome = await withTransaction(ctx, async (trx) => {
    const existing = await trx
      .selectFrom("user_pins")
      .select("user_id")
      .where("user_id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!existing) {
      if (input.currentPin !== undefined) {
        return {
          error: new ConflictError("You have no PIN yet; set one without currentPin.", "PIN_NOT_SET"),
        };
      }
      const inserted = await trx
        .insertInto("user_pins")
        .values({ user_id: userId, pin_hash: newHash })
        .onConflict((oc) => oc.column("user_id").doNothing())
        .returning("user_id")
        .executeTakeFirst();
      if (!inserted) {
        return { error: pinAlreadySet() };
      }
      await recordAudit(trx, {
        actorType: "user",
        actorId: userId,
        action: "pin.set",
        targetType: "user",
        targetId: userId,
      });
      return { changed: false };
    }
    if (input.currentPin === undefined) {
      return { error: pinAlreadySet() };
    }
    const check = await checkPinLocked(trx, ctx, userId, input.currentPin);
    if (!check.ok) {
      return { error: check.error };
    }
    await trx
      .updateTable("user_pins")
      .set({ pin_hash: newHash, failed_attempts: 0, locked_until: null, updated_at: ctx.now() })
      .where("user_id", "=", userId)
      .execute();
    await recordAudit(trx, {
      actorType: "user",
      actorId: userId,
      action: "pin.change",
      targetType: "user",
      targetId: userId,
    });
    return { changed: true };
  });
  // Errors are returned, not thrown, inside the transaction so a failed attempt's count is committed.
  if ("error" in outcome) {
    throw outcome.error;
  }
  return outcome;
}

function pinAlreadySet(): ConflictError {
  return new ConflictError(
    "You already have a PIN. To change it send currentPin too; if you forgot it use forgot-pin.",
    "PIN_ALREADY_SET",
  );
}

/** Whether the user has chosen a transaction PIN yet (chats offer to set one up when not). */
export async function hasPin(args: { ctx: Pick<ServiceContext, "db">; userId: string }): Promise<boolean> {
  const row = await args.ctx.db
    .selectFrom("user_pins")
    .select("user_id")
    .where("user_id", "=", args.userId)
    .executeTakeFirst();
  return row !== undefined;
}
