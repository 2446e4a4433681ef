import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { closeStaticAccounts } from "../funding/virtual-accounts";
import { levelLimits, levelName } from "../users/levels";
import { hasRole, type SignedInAdmin } from "./sessions";

export const UserActionInput = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("suspend"), reason: z.string().trim().min(3).max(500) }),
  z.strictObject({ action: z.literal("reactivate"), reason: z.string().trim().min(3).max(500) }),
  z.strictObject({ action: z.literal("clear_pin_lock"), reason: z.string().trim().min(3).max(500) }),
  z.strictObject({
    action: z.literal("set_level"),
    level: z.coerce.number().int().min(0).max(3),
    reason: z.string().trim().min(3).max(500),
  }),
]);
export type UserActionInput = z.input<typeof UserActionInput>;

/**
 * What an admin can do to a customer's account (not money: balance adjustments have their own
 * maker-checker path). Only `admin` and `super_admin` may (S7); each action writes its audit row,
 * with before and after, in the same transaction as the change. An action that finds the account
 * already that way (suspending a suspended customer) changes nothing and writes no audit row.
 */
export async function applyUserAction(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id" | "role">;
  userId: string;
  input: UserActionInput;
}): Promise<{ action: string; changed: boolean }> {
  const { ctx, admin, userId } = args;
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError("Support can look, not change: ask an admin to do this.", "ROLE_REQUIRED");
  }
  const parsed = UserActionInput.safeParse(args.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `${issue?.path.join(".") || "action"}: ${issue?.message ?? "is invalid"}. Every action needs a reason of at least 3 characters.`,
    );
  }
  const input = parsed.data;
  return withTransaction(ctx, async (trx) => {
    const user = await trx
      .selectFrom("users")
      .select(["id", "status", "verification_level"])
      .where("id", "=", userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) {
      throw new NotFoundError("User");
    }
    let before: unknown;
    let after: unknown;
    switch (input.action) {
      case "suspend":
      case "reactivate": {
        const status = input.action === "suspend" ? "suspended" : "active";
        before = { status: user.status };
        after = { status };
        await trx.updateTable("users").set({ status }).where("id", "=", userId).execute();
        break;
      }
      case "set_level": {
        before = { level: user.verification_level, name: levelName(user.verification_level) };
        const changedTo: Record<string, unknown> = { level: input.level, name: levelName(input.level) };
        after = changedTo;
        await trx
          .updateTable("users")
          .set({ verification_level: input.level })
          .where("id", "=", userId)
          .execute();
        // Below the level that gets a permanent account number, the customer's one closes: transfers
        // into it go to the admin queue from now on (the gateway side is closed by the sweeper).
        if (!levelLimits(ctx.config, input.level).permanentAccount) {
          const closed = await closeStaticAccounts(trx, userId, ctx.now());
          if (closed > 0) {
            changedTo.accountNumberClosed = true;
          }
        }
        break;
      }
      case "clear_pin_lock": {
        const pin = await trx
          .selectFrom("user_pins")
          .select(["failed_attempts", "locked_until"])
          .where("user_id", "=", userId)
          .executeTakeFirst();
        before = {
          failedAttempts: pin?.failed_attempts ?? 0,
          lockedUntil: pin?.locked_until?.toISOString() ?? null,
        };
        after = { failedAttempts: 0, lockedUntil: null };
        await trx
          .updateTable("user_pins")
          .set({ failed_attempts: 0, locked_until: null })
          .where("user_id", "=", userId)
          .execute();
        break;
      }
    }
    const changed = JSON.stringify(before) !== JSON.stringify(after);
    if (!changed) {
      // Already that way (a second click, a retried script): nothing happened, so nothing to audit.
      return { action: input.action, changed };
    }
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: `user.${input.action}`,
      targetType: "user",
      targetId: userId,
      before,
      after,
      reason: input.reason,
    });
    return { action: input.action, changed };
  });
}
