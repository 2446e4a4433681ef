import { z } from "zod";
import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ConflictError, NotFoundError } from "../errors";
import { sha256 } from "../hashing";
import { newId, secretToken } from "../ids";
import { API_KEY_PREFIX } from "./sessions";

const MAX_ACTIVE_KEYS = 10;

export const CreateApiKeyInput = z.strictObject({ name: z.string().trim().min(1).max(60) });
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export type ApiKeyDto = {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it in a list. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** A reseller API key, usable as a bearer credential. The full key is returned once and never stored. */
export async function createApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  input: CreateApiKeyInput;
}): Promise<ApiKeyDto & { key: string }> {
  const input = CreateApiKeyInput.parse(args.input);
  const key = secretToken(API_KEY_PREFIX);
  const row = await withTransaction(args.ctx, async (trx) => {
    await trx
      .selectFrom("users")
      .select("id")
      .where("id", "=", args.userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const active = await trx
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", args.userId)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    if (active.n >= MAX_ACTIVE_KEYS) {
      throw new ConflictError(
        `You already have ${MAX_ACTIVE_KEYS} active API keys. Revoke one first.`,
        "TOO_MANY_API_KEYS",
      );
    }
    const inserted = await trx
      .insertInto("api_keys")
      .values({
        id: newId("key"),
        user_id: args.userId,
        name: input.name,
        prefix: key.slice(0, 12),
        key_hash: sha256(key),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "api_key.create",
      targetType: "api_key",
      targetId: inserted.id,
      requestId: args.ctx.requestId,
    });
    return inserted;
  });
  return { ...apiKeyDto(row), key };
}

export async function listApiKeys(args: { ctx: ServiceContext; userId: string }): Promise<ApiKeyDto[]> {
  const rows = await args.ctx.db
    .selectFrom("api_keys")
    .selectAll()
    .where("user_id", "=", args.userId)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(apiKeyDto);
}

/** Revoke one of the caller's keys. Someone else's key id is a 404, never a 403 (S6). */
export async function revokeApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  keyId: string;
}): Promise<ApiKeyDto> {
  return withTransaction(args.ctx, async (trx) => {
    const row = await trx
      .updateTable("api_keys")
      .set((eb) => ({ revoked_at: eb.fn.coalesce("revoked_at", eb.val(args.ctx.now())) }))
      .where("id", "=", args.keyId)
      .where("user_id", "=", args.userId)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError("API key");
    }
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: row.id,
      requestId: args.ctx.requestId,
    });
    return apiKeyDto(row);
  });
}

/** A key row (reseller or admin: the same columns) as clients see it; never the hash. */
export function apiKeyDto(row: {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
