import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hasRole } from "../../api/services/admins";
import { ServiceError, ValidationError } from "../../api/services/errors";
import { nairaToKobo } from "../../api/services/money";
import { normalizePhone } from "../../api/services/phone";
import {
  getPointsRules,
  getPointsSummary,
  grantBonusPoints,
  listPointHolders,
  listPointStatement,
  listRecentPointRows,
  pointsLiabilityReport,
  updatePointsRules,
} from "../../api/services/rewards";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminPointStatementPage, AdminPointsPage } from "../pages/admin-points";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

/**
 * Loyalty points in the panel (issue 18 §2, §5; DECISIONS §63):
 * - GET /admin/points: the liability now and day by day, top holders, the latest rows, the rules
 *   (support may look);
 * - POST /admin/points/rules: a super admin changes the rules (naira for a point's worth), audited;
 * - POST /admin/points/bonus and POST /admin/users/:id/points/bonus: bonus points for a customer,
 *   by an admin or a super admin (the roles that act on a customer's account, as the customer
 *   page's actions), audited by grantBonusPoints;
 * - GET /admin/users/:id/points: a customer's whole point statement, a page at a time.
 */
export function pointsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  const page = async (
    c: AdminContext,
    session: AdminSession,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    const ctx = c.var.ctx;
    const days = Number(c.req.query("days") ?? "30");
    const [report, holders, recent, rules] = await Promise.all([
      pointsLiabilityReport({ ctx, days: Number.isSafeInteger(days) ? days : 30 }),
      listPointHolders({ ctx, limit: 20 }),
      listRecentPointRows({ ctx, limit: 30 }),
      getPointsRules(ctx, ctx.db),
    ]);
    return kit.page(
      c,
      <AdminPointsPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        report={report}
        holders={holders}
        recent={recent}
        rules={rules}
        rulesCsrf={hasRole(session.admin, "super_admin") ? kit.csrf(c, session) : undefined}
        bonusCsrf={hasRole(session.admin, "admin") ? kit.csrf(c, session) : undefined}
        notice={message.notice}
        error={message.error}
      />,
      status,
    );
  };

  app.get("/points", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const done = c.req.query("done");
    return page(
      c,
      session,
      done === "rules"
        ? { notice: "Saved: the new rules apply to points written from now on." }
        : done === "bonus"
          ? { notice: "Done: the bonus points were given." }
          : {},
    );
  });

  app.post("/points/rules", async (c) => {
    const post = await kit.signedInPost(c, "super_admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    try {
      const whole = (name: string, label: string) => {
        const value = kit.field(form, name);
        if (!/^\d{1,9}$/.test(value)) {
          throw new ValidationError(`${label}: type a whole number, like 1 or 100.`);
        }
        return Number(value);
      };
      let pointValueKobo: number;
      try {
        pointValueKobo = nairaToKobo(kit.field(form, "pointValue"));
      } catch {
        throw new ValidationError("What a point is worth: type an amount in naira, like 0.50 or 1.");
      }
      await updatePointsRules({
        ctx: c.var.ctx,
        admin: session.admin,
        input: {
          earnPer100Naira: {
            airtime: whole("earnAirtime", "Points per ₦100 of airtime"),
            data: whole("earnData", "Points per ₦100 of data"),
            cable: whole("earnCable", "Points per ₦100 of cable TV"),
            electricity: whole("earnElectricity", "Points per ₦100 of electricity"),
          },
          referralPoints: whole("referralPoints", "Points per paid referral"),
          pointValueKobo,
          minRedeemPoints: whole("minRedeemPoints", "Fewest points a redemption takes"),
          expiryDays: whole("expiryDays", "Days before points expire"),
          reason: kit.field(form, "reason"),
        },
      });
      return c.redirect("/admin/points?done=rules", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return page(c, session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });

  /** The bonus form's fields, checked the same way from either page. */
  const giveBonus = async (
    c: AdminContext,
    session: AdminSession,
    form: Record<string, string | File>,
    userId: string,
  ) => {
    const count = kit.field(form, "points");
    const nonce = kit.field(form, "nonce");
    await grantBonusPoints({
      ctx: c.var.ctx,
      adminId: session.admin.id,
      userId,
      points: /^\d{1,9}$/.test(count) ? Number(count) : -1,
      reason: kit.field(form, "reason"),
      // The form's own nonce: submitting the same form twice gives the bonus once.
      idempotencyKey: `panel-points:${/^[0-9a-f]{24}$/.test(nonce) ? nonce : randomBytes(12).toString("hex")}`,
    });
  };

  app.post("/points/bonus", async (c) => {
    const post = await kit.signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    try {
      const userId = await findCustomer(c, kit.field(form, "customer"));
      await giveBonus(c, session, form, userId);
      return c.redirect("/admin/points?done=bonus", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return page(c, session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });

  app.post("/users/:id/points/bonus", async (c) => {
    const post = await kit.signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    const userId = c.req.param("id");
    try {
      await giveBonus(c, session, form, userId);
      return c.redirect(`/admin/users/${encodeURIComponent(userId)}?done=bonus_points`, 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        // The customer page shows its own errors; the points page is where a refusal is explained.
        return page(c, session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });

  app.get("/users/:id/points", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const ctx = c.var.ctx;
    const userId = c.req.param("id");
    const user = await ctx.db
      .selectFrom("users")
      .select(["id", "display_name", "phone"])
      .where("id", "=", userId)
      .executeTakeFirst();
    if (!user) {
      return kit.notFound(c, "There is no customer with that id: it was not found.");
    }
    const before = c.req.query("before");
    const [summary, statement] = await Promise.all([
      getPointsSummary({ ctx, userId, recent: 1 }),
      listPointStatement({
        ctx,
        userId,
        limit: 50,
        before: before && /^\d{1,18}$/.test(before) ? before : undefined,
      }),
    ]);
    return kit.page(
      c,
      <AdminPointStatementPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        user={{ id: user.id, name: user.display_name, phone: user.phone }}
        summary={summary}
        lines={statement.items}
        nextCursor={statement.nextCursor}
      />,
    );
  });

  return app;
}

/** A customer by user id or phone (any form), for the Points page's bonus form. */
async function findCustomer(c: AdminContext, text: string): Promise<string> {
  const { db } = c.var.ctx;
  let phone: string | undefined;
  try {
    phone = normalizePhone(text);
  } catch {
    phone = undefined;
  }
  const row = await db
    .selectFrom("users")
    .select("id")
    .where((eb) => (phone ? eb.or([eb("id", "=", text), eb("phone", "=", phone)]) : eb("id", "=", text)))
    .executeTakeFirst();
  if (!row) {
    throw new ValidationError("Customer: no customer has that user id or phone.", { field: "customer" });
  }
  return row.id;
}
