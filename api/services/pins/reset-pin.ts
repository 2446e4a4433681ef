import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { RateLimitedError, type ServiceError, ValidationError } from "../errors";
import { constantTimeEqual, hmacSha256 } from "../hashing";
import { numericCode } from "../ids";
import { queueNotification } from "../notifications";
import { assertAcceptablePin, hashPin } from "./pin-hash";

const MAX_CODE_ATTEMPTS = 5;
const MAX_REQUESTS_PER_HOUR = 5;

/**
 * Forgot PIN: a 6-digit one-time code delivered through the user's chat channel (a notification the
 * bots deliver). In sandbox mode (no real money) the code is also logged and returned, so it can be
 * used by hand: an account made with curl has no chat to receive it (README "Try it").
 */
export async function requestPinReset(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<{ expiresAt: string; sandboxResetCode?: string }> {
  const { ctx, userId } = args;
  const code = numericCode(6);
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.config.PIN_RESET_CODE_TTL_MINUTES * 60_000);
  await withTransaction(ctx, async (trx) => {
    // Serialise requests per user so the hourly cap cannot be raced.
    await trx.selectFrom("users").select("id").where("id", "=", userId).forUpdate().executeTakeFirstOrThrow();
    const recent = await trx
      .selectFrom("pin_reset_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("created_at", ">", new Date(now.getTime() - 3_600_000))
      .executeTakeFirstOrThrow();
    if (recent.n >= MAX_REQUESTS_PER_HOUR) {
      throw new RateLimitedError(3600);
    }
    // Only the newest code works.
    await trx
      .updateTable("pin_reset_codes")
      .set({ used_at: now })
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .execute();
    await trx
      .insertInto("pin_reset_codes")
      .values({
        user_id: userId,
        code_hash: hashResetCode(ctx, code),
        expires_at: expiresAt,
        created_at: now,
      })
      .execute();
    await queueNotification(trx, {
      userId,
      kind: "pin_reset_code",
      body: `Your TADA PIN reset code is ${code}. It expires in ${ctx.config.PIN_RESET_CODE_TTL_MINUTES} minutes. Never share it with anyone.`,
      // The values of the message, for the chat to show it in the person's language.
      payload: { notice: { code, minutes: ctx.config.PIN_RESET_CODE_TTL_MINUTES } },
    });
  });
  if (ctx.config.sandbox) {
    ctx.logger.info({ userId, sandboxResetCode: code }, `SANDBOX: PIN reset code for ${userId} is ${code}`);
    return { expiresAt: expiresAt.toISOString(), sandboxResetCode: code };
  }
  return { expiresAt: expiresAt.toISOString() };
}

export const ResetPinInput = z.strictObject({
  resetCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "is the 6-digit code we sent you"),
  newPin: z.string(),
});
export type ResetPinInput = z.input<typeof ResetPinInput>;

/** Replace the PIN with a valid reset code; clears any lockout. A code allows 5 wrong tries. */
export async function resetPin(args: {
  ctx: ServiceContext;
  userId: string;
  input: ResetPinInput;
}): Promise<void> {
  const input = ResetPinInput.parse(args.input);
  const { ctx, userId } = args;
  assertAcceptablePin(input.newPin, "newPin");
  const newHash = await hashPin(ctx.config, input.newPin);
  const error = await withTransaction(ctx, async (trx) => {
    const now = ctx.now();
    const row = await trx
      .selectFrom("pin_reset_codes")
      .select(["id", "code_hash", "attempts"])
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("id", "desc")
      .forUpdate()
      .executeTakeFirst();
    if (!row) {
      return invalidCode();
    }
    if (!constantTimeEqual(row.code_hash, hashResetCode(ctx, input.resetCode))) {
      const attempts = row.attempts + 1;
      await trx
        .updateTable("pin_reset_codes")
        .set({ attempts, ...(attempts >= MAX_CODE_ATTEMPTS ? { used_at: now } : {}) })
        .where("id", "=", row.id)
        .execute();
      return invalidCode();
    }
    await trx.updateTable("pin_reset_codes").set({ used_at: now }).where("id", "=", row.id).execute();
    await trx
      .insertInto("user_pins")
      .values({ user_id: userId, pin_hash: newHash, updated_at: now })
      .onConflict((oc) =>
        oc
          .column("user_id")
          .doUpdateSet({ pin_hash: newHash, failed_attempts: 0, locked_until: null, updated_at: now }),
      )
      .execute();
    await recordAudit(trx, {
      actorType: "user",
      actorId: userId,
      action: "pin.reset",
      targetType: "user",
      targetId: userId,
    });
    return undefined;
  });
  if (error) {
    throw error;
  }
}

function invalidCode(): ServiceError {
  return new ValidationError(
    "That reset code is wrong or expired. Check the latest code we sent you, or ask for a new one with forgot-pin.",
    { field: "resetCode" },
    "INVALID_RESET_CODE",
  );
}

function hashResetCode(ctx: ServiceContext, code: string): string {
  return hmacSha256(ctx.config.pinPepper, `pin-reset:${code}`);
}
