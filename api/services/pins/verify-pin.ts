import { type ServiceContext, type Trx, withTransaction } from "../context";
import { IncorrectPinError, PinLockedError, ServiceError } from "../errors";
import { pinMatches, rememberPinHash } from "./pin-hash";

export type PinCheckOutcome = { ok: true } | { ok: false; error: ServiceError };

/**
 * Check a user's transaction PIN (S2, S3). The verdict of each guess is recorded one at a time on the
 * credentials row locked FOR UPDATE; the failure count and lock live in PostgreSQL, committed even
 * when the PIN is wrong, so neither a restart nor a flushed cache resets them. After
 * PIN_MAX_ATTEMPTS consecutive failures the PIN locks for PIN_LOCK_MINUTES.
 */
export type PinRow = { pin_hash: string; locked_until: Date | null; failed_attempts: number };

export async function verifyPin(args: {
  ctx: ServiceContext;
  userId: string;
  pin: string;
  /** The credentials row (null: no PIN set) when the caller already read it in a statement of its own. */
  firstRead?: PinRow | null;
}): Promise<void> {
  const { ctx, userId } = args;
  if (ctx.db.isTransaction) {
    const outcome = await checkPinLocked(ctx.db as Trx, ctx, userId, args.pin);
    if (!outcome.ok) {
      throw outcome.error;
    }
    return;
  }
  // bcrypt runs outside the transaction (no connection or row lock held for ~250 ms); the verdict is
  // then applied on the locked row, so concurrent guesses are still counted one at a time.
  for (let round = 0; round < 3; round++) {
    const row =
      round === 0 && args.firstRead !== undefined
        ? (args.firstRead ?? undefined)
        : await ctx.db
            .selectFrom("user_pins")
            .select(["pin_hash", "locked_until", "failed_attempts"])
            .where("user_id", "=", userId)
            .executeTakeFirst();
    if (!row) {
      throw pinNotSet();
    }
    if (row.locked_until && row.locked_until > ctx.now()) {
      throw new PinLockedError(row.locked_until);
    }
    const matches = await pinMatches(ctx.config, args.pin, row.pin_hash);
    if (matches && row.failed_attempts === 0 && row.locked_until === null) {
      // Nothing to reset: the check stands as of the read (a PIN changed after it applies from the
      // next purchase on), so the usual case costs one statement, not a locking transaction.
      rememberPinHash(userId, row.pin_hash);
      return;
    }
    const outcome = await withTransaction(ctx, (trx) =>
      applyVerdict(trx, ctx, userId, row.pin_hash, matches),
    );
    if (outcome === "hash-changed") {
      continue; // the PIN changed while we compared: compare against the new one
    }
    if (!outcome.ok) {
      throw outcome.error;
    }
    return;
  }
  throw new ServiceError("conflict", "PIN_CHANGING", "Your PIN is being changed. Try again in a moment.");
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
    .select(["pin_hash", "locked_until"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    return { ok: false, error: pinNotSet() };
  }
  if (row.locked_until && row.locked_until > ctx.now()) {
    return { ok: false, error: new PinLockedError(row.locked_until) };
  }
  const outcome = await applyVerdict(
    trx,
    ctx,
    userId,
    row.pin_hash,
    await pinMatches(ctx.config, pin, row.pin_hash),
  );
  return outcome === "hash-changed" ? { ok: false, error: pinNotSet() } : outcome;
}

function pinNotSet(): ServiceError {
  return new ServiceError("conflict", "PIN_NOT_SET", "Set a transaction PIN first (POST /api/auth/pin).");
}

/**
 * The one place a PIN check's result is recorded (S2, S3), on the locked credentials row: a lock
 * wins over everything, a match clears the failures, a miss counts and locks at PIN_MAX_ATTEMPTS.
 */
async function applyVerdict(
  trx: Trx,
  ctx: ServiceContext,
  userId: string,
  comparedHash: string,
  matches: boolean,
): Promise<PinCheckOutcome | "hash-changed"> {
  const row = await trx
    .selectFrom("user_pins")
    .select(["pin_hash", "failed_attempts", "locked_until", "lockouts"])
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    return { ok: false, error: pinNotSet() };
  }
  if (row.pin_hash !== comparedHash) {
    return "hash-changed";
  }
  const now = ctx.now();
  if (row.locked_until && row.locked_until > now) {
    return { ok: false, error: new PinLockedError(row.locked_until) };
  }
  if (matches) {
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
