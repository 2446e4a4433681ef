import { Hono } from "hono";
import { listReferrersForAdmin } from "../../api/services/rewards";
import { AdminReferralsPage } from "../pages/admin-referrals";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/referrals: who brought whom and what it paid (support may look; nothing to change). */
export function referralsSection(deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const { config } = deps;

  app.get("/referrals", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    kit.noStore(c);
    const rows = await listReferrersForAdmin({ ctx: c.var.ctx, limit: 200 });
    return c.html(
      <AdminReferralsPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        rows={rows}
        rules={{
          rewardKobo: config.REFERRAL_REWARD_KOBO,
          welcomeKobo: config.REFERRAL_WELCOME_KOBO,
          minPurchaseKobo: config.REFERRAL_MIN_PURCHASE_KOBO,
          monthlyCap: config.REFERRAL_MONTHLY_CAP,
        }}
      />,
    );
  });
  return app;
}
