import { z } from "zod";
import { recordAudit } from "../audit";
import { type KeyDto, keyDto } from "../auth/api-keys";
import { type ServiceContext, withTransaction } from "../context";
import { AuthenticationError, ConflictError, NotFoundError, parseInput } from "../errors";
import { sha256 } from "../hashing";
import { newId, secretToken } from "../ids";
import type { SignedInAdmin } from "./sessions";

/** Admin keys look different from reseller keys ("tvk_…"), so neither is ever mistaken for the other. */
export const ADMIN_API_KEY_PREFIX = "tadm";
const MAX_ACTIVE_KEYS = 5;

export const CreateAdminApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, "give the key a name (what script uses it)").max(60),
});

/** The fields every key shows (a reseller key adds its scopes and limits). */
export type AdminApiKeyDto = KeyDto;

/** The admin behind an admin API key: their own role, checked on every route like a panel session. */
export type ApiKeyAdmin = SignedInAdmin & { apiKeyId: string };

/**
 * An admin API key for /api/admin/*: it acts as its admin, with that admin's role (S7), and stops
 * working when the admin is disabled. The full key is returned once; only its hash is stored.
 */
export async function createAdminApiKey(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id">;
  input: z.input<typeof CreateAdminApiKeyInput>;
  /** "command line": made by an operator on the server (npm run admin-api-key), not by the admin. */
  via?: "panel" | "command line";
}): Promise<AdminApiKeyDto & { key: string }> {
  const byOperator = args.via === "command line";
  const input = parseInput(CreateAdminApiKeyInput, args.input);
  const key = secretToken(ADMIN_API_KEY_PREFIX);
  return withTransaction(args.ctx, async (trx) => {
    await trx.selectFrom("admin_users").select("id").where("id", "=", args.admin.id).forUpdate().execute();
    const active = await trx
      .selectFrom("admin_api_keys")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("admin_id", "=", args.admin.id)
      .where("revoked_at", "is", null)
      .executeTakeFirstOrThrow();
    if (Number(active.n) >= MAX_ACTIVE_KEYS) {
      throw new ConflictError(
        `You already have ${MAX_ACTIVE_KEYS} active admin API keys. Revoke one you no longer use first.`,
        "TOO_MANY_API_KEYS",
      );
    }
    const row = await trx
      .insertInto("admin_api_keys")
      .values({
        id: newId("akey"),
        admin_id: args.admin.id,
        name: input.name,
        prefix: key.slice(0, 13),
        key_hash: sha256(key),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: byOperator ? "system" : "admin",
      actorId: byOperator ? undefined : args.admin.id,
      action: "admin.api_key_create",
      targetType: "admin_api_key",
      targetId: row.id,
      after: {
        name: row.name,
        prefix: row.prefix,
        ...(byOperator ? { admin: args.admin.id, via: args.via } : {}),
      },
    });
    return { ...keyDto(row), key };
  });
}

/**
 * An admin API key made on the server for an existing, active admin found by email: what an operator
 * (or the README's blocks) uses to script /api/admin without opening the panel. Anyone who can run
 * this already holds the database, so it grants nothing new; it is audited as a system action.
 */
export async function createAdminApiKeyForEmail(args: {
  ctx: ServiceContext;
  email: string;
  input: z.input<typeof CreateAdminApiKeyInput>;
}): Promise<AdminApiKeyDto & { key: string; admin: { email: string; role: string } }> {
  const admin = await args.ctx.db
    .selectFrom("admin_users")
    .select(["id", "email", "role", "status"])
    .where("email", "=", args.email.trim().toLowerCase())
    .executeTakeFirst();
  if (!admin) {
    throw new NotFoundError(`Admin ${args.email}`);
  }
  if (admin.status !== "active") {
    throw new ConflictError(
      `The admin ${admin.email} is disabled; enable them in the admin panel (Admins) first.`,
      "ADMIN_DISABLED",
    );
  }
  const key = await createAdminApiKey({ ctx: args.ctx, admin, input: args.input, via: "command line" });
  return { ...key, admin: { email: admin.email, role: admin.role } };
}

export async function listAdminApiKeys(ctx: ServiceContext, adminId: string): Promise<AdminApiKeyDto[]> {
  const rows = await ctx.db
    .selectFrom("admin_api_keys")
    .selectAll()
    .where("admin_id", "=", adminId)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(keyDto);
}

export async function revokeAdminApiKey(args: {
  ctx: ServiceContext;
  admin: Pick<SignedInAdmin, "id">;
  keyId: string;
}): Promise<AdminApiKeyDto> {
  return withTransaction(args.ctx, async (trx) => {
    const row = await trx
      .updateTable("admin_api_keys")
      .set({ revoked_at: args.ctx.now() })
      .where("id", "=", args.keyId)
      .where("admin_id", "=", args.admin.id)
      .where("revoked_at", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError("Active API key");
    }
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.admin.id,
      action: "admin.api_key_revoke",
      targetType: "admin_api_key",
      targetId: row.id,
      before: { revokedAt: null },
      after: { revokedAt: row.revoked_at?.toISOString() },
    });
    return keyDto(row);
  });
}

/** The admin an API key acts as; refused when the key is unknown, revoked, or its admin disabled. */
export async function authenticateAdminApiKey(ctx: ServiceContext, key: string): Promise<ApiKeyAdmin> {
  if (!key.startsWith(`${ADMIN_API_KEY_PREFIX}_`)) {
    throw new AuthenticationError(
      "Send an admin API key: Authorization: Bearer tadm_… (create one under My account in the admin panel).",
      "ADMIN_KEY_REQUIRED",
    );
  }
  const row = await ctx.db
    .selectFrom("admin_api_keys as k")
    .innerJoin("admin_users as a", "a.id", "k.admin_id")
    .select(["k.id as keyId", "a.id", "a.email", "a.name", "a.role", "a.status"])
    .where("k.key_hash", "=", sha256(key))
    .where("k.revoked_at", "is", null)
    .executeTakeFirst();
  if (row?.status !== "active") {
    throw new AuthenticationError(
      "This admin API key is unknown, revoked, or its admin is disabled.",
      "INVALID_ADMIN_KEY",
    );
  }
  await ctx.db
    .updateTable("admin_api_keys")
    .set({ last_used_at: ctx.now() })
    .where("id", "=", row.keyId)
    .execute();
  return { id: row.id, email: row.email, name: row.name, role: row.role, sessionId: 0, apiKeyId: row.keyId };
}
