import { type ServiceContext, type Trx, withTransaction } from "../context";
import { IncorrectPinError, PinLockedError, ServiceError } from "../errors";
import { pinMatches } from "./pin-hash";

export type PinCheckOutcome = { ok: true } | { ok: false; error: ServiceError };

/**
 * Check a user's transaction PIN (S2, S3). The credentials row is locked FOR UPDATE so concurrent
 * guesses are evaluated one at a time; the failure count and lock live in PostgreSQL, committed even
 * when the PIN is wrong, so neither a restart nor a flushed cache resets them. After
 * PIN_MAX_ATTEMPTS consecutive failures the PIN locks for PIN_LOCK_MINUTES.
 */
export async function verifyPin(args: { ctx: ServiceContext; userId: string; pin: string }): Promise<void> {
  const outcome = await withTransaction(args.ctx, (trx) =>
    checkPinLocked(trx, args.ctx, args.userId, args.pin),
  );
  if (!outcome.ok) {
    throw outcome.error;
  }
}

/** For callers already inside a transaction. The caller must commit even on failure to keep the count. */
export async function checkPinLocked(
  trx: Trx,
  ctx: ServiceContext,
  userId: string,
  pin: string,
): Promise<PinCheckOutcome> {
  const row = await trx
    .selectFrom("user_pins")
    .select(["pin_hash", "failed_attempts", "locked_until", "lockouts"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    return {
      ok: false,
      error: new ServiceError("conflict", "PIN_NOT_SET", "Set a transaction PIN first (POST /api/auth/pin)."),
    };
  }
  const now = ctx.now();
  if (row.locked_until && row.locked_until > now) {
    return { ok: false, error: new PinLockedError(row.locked_until) };
  }
  if (await pinMatches(ctx.config, pin, row.pin_hash)) {
    if (row.failed_attempts > 0 || row.locked_until) {
      await trx
        .updateTable("user_pins")
        .set({ failed_attempts: 0, locked_until: null, updated_at: now })
        .where("user_id", "=", userId)
        .execute();
    }
    return { ok: true };
  }
  const failures = row.failed_attempts + 1;
  const max = ctx.config.PIN_MAX_ATTEMPTS;
  if (failures >= max) {
    const lockedUntil = new Date(now.getTime() + ctx.config.PIN_LOCK_MINUTES * 60_000);
    await trx
      .updateTable("user_pins")
      .set({ failed_attempts: 0, locked_until: lockedUntil, lockouts: row.lockouts + 1, updated_at: now })
      .where("user_id", "=", userId)
      .execute();
    ctx.logger.warn({ userId, lockedUntil }, "transaction PIN locked after repeated failures");
    return { ok: false, error: new PinLockedError(lockedUntil) };
  }
  await trx
    .updateTable("user_pins")
    .set({ failed_attempts: failures, updated_at: now })
    .where("user_id", "=", userId)
    .execute();
  return { ok: false, error: new IncorrectPinError(max - failures) };
}
