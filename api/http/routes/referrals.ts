import { Hono } from "hono";
import { z } from "zod";
import { applyReferralCode, getReferralSummary } from "../../services/rewards";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody } from "../validate";

const ApplyCodeInput = z.strictObject({ code: z.string().trim().min(1).max(40) });

/** Referrals (issue 18 §1): the customer's code, link and earnings; a code entered after joining. */
export function referralRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", requireUser({ scope: "read" }), async (c) =>
    ok(c, { referral: await getReferralSummary({ ctx: c.var.ctx, userId: c.var.principal.userId }) }),
  );

  app.post("/code", requireUser({ scope: "purchase" }), async (c) => {
    const { code } = await jsonBody(c, ApplyCodeInput);
    const applied = await applyReferralCode({ ctx: c.var.ctx, userId: c.var.principal.userId, code });
    return ok(c, { applied: true, referrerFirstName: applied.referrerFirstName });
  });
  return app;
}
