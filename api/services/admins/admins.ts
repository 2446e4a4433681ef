import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { AdminRole } from "../../../db/database";
import { recordAudit } from "../audit";
import { assertAcceptablePassword, hashPassword } from "../auth/passwords";
import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ConflictError } from "../errors";
import { newId } from "../ids";

export const ADMIN_ROLES = ["super_admin", "admin", "support"] as const satisfies readonly AdminRole[];

export const CreateAdminInput = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(80),
  password: z.string().min(1).max(200),
  role: z.enum(ADMIN_ROLES),
});
export type CreateAdminInput = z.input<typeof CreateAdminInput>;

export type AdminDto = { id: string; email: string; name: string; role: AdminRole; createdAt: string };

/** Create an admin (panel login comes with the admin issue; `npm run create-admin` uses this now). */
export async function createAdmin(args: {
  ctx: ServiceContext;
  input: CreateAdminInput;
  createdBy?: string;
}): Promise<AdminDto> {
  const input = CreateAdminInput.parse(args.input);
  assertAcceptablePassword(input.password);
  const passwordHash = await hashPassword(args.ctx.config, input.password);
  try {
    return await withTransaction(args.ctx, async (trx) => {
      const row = await trx
        .insertInto("admin_users")
        .values({
          id: newId("adm"),
          email: input.email.toLowerCase(),
          name: input.name,
          password_hash: passwordHash,
          role: input.role,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actorType: args.createdBy ? "admin" : "system",
        actorId: args.createdBy,
        action: "admin.create",
        targetType: "admin",
        targetId: row.id,
        after: { email: row.email, role: row.role },
      });
      return {
        id: row.id,
        email: row.email,
        name: row.name,
        role: row.role,
        createdAt: row.created_at.toISOString(),
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError("An admin with that email already exists.", "ADMIN_EXISTS");
    }
    throw error;
  }
}

export const FIRST_ADMIN_EMAIL = "admin@tada.local";

/**
 * On the very first start there is no admin: create a super admin with a random password and
 * return it so the launcher prints it once. Every later start returns undefined.
 */
export async function ensureFirstAdmin(args: {
  ctx: ServiceContext;
}): Promise<{ email: string; password: string } | undefined> {
  const any = await args.ctx.db.selectFrom("admin_users").select("id").limit(1).executeTakeFirst();
  if (any) {
    return undefined;
  }
  const password = randomBytes(12).toString("base64url");
  try {
    await createAdmin({
      ctx: args.ctx,
      input: { email: FIRST_ADMIN_EMAIL, name: "First admin", password, role: "super_admin" },
    });
  } catch (error) {
    if (error instanceof ConflictError) {
      return undefined; // another process created it at the same moment
    }
    throw error;
  }
  return { email: FIRST_ADMIN_EMAIL, password };
}
