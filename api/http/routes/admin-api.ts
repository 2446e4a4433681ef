import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AdminRole } from "../../../db/database";
import {
  AdminOrderFilters,
  type ApiKeyAdmin,
  adminUserDetail,
  applyUserAction,
  authenticateAdminApiKey,
  hasRole,
  listOrdersForAdmin,
  searchUsers,
  UserActionInput,
} from "../../services/admins";
import { analyticsReport } from "../../services/analytics";
import { ForbiddenError, NotFoundError } from "../../services/errors";
import { listTransfersForAdmin, ResolveSuspenseInput, resolveSuspenseTransfer } from "../../services/funding";
import { AdminCardRemindersInput, adminSetCardReminders } from "../../services/renewals";
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
  SetCustomerTierInput,
  setCustomerTier,
  TierRulesInput,
  tierCounts,
  updateTierRules,
} from "../../services/rewards";
import type { AppEnv } from "../context";
import { bearerToken } from "../middleware";
import { defineRoute, type RouteHandler, type RouteSpec } from "../openapi/define-route";
import { listed, listWithLegacyName, page } from "../openapi/envelope-schemas";
import {
  AdminCardRemindersResultSchema,
  AdminCustomerPoints,
  AdminOrder,
  AdminPointsReport,
  AdminReferrer,
  AdminTierRule,
  AdminTransfer,
  AdminUserDetailSchema,
  AdminUserList,
  AnalyticsReportSchema,
  BonusResult,
  CustomerTierResult,
  ReferralAbuseGroup,
  TierCount,
  UserActionResult,
} from "../schemas/admin";

/** The routes' env: the admin-key middleware sets `admin`, the key's admin, before any handler runs. */
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

const ROLE_NOTE: Record<AdminRole, string> = {
  support: "Role: **support** or higher (any admin key).",
  admin: "Role: **admin** or **super_admin**; a support key is refused with `ROLE_REQUIRED`.",
  super_admin: "Role: **super_admin** only; other keys are refused with `ROLE_REQUIRED`.",
};

const AnalyticsQuery = z.strictObject({
  from: z
    .string()
    .max(10)
    .optional()
    .meta({ description: "First Lagos day, YYYY-MM-DD.", example: "2026-11-01" }),
  to: z.string().max(10).optional().meta({ description: "Last Lagos day, YYYY-MM-DD; default today." }),
});
const UsersQuery = z.strictObject({
  q: z
    .string()
    .trim()
    .max(100)
    .default("")
    .meta({ description: "Phone in any form, name, user id or chat id.", example: "0803 123" }),
});
const UserParams = z.strictObject({ id: z.string().min(1).max(100).meta({ example: "usr_01JEXAMPLE" }) });
const UserCardParams = UserParams.extend({
  cardId: z.coerce
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .meta({ description: "The card's id, as on the customer's page (`cableCards[].id`).", example: 12 }),
});
const TransferParams = z.strictObject({ id: z.string().min(1).max(100) });
const ReferrersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: "Default 100." }),
});
const PointsQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).optional().meta({ description: "Lagos days; default 30." }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .optional()
    .meta({ description: "Top holders and latest rows; default 20 each." }),
});
const StatementQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: "Default 20." }),
  before: z
    .string()
    .regex(/^\d{1,18}$/, "a nextCursor from the previous page")
    .optional()
    .meta({ description: "The previous page's `statement.nextCursor`." }),
});
const BonusBody = z.strictObject({
  points: z.number().int().min(1).max(1_000_000),
  reason: z.string().trim().min(3).max(500),
});
const TransfersQuery = z.strictObject({
  status: z.enum(["suspense", "credited", "returned"]).optional().meta({ description: "Default: all." }),
  limit: z.coerce.number().int().min(1).max(500).optional().meta({ description: "Default 100." }),
});
/**
 * The panel's order filters; an empty value (`?state=`) means "any", as on the panel, so each
 * field reads "" as absent before it is checked.
 */
const TransactionsQuery = z.strictObject(
  Object.fromEntries(
    Object.entries(AdminOrderFilters.shape).map(([name, field]) => [
      name,
      z.preprocess((v) => (v === "" ? undefined : v), field),
    ]),
  ) as unknown as { [K in keyof typeof AdminOrderFilters.shape]: (typeof AdminOrderFilters.shape)[K] },
);

const USER_NOT_FOUND = { status: 404, code: "NOT_FOUND", description: "No customer with that id." } as const;
const TAGS = ["Admin"];

/**
 * /api/admin/*: the panel's reads and actions for scripts, behind admin API keys with the same
 * role checks as the panel (support reads; admin acts; super admin changes settings). Every action
 * goes through the same service as the panel, so it writes the same audit row.
 */
export function adminApiRoutes() {
  const app = new OpenAPIHono<AdminApiEnv>();

  /** defineRoute for an admin-key route: the key and role check, the Admin tag, the role in the description. */
  const adminRoute = <
    R extends z.ZodType,
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    P extends z.ZodType | undefined = undefined,
  >(
    role: AdminRole,
    spec: Omit<RouteSpec<B, Q, P, R>, "auth" | "tags" | "middleware">,
    handler: RouteHandler<AdminApiEnv, R, B, Q, P>,
  ) =>
    defineRoute(
      app,
      {
        ...spec,
        tags: TAGS,
        auth: "admin-key",
        middleware: [requireAdminKey(role) as MiddlewareHandler],
        description: [spec.description, ROLE_NOTE[role]].filter(Boolean).join("\n\n"),
      },
      handler,
    );

  adminRoute(
    "support",
    {
      method: "get",
      path: "/analytics",
      summary: "The dashboard's numbers for a range of Lagos days",
      description:
        "Default: the last 30 days. Past days come from the daily rollup, today is measured live. " +
        "A range that is not dates, starts after it ends, ends in the future or is longer than 366 days is a 400 saying what to change.",
      query: AnalyticsQuery,
      response: { description: "Per-day series and range totals.", schema: AnalyticsReportSchema },
    },
    async (c, { query }) => analyticsReport(c.var.ctx, query),
  );

  adminRoute(
    "support",
    {
      method: "get",
      path: "/users",
      summary: "Find customers",
      description:
        "By phone in any form (0803…, 234803…, +234803…, or a part of it), name, user id or chat id. At most 50, newest first.",
      query: UsersQuery,
      response: {
        description: "The customers found.",
        schema: AdminUserList,
        example: {
          items: [
            {
              id: "usr_01JEXAMPLE",
              name: "Chiamaka Obi",
              phone: "08031234567",
              status: "active",
              level: 1,
              channels: ["telegram"],
              balanceKobo: 2_030_633,
              createdAt: "2026-11-02T08:15:00.000Z",
            },
          ],
          nextCursor: null,
        },
      },
    },
    async (c, { query }) => ({ items: await searchUsers(c.var.ctx, query.q), nextCursor: null }),
  );

  adminRoute(
    "support",
    {
      method: "get",
      path: "/users/:id",
      summary: "One customer: wallet, statement, orders, chats, points, tier, schedules and PIN state",
      params: UserParams,
      response: { description: "The customer page as data.", schema: AdminUserDetailSchema },
      errors: [USER_NOT_FOUND],
    },
    async (c, { params }) => {
      const detail = await adminUserDetail(c.var.ctx, params.id);
      return {
        ...detail,
        cableCards: detail.cableCards.map((card) => ({
          ...card,
          lastReminderAt: card.lastReminderAt?.toISOString() ?? null,
        })),
      };
    },
  );

  adminRoute(
    "admin",
    {
      method: "post",
      path: "/users/:id/actions",
      summary: "Suspend or reactivate a customer, clear a PIN lock, or set the verification level",
      description:
        "Audited with the reason. Below the level that gets a permanent account number, the customer's one closes.",
      params: UserParams,
      body: UserActionInput,
      bodyExample: { action: "suspend", reason: "chargeback investigation" },
      response: { description: "What was done.", schema: UserActionResult },
      errors: [USER_NOT_FOUND],
    },
    async (c, { params, body }) => ({
      userId: params.id,
      ...(await applyUserAction({ ctx: c.var.ctx, admin: c.var.admin, userId: params.id, input: body })),
    }),
  );

  // The same filters as the panel's orders list; an unknown parameter is an error, not ignored.
  adminRoute(
    "support",
    {
      method: "get",
      path: "/transactions",
      summary: "Orders, newest first, filtered like the panel's orders list",
      description: "`from`/`to` are Lagos days (inclusive). An unknown parameter is a 400, not ignored.",
      query: TransactionsQuery,
      response: {
        description: "The orders; `nextCursor` is always null (narrow the filters or raise `limit`).",
        schema: page(AdminOrder),
      },
    },
    async (c, { query }) => ({ items: await listOrdersForAdmin(c.var.ctx, query), nextCursor: null }),
  );

  // Bank transfers (issue 17).
  adminRoute(
    "support",
    {
      method: "get",
      path: "/transfers",
      summary: "Bank transfers into customers' account numbers, newest first",
      description: "`status=suspense` is the queue of transfers waiting for a person.",
      query: TransfersQuery,
      response: {
        description: "The transfers; `nextCursor` is always null.",
        schema: page(AdminTransfer),
      },
    },
    async (c, { query }) => ({
      items: await listTransfersForAdmin({ ctx: c.var.ctx, status: query.status, limit: query.limit }),
      nextCursor: null,
    }),
  );

  // The panel's "Credit to customer" / "Return to payer"; the service checks the role again and writes the audit row.
  adminRoute(
    "admin",
    {
      method: "post",
      path: "/transfers/:id/resolve",
      summary: "Credit a held bank transfer to a customer, or record it returned to the payer",
      description:
        "`credit` pays the account's owner (or `userId`) less the transfer fee; `return` books the money out of suspense " +
        "after it was refunded on the gateway's dashboard. A transfer is decided once.",
      params: TransferParams,
      body: ResolveSuspenseInput,
      bodyExample: {
        action: "credit",
        userId: "usr_01JEXAMPLE",
        reason: "the payer called: wrong amount typed",
      },
      response: { description: "The transfer, decided.", schema: z.object({ transfer: AdminTransfer }) },
      errors: [
        { status: 404, code: "TRANSFER_NOT_FOUND", description: "No such transfer." },
        { status: 404, code: "USER_NOT_FOUND", description: "No customer with that `userId`." },
        {
          status: 400,
          code: "USER_REQUIRED",
          description: "Nobody owns the account it was sent to: give `userId`.",
        },
        { status: 409, code: "TRANSFER_ALREADY_RESOLVED", description: "It was already decided." },
      ],
    },
    async (c, { params, body }) => ({
      transfer: await resolveSuspenseTransfer({
        ctx: c.var.ctx,
        admin: c.var.admin,
        transferId: params.id,
        input: body,
      }),
    }),
  );

  // Referrers (issue 18 §1), most referees first.
  adminRoute(
    "support",
    {
      method: "get",
      path: "/referrals",
      summary: "Referrers, most referees first, with what their referrals paid",
      query: ReferrersQuery,
      response: { description: "The referrers; `nextCursor` is always null.", schema: page(AdminReferrer) },
    },
    async (c, { query }) => ({
      items: await listReferrersForAdmin({ ctx: c.var.ctx, limit: query.limit }),
      nextCursor: null,
    }),
  );

  // Referees sharing a device, a funding card or a BVN (DECISIONS §64): for a person to judge.
  adminRoute(
    "support",
    {
      method: "get",
      path: "/referrals/abuse",
      summary: "Referees who share a device, a funding card or a BVN",
      description: "A view for a person to judge: nothing is refused or taken back here.",
      response: {
        description: "The groups; `groups` is the same list under its old name.",
        schema: listWithLegacyName(ReferralAbuseGroup, "groups"),
      },
    },
    async (c) => listed((await referralAbuseReport({ ctx: c.var.ctx })).groups, "groups"),
  );

  adminRoute(
    "support",
    {
      method: "get",
      path: "/points",
      summary: "Loyalty points: the liability now and per Lagos day, top holders, latest rows",
      query: PointsQuery,
      response: { description: "The points report.", schema: AdminPointsReport },
    },
    async (c, { query }) => {
      const ctx = c.var.ctx;
      const [report, topHolders, recent] = await Promise.all([
        pointsLiabilityReport({ ctx, days: query.days }),
        listPointHolders({ ctx, limit: query.limit }),
        listRecentPointRows({ ctx, limit: query.limit }),
      ]);
      return { ...report, topHolders, recent };
    },
  );

  adminRoute(
    "support",
    {
      method: "get",
      path: "/users/:id/points",
      summary: "A customer's points: the summary and a page of the statement",
      params: UserParams,
      query: StatementQuery,
      response: { description: "The customer's points.", schema: AdminCustomerPoints },
      errors: [USER_NOT_FOUND],
    },
    async (c, { params, query }) => {
      const ctx = c.var.ctx;
      const userId = params.id;
      const user = await ctx.db.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
      if (!user) {
        throw new NotFoundError("User");
      }
      const [summary, statement] = await Promise.all([
        getPointsSummary({ ctx, userId, recent: 1 }),
        listPointStatement({ ctx, userId, limit: query.limit, before: query.before }),
      ]);
      const { recent: _recent, ...rest } = summary;
      return { userId, ...rest, statement };
    },
  );

  // A retry with the same Idempotency-Key answers with the same row and gives nothing more.
  adminRoute(
    "admin",
    {
      method: "post",
      path: "/users/:id/points/bonus",
      summary: "Give a customer bonus points",
      description: "Audited with the reason, which the customer also sees on their statement.",
      idempotencyKey: "required",
      idempotencyPurpose: "gives the bonus once",
      // A retry is answered 201 with the same grant (the admin panel's form relies on it).
      replay: "unchanged",
      params: UserParams,
      body: BonusBody,
      bodyExample: { points: 250, reason: "launch gift" },
      response: { status: 201, description: "The bonus row.", schema: BonusResult },
      errors: [
        { status: 404, code: "USER_NOT_FOUND", description: "No customer with that id." },
        {
          status: 409,
          code: "IDEMPOTENCY_KEY_REUSED",
          description: "The Idempotency-Key was used for a different bonus.",
        },
      ],
    },
    async (c, { params, body, idempotencyKey }) => {
      const row = await grantBonusPoints({
        ctx: c.var.ctx,
        adminId: c.var.admin.id,
        userId: params.id,
        points: body.points,
        reason: body.reason,
        idempotencyKey,
      });
      return { pointEntryId: row.id, points: row.points, balance: row.balance_after };
    },
  );

  // Customer tiers (issue 18 §3).
  adminRoute(
    "support",
    {
      method: "get",
      path: "/tiers",
      summary: "The customer tiers and how many customers each has",
      response: {
        description: "The tiers, lowest rank first; `tiers` is the same list under its old name.",
        schema: listWithLegacyName(AdminTierRule, "tiers").extend({ counts: z.array(TierCount) }),
      },
    },
    async (c) => ({
      ...listed(await listTierRules(c.var.ctx.db), "tiers"),
      counts: await tierCounts(c.var.ctx),
    }),
  );

  adminRoute(
    "super_admin",
    {
      method: "put",
      path: "/tiers",
      summary: "Change the tiers' names, volumes and margins",
      description:
        "Tiers not listed stay as they are. The lowest tier needs no volume and pays the Regular price; a higher tier " +
        "must need more volume than the one below it; no two tiers share a name (whatever the case). Orders already " +
        "placed keep their price.",
      body: TierRulesInput,
      bodyExample: {
        tiers: {
          smart_buyer: {
            name: "Smart Buyer",
            minVolumeKobo: 5_000_000,
            margins: {
              airtime: null,
              data: { marginType: "percent", marginValue: 250 },
              cable: null,
              electricity: null,
            },
          },
        },
        reason: "a cheaper Smart Buyer data price",
      },
      response: {
        description:
          "Every tier after the change. A change that changes nothing is not saved or audited: the tiers as they are, `changed: false`.",
        schema: z.object({
          tiers: z.array(AdminTierRule),
          changed: z.boolean().meta({ description: "False when every tier already was that way." }),
        }),
      },
    },
    async (c, { body }) => updateTierRules({ ctx: c.var.ctx, admin: c.var.admin, input: body }),
  );

  adminRoute(
    "admin",
    {
      method: "post",
      path: "/users/:id/tier",
      summary: "Fix a customer's tier, or return it to automatic",
      description: '`tier`: a tier code, or `"automatic"` / null to let the delivered volume decide again.',
      params: UserParams,
      body: SetCustomerTierInput,
      bodyExample: { tier: "reseller", reason: "signed the reseller agreement" },
      response: { description: "The customer's tier now.", schema: CustomerTierResult },
      errors: [{ status: 404, code: "USER_NOT_FOUND", description: "No customer with that id." }],
    },
    async (c, { params, body }) => ({
      userId: params.id,
      ...(await setCustomerTier({ ctx: c.var.ctx, admin: c.var.admin, userId: params.id, input: body })),
    }),
  );

  // A customer's cable renewal reminders (DECISIONS §79): the panel's "Turn reminders off/on".
  adminRoute(
    "admin",
    {
      method: "post",
      path: "/users/:id/cable-cards/:cardId/reminders",
      summary: "Turn a customer's cable renewal reminders for one card off or on",
      description:
        "Audited with the reason (on the customer: `/admin/audit?target=<userId>`). Setting the state the card " +
        "already has changes nothing (`changed: false`). The customer can still change them in chat.",
      params: UserCardParams,
      body: AdminCardRemindersInput,
      bodyExample: { on: false, reason: "customer asked by phone" },
      response: { description: "The card now.", schema: AdminCardRemindersResultSchema },
      errors: [
        { status: 404, code: "USER_NOT_FOUND", description: "No customer with that id." },
        { status: 404, code: "CARD_NOT_FOUND", description: "The customer has no card with that id." },
      ],
    },
    async (c, { params, body }) =>
      adminSetCardReminders({
        ctx: c.var.ctx,
        admin: c.var.admin,
        userId: params.id,
        cardId: params.cardId,
        input: body,
      }),
  );

  return app;
}
