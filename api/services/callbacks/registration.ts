import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ConflictError, NotFoundError, parseInput, ServiceError } from "../errors";
import { newCallbackSecret, sealCallbackSecret } from "./secret";
import { checkCallbackUrl, type LookupAll } from "./url-policy";

export const SetCallbackInput = z.strictObject({ url: z.string().trim().min(1).max(2048) });
export type SetCallbackInput = z.input<typeof SetCallbackInput>;

export type CallbackConfigDto = {
  apiKeyId: string;
  url: string;
  /** When the current signing secret was made (registration or the last rotation). */
  secretCreatedAt: string;
  createdAt: string;
  updatedAt: string;
};

type CallbackRow = {
  api_key_id: string;
  url: string;
  secret_rotated_at: Date;
  created_at: Date;
  updated_at: Date;
};

/** Who asks: the key's owner, signed in with a login session (routes under /api/api-keys). */
type Caller = { ctx: ServiceContext; userId: string; apiKeyId: string };

/**
 * Register (or change) the callback URL of one of the caller's API keys. The first registration
 * makes the signing secret and returns it — the only time it is ever shown; changing the URL later
 * keeps the secret (`secret` is null then; rotate-secret makes a new one). The URL is checked
 * (SSRF, url-policy.ts) before anything is written. A revoked key cannot get a callback.
 */
export async function setCallback(
  args: Caller & { input: SetCallbackInput; lookup?: LookupAll },
): Promise<{ callback: CallbackConfigDto; secret: string | null }> {
  const { ctx } = args;
  const input = parseInput(SetCallbackInput, args.input);
  const { url } = await checkCallbackUrl({
    url: input.url,
    sandbox: ctx.config.sandbox,
    lookup: args.lookup,
  });
  const now = ctx.now();
  return withTransaction(ctx, async (trx) => {
    await lockOwnKey(trx, args, { active: true });
    const existing = await trx
      .selectFrom("api_key_callbacks")
      .select("url")
      .where("api_key_id", "=", args.apiKeyId)
      .forUpdate()
      .executeTakeFirst();
    let secret: string | null = null;
    let row: CallbackRow;
    if (existing) {
      row = await trx
        .updateTable("api_key_callbacks")
        .set({ url: url.href, updated_at: now })
        .where("api_key_id", "=", args.apiKeyId)
        .returning(["api_key_id", "url", "secret_rotated_at", "created_at", "updated_at"])
        .executeTakeFirstOrThrow();
    } else {
      secret = newCallbackSecret();
      row = await trx
        .insertInto("api_key_callbacks")
        .values({
          api_key_id: args.apiKeyId,
          url: url.href,
          secret_encrypted: sealCallbackSecret(ctx.config, args.apiKeyId, secret),
          secret_rotated_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning(["api_key_id", "url", "secret_rotated_at", "created_at", "updated_at"])
        .executeTakeFirstOrThrow();
    }
    await audit(trx, args, existing ? "api_key.callback_change" : "api_key.callback_set", {
      before: existing ? { url: existing.url } : undefined,
      after: { url: url.href },
    });
    return { callback: callbackDto(row), secret };
  });
}

/** The key's callback (never the secret), or 404 CALLBACK_NOT_SET. */
export async function getCallback(args: Caller): Promise<CallbackConfigDto> {
  await lockOwnKey(args.ctx.db, args, { lock: false });
  const row = await args.ctx.db
    .selectFrom("api_key_callbacks")
    .select(["api_key_id", "url", "secret_rotated_at", "created_at", "updated_at"])
    .where("api_key_id", "=", args.apiKeyId)
    .executeTakeFirst();
  if (!row) {
    throw notSet();
  }
  return callbackDto(row);
}

/**
 * Remove the key's callback: nothing more is sent, and deliveries still waiting are given up now
 * (they show so in the log). Orders that settle later are not called back.
 */
export async function removeCallback(args: Caller): Promise<{ removed: CallbackConfigDto; givenUp: number }> {
  const { ctx } = args;
  return withTransaction(ctx, async (trx) => {
    await lockOwnKey(trx, args, {});
    const row = await trx
      .deleteFrom("api_key_callbacks")
      .where("api_key_id", "=", args.apiKeyId)
      .returning(["api_key_id", "url", "secret_rotated_at", "created_at", "updated_at"])
      .executeTakeFirst();
    if (!row) {
      throw notSet();
    }
    const now = ctx.now();
    const givenUp = await trx
      .updateTable("callback_deliveries")
      .set({
        status: "given_up",
        given_up_at: now,
        next_attempt_at: null,
        last_error: "The callback was removed before this was delivered.",
      })
      .where("api_key_id", "=", args.apiKeyId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    await audit(trx, args, "api_key.callback_remove", { before: { url: row.url } });
    return { removed: callbackDto(row), givenUp: Number(givenUp.numUpdatedRows) };
  });
}

/**
 * A new signing secret, shown once; the old one stops working at once (deliveries still retrying
 * are signed with the new one from their next attempt).
 */
export async function rotateCallbackSecret(
  args: Caller,
): Promise<{ callback: CallbackConfigDto; secret: string }> {
  const { ctx } = args;
  const secret = newCallbackSecret();
  const now = ctx.now();
  return withTransaction(ctx, async (trx) => {
    await lockOwnKey(trx, args, { active: true });
    const row = await trx
      .updateTable("api_key_callbacks")
      .set({
        secret_encrypted: sealCallbackSecret(ctx.config, args.apiKeyId, secret),
        secret_rotated_at: now,
        updated_at: now,
      })
      .where("api_key_id", "=", args.apiKeyId)
      .returning(["api_key_id", "url", "secret_rotated_at", "created_at", "updated_at"])
      .executeTakeFirst();
    if (!row) {
      throw notSet();
    }
    await audit(trx, args, "api_key.callback_rotate_secret", {});
    return { callback: callbackDto(row), secret };
  });
}

/**
 * The caller's own key, or 404 (another customer's key id is not found, never forbidden). In a
 * transaction it is locked (FOR NO KEY UPDATE), so changes to one key's callback, and its revoke,
 * happen one at a time; `active` refuses a revoked key.
 */
export async function lockOwnKey(
  db: ServiceContext["db"],
  args: Pick<Caller, "userId" | "apiKeyId">,
  options: { active?: boolean; lock?: boolean },
): Promise<void> {
  const key = await db
    .selectFrom("api_keys")
    .select(["id", "revoked_at"])
    .where("id", "=", args.apiKeyId)
    .where("user_id", "=", args.userId)
    .$if(options.lock !== false && db.isTransaction, (q) => q.forNoKeyUpdate())
    .executeTakeFirst();
  if (!key) {
    throw new NotFoundError("That API key", "API_KEY_NOT_FOUND");
  }
  if (options.active && key.revoked_at) {
    throw new ConflictError(
      "That API key is revoked, so it cannot have a callback. Make a new key and register the callback on it.",
      "API_KEY_REVOKED",
    );
  }
}

function notSet(): ServiceError {
  return new ServiceError(
    "not_found",
    "CALLBACK_NOT_SET",
    "That API key has no callback. Register one with PUT /api/api-keys/:id/callback.",
  );
}

async function audit(
  trx: Trx,
  args: Caller,
  action: string,
  values: { before?: unknown; after?: unknown },
): Promise<void> {
  await recordAudit(trx, {
    actorType: "user",
    actorId: args.userId,
    action,
    targetType: "api_key",
    targetId: args.apiKeyId,
    ...values,
    requestId: args.ctx.requestId,
  });
}

function callbackDto(row: CallbackRow): CallbackConfigDto {
  return {
    apiKeyId: row.api_key_id,
    url: row.url,
    secretCreatedAt: row.secret_rotated_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
