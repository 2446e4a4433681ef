import type { Selectable } from "kysely";
import { z } from "zod";
import type { ApiKeysTable } from "../../../db/database";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { sha256 } from "../hashing";
import { newId, secretToken } from "../ids";
import { canonicalAllowListEntry, MAX_IP_ALLOW_LIST } from "./ip-allow-list";
import { API_KEY_SCOPES, type ApiKeyScope, DEFAULT_API_KEY_SCOPES, sortedScopes } from "./scopes";
import { API_KEY_PREFIX } from "./sessions";

const MAX_ACTIVE_KEYS = 10;
/** The most a key may be allowed per minute (the database checks the same bound). */
export const MAX_API_KEY_RATE_LIMIT = 100_000;
/** A sandbox key reads "tvk_sbx_…", so a person can tell it from a live one at a glance. */
const SANDBOX_KEY_MARK = "sbx";

const Name = z.string().trim().min(1, "give the key a name (what uses it)").max(60);
const Scopes = z
  .array(z.enum(API_KEY_SCOPES))
  .min(1, `give at least one scope: ${API_KEY_SCOPES.join(", ")}`)
  .max(API_KEY_SCOPES.length * 2)
  .transform(sortedScopes);
const IpAllowList = z
  .array(z.string().max(64))
  .max(MAX_IP_ALLOW_LIST, `at most ${MAX_IP_ALLOW_LIST} addresses or CIDRs`)
  .transform((entries, ctx) => {
    const canonical = new Set<string>();
    entries.forEach((entry, index) => {
      const parsed = canonicalAllowListEntry(entry);
      if ("problem" in parsed) {
        ctx.addIssue({ code: "custom", path: [index], message: parsed.problem });
      } else {
        canonical.add(parsed.entry);
      }
    });
    return [...canonical];
  });
const RateLimit = z
  .number()
  .int("must be a whole number of requests")
  .min(1)
  .max(MAX_API_KEY_RATE_LIMIT, `at most ${MAX_API_KEY_RATE_LIMIT} requests a minute`);

export const CreateApiKeyInput = z.strictObject({
  name: Name,
  scopes: Scopes.optional(),
  /** Addresses and CIDRs the key may be used from; empty or absent: anywhere. */
  ipAllowList: IpAllowList.optional(),
  rateLimitPerMinute: RateLimit.optional(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInput>;

export const UpdateApiKeyInput = z
  .strictObject({
    name: Name.optional(),
    scopes: Scopes.optional(),
    ipAllowList: IpAllowList.optional(),
    /** null: back to the deployment's default. */
    rateLimitPerMinute: RateLimit.nullable().optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    message: "send at least one of name, scopes, ipAllowList, rateLimitPerMinute",
  });
export type UpdateApiKeyInput = z.input<typeof UpdateApiKeyInput>;

/** Fields every kind of key shows (reseller and admin keys alike); never the hash. */
export type KeyDto = {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it in a list. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** A reseller key as its owner sees it. */
export type ApiKeyDto = KeyDto & {
  scopes: ApiKeyScope[];
  ipAllowList: string[];
  /** Requests a minute; null: the deployment's default (API_KEY_RATE_LIMIT_PER_MINUTE). */
  rateLimitPerMinute: number | null;
  /** Made on a sandbox deployment: a live deployment refuses it. */
  sandbox: boolean;
};

type ApiKeyRow = Selectable<ApiKeysTable>;

/**
 * A reseller API key, usable as a bearer credential with the scopes, addresses and rate it is
 * given. The full key is returned once and never stored. Made on a sandbox deployment, it is a
 * sandbox key ("tvk_sbx_…").
 */
export async function createApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  input: CreateApiKeyInput;
}): Promise<ApiKeyDto & { key: string }> {
  const input = CreateApiKeyInput.parse(args.input);
  const sandbox = args.ctx.config.sandbox;
  const key = newSecret(sandbox);
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
        scopes: input.scopes ?? [...DEFAULT_API_KEY_SCOPES],
        ip_allow_list: input.ipAllowList ?? [],
        rate_limit_per_minute: input.rateLimitPerMinute ?? null,
        sandbox,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "api_key.create",
      targetType: "api_key",
      targetId: inserted.id,
      after: settingsOf(inserted),
      requestId: args.ctx.requestId,
    });
    return inserted;
  });
  return { ...apiKeyDto(row), key };
}

/** The caller's keys, newest first (at most 10 active; revoked ones stay listed). */
export async function listApiKeys(args: {
  ctx: ServiceContext;
  userId: string;
}): Promise<{ items: ApiKeyDto[]; nextCursor: null }> {
  const rows = await args.ctx.db
    .selectFrom("api_keys")
    .selectAll()
    .where("user_id", "=", args.userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return { items: rows.map(apiKeyDto), nextCursor: null };
}

/**
 * Change a key's name, scopes, allow-list or rate limit (audited with before and after). Every API
 * process forgets the key's kept copy on commit (the credential trigger), so the change holds at once.
 */
export async function updateApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  keyId: string;
  input: UpdateApiKeyInput;
}): Promise<ApiKeyDto> {
  const input = UpdateApiKeyInput.parse(args.input);
  return withTransaction(args.ctx, async (trx) => {
    const before = await lockActiveKey(trx, args.userId, args.keyId);
    const after = await trx
      .updateTable("api_keys")
      .set({
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.scopes === undefined ? {} : { scopes: input.scopes }),
        ...(input.ipAllowList === undefined ? {} : { ip_allow_list: input.ipAllowList }),
        ...(input.rateLimitPerMinute === undefined
          ? {}
          : { rate_limit_per_minute: input.rateLimitPerMinute }),
      })
      .where("id", "=", before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "api_key.update",
      targetType: "api_key",
      targetId: after.id,
      before: settingsOf(before),
      after: settingsOf(after),
      requestId: args.ctx.requestId,
    });
    return apiKeyDto(after);
  });
}

/**
 * A new secret for the same key (id, name, scopes and settings kept): returned once, and the old
 * secret stops working on commit, in every API process (the hash changes; the credential trigger
 * tells them). A sandbox key stays a sandbox key.
 */
export async function rotateApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  keyId: string;
}): Promise<ApiKeyDto & { key: string }> {
  return withTransaction(args.ctx, async (trx) => {
    const before = await lockActiveKey(trx, args.userId, args.keyId);
    const key = newSecret(before.sandbox);
    const after = await trx
      .updateTable("api_keys")
      .set({ key_hash: sha256(key), prefix: key.slice(0, 12) })
      .where("id", "=", before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "user",
      actorId: args.userId,
      action: "api_key.rotate",
      targetType: "api_key",
      targetId: after.id,
      before: { prefix: before.prefix },
      after: { prefix: after.prefix },
      requestId: args.ctx.requestId,
    });
    return { ...apiKeyDto(after), key };
  });
}

/**
 * Revoke one of the customer's keys: by the customer (someone else's key id is a 404, never a 403,
 * S6), or by an admin from the customer's page (`admin` with a reason, audited as theirs).
 */
export async function revokeApiKey(args: {
  ctx: ServiceContext;
  userId: string;
  keyId: string;
  admin?: { id: string; reason: string };
}): Promise<ApiKeyDto> {
  const reason = args.admin?.reason.trim();
  if (args.admin && (!reason || reason.length < 3 || reason.length > 500)) {
    throw new ValidationError("Give a reason (3 to 500 characters): it goes into the audit log.", {
      field: "reason",
    });
  }
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
      actorType: args.admin ? "admin" : "user",
      actorId: args.admin?.id ?? args.userId,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: row.id,
      reason,
      requestId: args.ctx.requestId,
    });
    return apiKeyDto(row);
  });
}

/** The customer's key, locked for a change; a revoked key cannot be changed or rotated. */
async function lockActiveKey(trx: Trx, userId: string, keyId: string): Promise<ApiKeyRow> {
  const row = await trx
    .selectFrom("api_keys")
    .selectAll()
    .where("id", "=", keyId)
    .where("user_id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("API key");
  }
  if (row.revoked_at) {
    throw new ConflictError("This API key was revoked; create a new one instead.", "API_KEY_REVOKED");
  }
  return row;
}

function newSecret(sandbox: boolean): string {
  return secretToken(sandbox ? `${API_KEY_PREFIX}_${SANDBOX_KEY_MARK}` : API_KEY_PREFIX);
}

function settingsOf(row: ApiKeyRow) {
  return {
    name: row.name,
    scopes: row.scopes,
    ipAllowList: row.ip_allow_list,
    rateLimitPerMinute: row.rate_limit_per_minute,
    sandbox: row.sandbox,
  };
}

/** A key row (reseller or admin: these columns are the same) as clients see it; never the hash. */
export function keyDto(row: {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): KeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

export function apiKeyDto(row: ApiKeyRow): ApiKeyDto {
  const { createdAt, lastUsedAt, revokedAt, ...names } = keyDto(row);
  return {
    ...names,
    scopes: sortedScopes(row.scopes),
    ipAllowList: row.ip_allow_list,
    rateLimitPerMinute: row.rate_limit_per_minute,
    sandbox: row.sandbox,
    createdAt,
    lastUsedAt,
    revokedAt,
  };
}
