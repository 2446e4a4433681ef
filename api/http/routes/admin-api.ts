import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AdminRole } from "../../../db/database";
import {
  type AdminOrderFilters,
  type ApiKeyAdmin,
  adminUserDetail,
  applyUserAction,
  authenticateAdminApiKey,
  hasRole,
  listOrdersForAdmin,
  searchUsers,
} from "../../services/admins";
import { analyticsReport } from "../../services/analytics";
import { ForbiddenError, NotFoundError } from "../../services/errors";
import { listTransfersForAdmin, resolveSuspenseTransfer } from "../../services/funding";
import {
  getPointsSummary,
  grantBonusPoints,
  listPointHolders,
  listPointStatement,
  listRecentPointRows,
  listReferrersForAdmin,
  listTierRules,
  pointsLiabilityReport,
  referralAbuseReport,
  setCustomerTier,
  tierCounts,
  updateTierRules,
} from "../../services/rewards";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { bearerToken } from "../middleware";
import { idempotencyKey, jsonBody, queryParams } from "../validate";

type AdminApiEnv = { Variables: AppEnv["Variables"] & { admin: ApiKeyAdmin } };

/** An admin API key (Authorization: Bearer tadm_…) whose admin holds at least `role` (S7). */
function requireAdminKey(role: AdminRole): MiddlewareHandler<AdminApiEnv> {
  return async (c, next) => {
    const admin = await authenticateAdminApiKey(c.var.ctx, bearerToken(c.req.header("authorization")) ?? "");
    if (!hasRole(admin, role)) {
      throw new ForbiddenError(
        `This needs the ${role.replace("_", " ")} role; the key's admin is ${admin.role.replace("_", " ")}.`,
        "ROLE_REQUIRED",
      );
    }
    c.set("admin", admin);
    await next();
  };
}

const AnalyticsQuery = z.strictObject({
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
});
const UsersQuery = z.strictObject({ q: z.string().trim().max(100).default("") });
const ReferrersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const PointsQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const StatementQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  before: z
    .string()
    .regex(/^\d{1,18}$/, "a nextCursor from the previous page")
    .optional(),
});
const BonusBody = z.strictObject({
  points: z.number().int().min(1).max(1_000_000),
  reason: z.string().trim().min(3).max(500),
});
const TransfersQuery = z.strictObject({
  status: z.enum(["suspense", "credited", "returned"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

/**
 * /api/admin/*: the panel's reads and actions for scripts, behind admin API keys with the same
 * role checks as the panel (support reads; admin acts). Every action goes through the same service
 * as the panel, so it writes the same audit row.
 */
export function adminApiRoutes() {
  const app = new Hono<AdminApiEnv>();

  // The dashboard's numbers: ?from=&to= (Lagos days), default the last 30 days; today is live.
  app.get("/analytics", requireAdminKey("support"), async (c) => {
    const { from, to } = queryParams(c, AnalyticsQuery);
    return ok(c, await analyticsReport(c.var.ctx, { from, to }));
  });

  app.get("/users", requireAdminKey("support"), async (c) => {
    const { q } = queryParams(c, UsersQuery);
    return ok(c, { items: await searchUsers(c.var.ctx, q) });
  });

  app.get("/users/:id", requireAdminKey("support"), async (c) =>
    ok(c, await adminUserDetail(c.var.ctx, c.req.param("id"))),
  );

  app.post("/users/:id/actions", requireAdminKey("admin"), async (c) => {
    const userId = c.req.param("id");
    const result = await applyUserAction({
      ctx: c.var.ctx,
      admin: c.var.admin,
      userId,
      input: (await jsonBody(c, z.unknown())) as never,
    });
    return ok(c, { userId, ...result });
  });

  // The same filters as the panel's orders list (state, service, provider, userId, from, to, limit);
  // an unknown parameter is an error, not silently ignored.
  app.get("/transactions", requireAdminKey("support"), async (c) =>
    ok(c, { items: await listOrdersForAdmin(c.var.ctx, c.req.query() as AdminOrderFilters) }),
  );

  // Bank transfers (issue 17): ?status=suspense|credited|returned (default all), ?limit= (≤ 500).
  app.get("/transfers", requireAdminKey("support"), async (c) => {
    const { status, limit } = queryParams(c, TransfersQuery);
    return ok(c, { items: await listTransfersForAdmin({ ctx: c.var.ctx, status, limit }) });
  });

  // The panel's "Credit to customer" / "Return to payer": {action: "credit", userId?, reason} or
  // {action: "return", reason}; the service checks the body and the role and writes the audit row.
  app.post("/transfers/:id/resolve", requireAdminKey("admin"), async (c) => {
    const transfer = await resolveSuspenseTransfer({
      ctx: c.var.ctx,
      admin: c.var.admin,
      transferId: c.req.param("id"),
      input: (await jsonBody(c, z.unknown())) as never,
    });
    return ok(c, { transfer });
  });

  // Referrers (issue 18 §1), most referees first: ?limit= (≤ 500).
  app.get("/referrals", requireAdminKey("support"), async (c) => {
    const { limit } = queryParams(c, ReferrersQuery);
    return ok(c, { items: await listReferrersForAdmin({ ctx: c.var.ctx, limit }) });
  });

  // Referees sharing a device, a funding card or a BVN (DECISIONS §64): for a person to judge.
  app.get("/referrals/abuse", requireAdminKey("support"), async (c) =>
    ok(c, await referralAbuseReport({ ctx: c.var.ctx })),
  );

  // Loyalty points: the liability now and per Lagos day (?days=, default 30), top holders and the
  // latest rows (?limit=, default 20 each).
  app.get("/points", requireAdminKey("support"), async (c) => {
    const { days, limit } = queryParams(c, PointsQuery);
    const ctx = c.var.ctx;
    const [report, holders, recent] = await Promise.all([
      pointsLiabilityReport({ ctx, days }),
      listPointHolders({ ctx, limit }),
      listRecentPointRows({ ctx, limit }),
    ]);
    return ok(c, { ...report, topHolders: holders, recent });
  });

  // A customer's points: the summary and a page of the statement (?limit=, ?before=nextCursor).
  app.get("/users/:id/points", requireAdminKey("support"), async (c) => {
    const { limit, before } = queryParams(c, StatementQuery);
    const ctx = c.var.ctx;
    const userId = c.req.param("id");
    const user = await ctx.db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
    if (!user) {
      throw new NotFoundError("User");
    }
    const [summary, statement] = await Promise.all([
      getPointsSummary({ ctx, userId, recent: 1 }),
      listPointStatement({ ctx, userId, limit, before }),
    ]);
    const { recent: _recent, ...rest } = summary;
    return ok(c, { userId, ...rest, statement });
  });

  // Bonus points {points, reason}: the customer-account role (admin), audited by the service.
  // An Idempotency-Key header is required: a retry answers with the same row and gives nothing more.
  app.post("/users/:id/points/bonus", requireAdminKey("admin"), async (c) => {
    const key = idempotencyKey(c, "gives the bonus once");
    const body = await jsonBody(c, BonusBody);
    const row = await grantBonusPoints({
      ctx: c.var.ctx,
      adminId: c.var.admin.id,
      userId: c.req.param("id"),
      points: body.points,
      reason: body.reason,
      idempotencyKey: key,
    });
    return ok(c, { pointEntryId: row.id, points: row.points, balance: row.balance_after }, { status: 201 });
  });

  // Customer tiers (issue 18 §3): the rules and how many customers each has; a super admin changes
  // them with {tiers: {<code>: {name, minVolumeKobo, margins}}, reason}.
  app.get("/tiers", requireAdminKey("support"), async (c) =>
    ok(c, { tiers: await listTierRules(c.var.ctx.db), counts: await tierCounts(c.var.ctx) }),
  );
  app.put("/tiers", requireAdminKey("super_admin"), async (c) => {
    const tiers = await updateTierRules({
      ctx: c.var.ctx,
      admin: c.var.admin,
      input: (await jsonBody(c, z.unknown())) as never,
    });
    return ok(c, { tiers });
  });
  // A customer's tier: {tier: "<code>" | "automatic" | null, reason}.
  app.post("/users/:id/tier", requireAdminKey("admin"), async (c) => {
    const userId = c.req.param("id");
    const result = await setCustomerTier({
      ctx: c.var.ctx,
      admin: c.var.admin,
      userId,
      input: (await jsonBody(c, z.unknown())) as never,
    });
    return ok(c, { userId, ...result });
  });

  return app;
}
