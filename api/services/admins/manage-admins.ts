import { z } from "zod";
import type { AdminRole } from "../../../db/database";
import { recordAudit } from "../audit";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { ConflictError, NotFoundError, parseInput } from "../errors";
import { ADMIN_ROLES, type AdminDto, createAdmin } from "./admins";
import { assertSuperAdmin, Reason, type SettingsActor } from "./catalogue-settings";

export type AdminAccountRow = {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  status: "active" | "disabled";
  lastLoginAt: string | null;
  lockedUntil: string | null;
  /** Locked out now (wrong passwords) and waiting for the lock to pass or a super admin. */
  locked: boolean;
  createdAt: string;
};

export async function listAdmins(ctx: ServiceContext): Promise<AdminAccountRow[]> {
  const now = ctx.now();
  const rows = await ctx.db
    .selectFrom("admin_users")
    .select(["id", "email", "name", "role", "status", "last_login_at", "locked_until", "created_at"])
    .orderBy("status")
    .orderBy("email")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: r.status,
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
    lockedUntil: r.locked_until?.toISOString() ?? null,
    locked: r.locked_until !== null && r.locked_until > now,
    createdAt: r.created_at.toISOString(),
  }));
}

export const MIN_ADMIN_PASSWORD = 12;

export const NewAdminInput = z.strictObject({
  email: z.email("an email address").max(254),
  name: z.string().trim().min(1, "a name").max(80),
  role: z.enum(ADMIN_ROLES, "one of super_admin, admin, support"),
  password: z
    .string()
    .min(MIN_ADMIN_PASSWORD, `at least ${MIN_ADMIN_PASSWORD} characters; give it to them privately`)
    .max(200),
});

/** A super admin adds an admin with an initial password (audited by createAdmin, same transaction). */
export async function addAdmin(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  input: z.input<typeof NewAdminInput>;
}): Promise<AdminDto> {
  assertSuperAdmin(args.admin, "add admins");
  const input = parseInput(NewAdminInput, args.input);
  return createAdmin({ ctx: args.ctx, input, createdBy: args.admin.id });
}

export const AdminRoleInput = z.strictObject({
  role: z.enum(ADMIN_ROLES, "one of super_admin, admin, support"),
  reason: Reason,
});
export const AdminStatusInput = z.strictObject({ status: z.enum(["active", "disabled"]), reason: Reason });
export const AdminUnlockInput = z.strictObject({ reason: Reason });

type AdminRowForUpdate = {
  id: string;
  email: string;
  role: AdminRole;
  status: "active" | "disabled";
  failed_logins: number;
  locked_until: Date | null;
};

/**
 * Lock the target row and, when the change could remove a super admin, every active super admin
 * row too (so two super admins demoting each other at once cannot both win).
 */
async function lockTarget(trx: Trx, adminId: string): Promise<AdminRowForUpdate> {
  await trx
    .selectFrom("admin_users")
    .select("id")
    .where("role", "=", "super_admin")
    .where("status", "=", "active")
    .orderBy("id")
    .forUpdate()
    .execute();
  const row = await trx
    .selectFrom("admin_users")
    .select(["id", "email", "role", "status", "failed_logins", "locked_until"])
    .where("id", "=", adminId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) {
    throw new NotFoundError("That admin");
  }
  return row;
}

/** Refuse a change that would leave no active super admin (nobody could manage admins again). */
async function keepOneSuperAdmin(trx: Trx, target: AdminRowForUpdate, actorId: string): Promise<void> {
  if (target.role !== "super_admin" || target.status !== "active") {
    return;
  }
  const others = await trx
    .selectFrom("admin_users")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("role", "=", "super_admin")
    .where("status", "=", "active")
    .where("id", "<>", target.id)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) {
    const who = target.id === actorId ? "You are" : `${target.email} is`;
    throw new ConflictError(
      `${who} the last active super admin: the panel would have nobody to manage admins, pricing and providers. Make another admin super admin first.`,
      "LAST_SUPER_ADMIN",
    );
  }
}

/** Change an admin's role. */
export async function changeAdminRole(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  adminId: string;
  input: z.input<typeof AdminRoleInput>;
}): Promise<{ role: AdminRole; changed: boolean }> {
  const { ctx, admin, adminId } = args;
  assertSuperAdmin(admin, "change admin roles");
  const input = parseInput(AdminRoleInput, args.input);
  return withTransaction(ctx, async (trx) => {
    const target = await lockTarget(trx, adminId);
    if (input.role !== "super_admin") {
      await keepOneSuperAdmin(trx, target, admin.id);
    }
    await trx.updateTable("admin_users").set({ role: input.role }).where("id", "=", adminId).execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "admin.change_role",
      targetType: "admin",
      targetId: adminId,
      before: { role: target.role },
      after: { role: input.role },
      reason: input.reason,
    });
    return { role: input.role, changed: target.role !== input.role };
  });
}

/** Disable an admin (every session of theirs ends at once) or enable them again. */
export async function setAdminStatus(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  adminId: string;
  input: z.input<typeof AdminStatusInput>;
}): Promise<{ status: "active" | "disabled"; sessionsRevoked: number }> {
  const { ctx, admin, adminId } = args;
  assertSuperAdmin(admin, "disable or enable admins");
  const input = parseInput(AdminStatusInput, args.input);
  return withTransaction(ctx, async (trx) => {
    const target = await lockTarget(trx, adminId);
    let sessionsRevoked = 0;
    if (input.status === "disabled") {
      await keepOneSuperAdmin(trx, target, admin.id);
      const revoked = await trx
        .updateTable("admin_sessions")
        .set({ revoked_at: ctx.now() })
        .where("admin_id", "=", adminId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      sessionsRevoked = Number(revoked.numUpdatedRows);
    }
    await trx
      .updateTable("admin_users")
      .set({
        status: input.status,
        // A fresh start when enabled again.
        ...(input.status === "active" ? { failed_logins: 0, locked_until: null } : {}),
      })
      .where("id", "=", adminId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: input.status === "disabled" ? "admin.disable" : "admin.enable",
      targetType: "admin",
      targetId: adminId,
      before: { status: target.status },
      after: { status: input.status, sessionsRevoked },
      reason: input.reason,
    });
    return { status: input.status, sessionsRevoked };
  });
}

/** Lift a lockout (wrong passwords) before it expires. */
export async function unlockAdmin(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  adminId: string;
  input: z.input<typeof AdminUnlockInput>;
}): Promise<void> {
  const { ctx, admin, adminId } = args;
  assertSuperAdmin(admin, "unlock admins");
  const input = parseInput(AdminUnlockInput, args.input);
  await withTransaction(ctx, async (trx) => {
    const target = await lockTarget(trx, adminId);
    await trx
      .updateTable("admin_users")
      .set({ failed_logins: 0, locked_until: null })
      .where("id", "=", adminId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "admin.unlock",
      targetType: "admin",
      targetId: adminId,
      before: { failedLogins: target.failed_logins, lockedUntil: target.locked_until?.toISOString() ?? null },
      after: { failedLogins: 0, lockedUntil: null },
      reason: input.reason,
    });
  });
}
