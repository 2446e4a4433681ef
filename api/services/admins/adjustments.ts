import { recordAudit } from "../audit";
import { type ServiceContext, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { formatNaira } from "../money";
import { getWalletBalance } from "../wallet";
import { adjustWalletBalance, debitExceedsAvailableError } from "../wallet/adjust-balance";
import { hasRole, type SignedInAdmin } from "./sessions";

type Actor = Pick<SignedInAdmin, "id" | "role">;

function assertMayAdjust(admin: Actor): void {
  if (!hasRole(admin, "admin")) {
    throw new ForbiddenError("Your role cannot adjust balances; ask an admin.", "ROLE_FORBIDDEN");
  }
}

/**
 * A balance adjustment from the panel. Up to ADMIN_ADJUSTMENT_APPROVAL_KOBO (either way) it is
 * booked at once; above it, it waits for a second admin (maker-checker) and no money moves yet.
 * A debit larger than the customer's available balance (balance − held) is refused at once either
 * way, in words for the admin; approval checks again, since the balance may have moved meanwhile.
 */
export async function requestBalanceAdjustment(args: {
  ctx: ServiceContext;
  admin: Actor;
  userId: string;
  amountKobo: number;
  reason: string;
  idempotencyKey: string;
}): Promise<{ executed: true; entryId: number } | { executed: false; approvalId: number }> {
  const { ctx, admin } = args;
  assertMayAdjust(admin);
  if (!Number.isSafeInteger(args.amountKobo) || args.amountKobo === 0) {
    throw new ValidationError("amount: a whole number of naira and kobo, not zero.", { field: "amount" });
  }
  if (args.reason.trim().length < 5) {
    throw new ValidationError("reason: say why (at least 5 characters).", { field: "reason" });
  }
  if (Math.abs(args.amountKobo) <= ctx.config.ADMIN_ADJUSTMENT_APPROVAL_KOBO) {
    const done = await adjustWalletBalance({
      ctx,
      input: {
        adminId: admin.id,
        userId: args.userId,
        amountKobo: args.amountKobo,
        reason: args.reason,
        idempotencyKey: args.idempotencyKey,
      },
    });
    return { executed: true, entryId: done.entryId };
  }
  return withTransaction(ctx, async (trx) => {
    const user = await trx.selectFrom("users").select("id").where("id", "=", args.userId).executeTakeFirst();
    if (!user) {
      throw new NotFoundError("User");
    }
    if (args.amountKobo < 0) {
      const { availableKobo } = await getWalletBalance({ ctx: { db: trx }, userId: args.userId });
      if (availableKobo < -args.amountKobo) {
        throw debitExceedsAvailableError(availableKobo, -args.amountKobo);
      }
    }
    const row = await trx
      .insertInto("admin_approvals")
      .values({
        kind: "balance_adjustment",
        user_id: args.userId,
        amount_kobo: args.amountKobo,
        reason: args.reason.trim(),
        requested_by: admin.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "wallet.adjust_requested",
      targetType: "user",
      targetId: args.userId,
      after: { approvalId: row.id, amountKobo: args.amountKobo },
      reason: args.reason,
    });
    return { executed: false as const, approvalId: row.id };
  });
}

/**
 * The second admin's decision. Approving books the adjustment (the same service as a small one, in
 * the same transaction as the decision); a request is decided once, never by the admin who made it.
 */
export async function decideAdjustment(args: {
  ctx: ServiceContext;
  admin: Actor;
  approvalId: number;
  approve: boolean;
}): Promise<{ status: "executed" | "rejected"; entryId?: number }> {
  const { ctx, admin } = args;
  assertMayAdjust(admin);
  if (!Number.isSafeInteger(args.approvalId)) {
    // An id from a URL ("abc" is NaN, 20 digits overflow bigint): the query would fail, not miss.
    throw new NotFoundError("Approval request");
  }
  return withTransaction(ctx, async (trx) => {
    const request = await trx
      .selectFrom("admin_approvals")
      .selectAll()
      .where("id", "=", args.approvalId)
      .forUpdate()
      .executeTakeFirst();
    if (!request) {
      throw new NotFoundError("Approval request");
    }
    if (request.status !== "pending") {
      throw new ConflictError(`This request was already ${request.status}.`, "ALREADY_DECIDED");
    }
    if (request.requested_by === admin.id) {
      throw new ForbiddenError("A second admin must approve this: you asked for it.", "SAME_ADMIN");
    }
    const now = ctx.now();
    if (!args.approve) {
      await trx
        .updateTable("admin_approvals")
        .set({ status: "rejected", decided_by: admin.id, decided_at: now })
        .where("id", "=", request.id)
        .execute();
      await recordAudit(trx, {
        actorType: "admin",
        actorId: admin.id,
        action: "wallet.adjust_rejected",
        targetType: "user",
        targetId: request.user_id,
        after: { approvalId: request.id },
      });
      return { status: "rejected" as const };
    }
    const done = await adjustWalletBalance({
      ctx: { ...ctx, db: trx },
      debitCheckedAt: "approval",
      input: {
        adminId: admin.id,
        userId: request.user_id,
        amountKobo: request.amount_kobo,
        reason: `${request.reason} (asked by ${request.requested_by}, approved by ${admin.id})`,
        idempotencyKey: `approval:${request.id}`,
      },
    });
    await trx
      .updateTable("admin_approvals")
      .set({ status: "executed", decided_by: admin.id, decided_at: now, entry_id: done.entryId })
      .where("id", "=", request.id)
      .execute();
    return { status: "executed" as const, entryId: done.entryId };
  });
}

export type PendingApproval = {
  id: number;
  userId: string;
  amount: string;
  reason: string;
  /** The maker's email, and their id (the panel offers them no Approve button: they may not). */
  requestedBy: string;
  requestedById: string;
  createdAt: string;
};

export async function listPendingApprovals(ctx: ServiceContext): Promise<PendingApproval[]> {
  const rows = await ctx.db
    .selectFrom("admin_approvals as r")
    .innerJoin("admin_users as a", "a.id", "r.requested_by")
    .select(["r.id", "r.user_id", "r.amount_kobo", "r.reason", "a.email", "r.requested_by", "r.created_at"])
    .where("r.status", "=", "pending")
    .orderBy("r.created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    amount: `${r.amount_kobo > 0 ? "+" : "−"}${formatNaira(Math.abs(r.amount_kobo))}`,
    reason: r.reason,
    requestedBy: r.email,
    requestedById: r.requested_by,
    createdAt: r.created_at.toISOString(),
  }));
}
