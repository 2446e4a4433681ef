import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hasRole } from "../../api/services/admins";
import { ServiceError, ValidationError } from "../../api/services/errors";
import { nairaToKobo } from "../../api/services/money";
import { getReferralRules, listReferrersForAdmin, updateReferralRules } from "../../api/services/rewards";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminReferralsPage } from "../pages/admin-referrals";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

/**
 * GET /admin/referrals: who brought whom and what it paid (support may look), and the rules;
 * POST /admin/referrals/rules: a super admin changes the amounts, the minimum and the monthly cap
 * (naira in the form, kobo in the service), with a reason, audited by updateReferralRules.
 */
export function referralsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const page = async (
    c: AdminContext,
    session: AdminSession,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    const [rows, rules] = await Promise.all([
      listReferrersForAdmin({ ctx: c.var.ctx, limit: 200 }),
      getReferralRules(c.var.ctx, c.var.ctx.db),
    ]);
    return kit.page(
      c,
      <AdminReferralsPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        rows={rows}
        rules={rules}
        csrf={hasRole(session.admin, "super_admin") ? kit.csrf(c, session) : undefined}
        notice={message.notice}
        error={message.error}
      />,
      status,
    );
  };

  app.get("/referrals", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    return page(
      c,
      session,
      c.req.query("saved") === "1" ? { notice: "Saved: the new rules apply to rewards from now on." } : {},
    );
  });

  app.post("/referrals/rules", async (c) => {
    const post = await kit.signedInPost(c, "super_admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    try {
      const naira = (name: string, label: string) => {
        try {
          return nairaToKobo(kit.field(form, name));
        } catch {
          throw new ValidationError(`${label}: type an amount in naira, like 100 or 50.50.`);
        }
      };
      const cap = kit.field(form, "monthlyCap");
      await updateReferralRules({
        ctx: c.var.ctx,
        admin: session.admin,
        input: {
          rewardKobo: naira("reward", "Referrer's reward"),
          welcomeKobo: naira("welcome", "Welcome bonus"),
          minPurchaseKobo: naira("minPurchase", "Smallest qualifying purchase"),
          monthlyCap: /^\d{1,6}$/.test(cap) ? Number(cap) : -1,
          reason: kit.field(form, "reason"),
        },
      });
      return c.redirect("/admin/referrals?saved=1", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return page(c, session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });
  return app;
}
