import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hasRole } from "../../api/services/admins";
import { parseMargin } from "../../api/services/admins/catalogue-settings";
import { ServiceError, ValidationError } from "../../api/services/errors";
import { nairaToKobo } from "../../api/services/money";
import { listTierRules, TIER_SERVICES, tierCounts, updateTierRules } from "../../api/services/rewards";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminTiersPage } from "../pages/admin-tiers";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

/**
 * GET /admin/tiers: the tiers, their margins and how many customers each has (support may look);
 * POST /admin/tiers/rules: a super admin changes names, volumes and margins (naira and percent in the
 * form), with a reason, audited by updateTierRules. (A customer's tier is set on their page:
 * POST /admin/users/:id/tier in customers.tsx.)
 */
export function tiersSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const page = async (
    c: AdminContext,
    session: AdminSession,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    const [tiers, counts] = await Promise.all([listTierRules(c.var.ctx.db), tierCounts(c.var.ctx)]);
    return kit.page(
      c,
      <AdminTiersPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        tiers={tiers}
        counts={counts}
        windowDays={c.var.ctx.config.TIER_WINDOW_DAYS}
        csrf={hasRole(session.admin, "super_admin") ? kit.csrf(c, session) : undefined}
        notice={message.notice}
        error={message.error}
      />,
      status,
    );
  };

  app.get("/tiers", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    return page(
      c,
      session,
      c.req.query("saved") === "1"
        ? { notice: "Saved: new orders and listings use the new tiers." }
        : c.req.query("saved") === "0"
          ? { notice: "Nothing to save: the tiers already were like that." }
          : {},
    );
  });

  app.post("/tiers/rules", async (c) => {
    const post = await kit.signedInPost(c, "super_admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    try {
      const current = await listTierRules(c.var.ctx.db);
      const tiers: Record<string, unknown> = {};
      current.forEach((t, i) => {
        const name = kit.field(form, `${t.code}.name`);
        if (i === 0) {
          tiers[t.code] = {
            name,
            minVolumeKobo: 0,
            margins: { airtime: null, data: null, cable: null, electricity: null },
          };
          return;
        }
        let minVolumeKobo: number;
        try {
          minVolumeKobo = nairaToKobo(kit.field(form, `${t.code}.minVolume`).replace(/[₦,\s]/g, ""));
        } catch {
          throw new ValidationError(`${t.name}: type the volume in naira, like 50000.`);
        }
        const margins: Record<string, unknown> = {};
        for (const service of TIER_SERVICES) {
          const type = kit.field(form, `${t.code}.${service}.type`);
          if (type === "flat" || type === "percent") {
            margins[service] = {
              marginType: type,
              marginValue: parseMargin(type, kit.field(form, `${t.code}.${service}.value`)),
            };
          } else {
            margins[service] = null;
          }
        }
        tiers[t.code] = { name, minVolumeKobo, margins };
      });
      const { changed } = await updateTierRules({
        ctx: c.var.ctx,
        admin: session.admin,
        input: { tiers: tiers as never, reason: kit.field(form, "reason") },
      });
      return c.redirect(`/admin/tiers?saved=${changed ? 1 : 0}`, 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return page(c, session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });

  return app;
}
