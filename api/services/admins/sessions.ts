import { z } from "zod";
import type { AdminRole } from "../../../db/database";
import { recordAudit } from "../audit";
import { passwordMatches } from "../auth/passwords";
import { type ServiceContext, withTransaction } from "../context";
import { AuthenticationError, ServiceError } from "../errors";
import { hmacSha256, sha256 } from "../hashing";
import { secretToken } from "../ids";

export const AdminLoginInput = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});

export type SignedInAdmin = { id: string; email: string; name: string; role: AdminRole; sessionId: number };

const WRONG = "Wrong email or password.";

/**
 * Sign an admin in: a new session every time (the id rotates at login), the token returned once and
 * stored only as a hash. After ADMIN_LOGIN_MAX_FAILURES wrong passwords in a row the account is
 * locked for ADMIN_LOCKOUT_MINUTES, and even the right password is refused until then. Every
 * attempt on an existing account writes an audit row.
 */
export async function adminLogin(args: {
  ctx: ServiceContext;
  input: z.input<typeof AdminLoginInput>;
  ip?: string;
  userAgent?: string;
}): Promise<{ token: string; admin: SignedInAdmin }> {
  const { ctx } = args;
  const input = AdminLoginInput.parse(args.input);
  const now = ctx.now();
  const admin = await ctx.db
    .selectFrom("admin_users")
    .selectAll()
    .where("email", "=", input.email.toLowerCase())
    .executeTakeFirst();
  // Compare even for an unknown email, so timing does not tell which emails exist.
  const ok = await passwordMatches(input.password, admin?.password_hash);
  if (!admin) {
    throw new AuthenticationError(WRONG, "INVALID_CREDENTIALS");
  }
  if (admin.locked_until && admin.locked_until > now) {
    await withTransaction(ctx, (trx) =>
      recordAudit(trx, {
        actorType: "admin",
        actorId: admin.id,
        action: "admin.login_locked",
        targetType: "admin",
        targetId: admin.id,
      }),
    );
    throw new ServiceError(
      "locked",
      "ADMIN_LOCKED",
      `Too many wrong passwords. This account is locked until ${admin.locked_until.toISOString()}; try again then, or ask a super admin.`,
      { lockedUntil: admin.locked_until.toISOString() },
    );
  }
  if (!ok || admin.status !== "active") {
    const failures = admin.failed_logins + 1;
    const lock = failures >= ctx.config.ADMIN_LOGIN_MAX_FAILURES;
    await withTransaction(ctx, async (trx) => {
      await trx
        .updateTable("admin_users")
        .set({
          failed_logins: lock ? 0 : failures,
          locked_until: lock
            ? new Date(now.getTime() + ctx.config.ADMIN_LOCKOUT_MINUTES * 60_000)
            : admin.locked_until,
        })
        .where("id", "=", admin.id)
        .execute();
      await recordAudit(trx, {
        actorType: "admin",
        actorId: admin.id,
        action: lock ? "admin.locked_out" : "admin.login_failed",
        targetType: "admin",
        targetId: admin.id,
        after: { failedLogins: failures, ip: args.ip ?? null },
      });
    });
    throw new AuthenticationError(
      admin.status === "active" ? WRONG : "This admin account is disabled.",
      "INVALID_CREDENTIALS",
    );
  }
  const token = secretToken("tva");
  const session = await withTransaction(ctx, async (trx) => {
    await trx
      .updateTable("admin_users")
      .set({ failed_logins: 0, locked_until: null, last_login_at: now })
      .where("id", "=", admin.id)
      .execute();
    const row = await trx
      .insertInto("admin_sessions")
      .values({
        token_hash: sha256(token),
        admin_id: admin.id,
        ip: args.ip ?? null,
        user_agent: args.userAgent?.slice(0, 300) ?? null,
        expires_at: new Date(now.getTime() + ctx.config.ADMIN_SESSION_HOURS * 3_600_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "admin.login",
      targetType: "admin",
      targetId: admin.id,
      after: { ip: args.ip ?? null },
    });
    return row;
  });
  return {
    token,
    admin: { id: admin.id, email: admin.email, name: admin.name, role: admin.role, sessionId: session.id },
  };
}

/** The admin behind a session cookie, or undefined (unknown, expired, revoked, or disabled since). */
export async function findAdminSession(
  ctx: ServiceContext,
  token: string | undefined,
): Promise<SignedInAdmin | undefined> {
  if (!token) {
    return undefined;
  }
  const row = await ctx.db
    .selectFrom("admin_sessions as s")
    .innerJoin("admin_users as a", "a.id", "s.admin_id")
    .select(["s.id as sessionId", "a.id", "a.email", "a.name", "a.role", "a.status"])
    .where("s.token_hash", "=", sha256(token))
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", ctx.now())
    .executeTakeFirst();
  if (row?.status !== "active") {
    return undefined;
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role, sessionId: row.sessionId };
}

/** End a session (logout). */
export async function adminLogout(ctx: ServiceContext, admin: SignedInAdmin): Promise<void> {
  await withTransaction(ctx, async (trx) => {
    await trx
      .updateTable("admin_sessions")
      .set({ revoked_at: ctx.now() })
      .where("id", "=", admin.sessionId)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "admin.logout",
      targetType: "admin",
      targetId: admin.id,
    });
  });
}

/**
 * The CSRF token of a session: an HMAC of the session token under a key derived from PIN_PEPPER.
 * Every form of the panel carries it; a POST without the right one is refused.
 */
export function adminCsrfToken(ctx: ServiceContext, sessionToken: string): string {
  return hmacSha256(`admin-csrf:${ctx.config.PIN_PEPPER}`, sha256(sessionToken));
}

/** Which roles may do what (S7): support reads and resends receipts; admin acts; super_admin manages. */
export function hasRole(admin: Pick<SignedInAdmin, "role">, needed: AdminRole): boolean {
  const rank: Record<AdminRole, number> = { support: 1, admin: 2, super_admin: 3 };
  return rank[admin.role] >= rank[needed];
}
