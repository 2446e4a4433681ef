import { Hono } from "hono";
import { referralAbuseReport } from "../../api/services/rewards";
import { AdminReferralAbusePage } from "../pages/admin-referral-abuse";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/referrals/abuse: referees sharing a device, a card or a BVN (support may look). */
export function referralAbuseSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.get("/referrals/abuse", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const { groups } = await referralAbuseReport({ ctx: c.var.ctx });
    return kit.page(
      c,
      <AdminReferralAbusePage sandbox={kit.sandbox} role={session.admin.role} groups={groups} />,
    );
  });
  return app;
}
