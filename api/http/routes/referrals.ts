import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { applyReferralCode, getReferralSummary } from "../../services/rewards";
import type { AppEnv } from "../context";
import { defineRoute } from "../openapi/define-route";
import { ReferralApplied, ReferralSummary } from "../schemas/rewards";

const ApplyCodeInput = z.strictObject({ code: z.string().trim().min(1).max(40) });
const TAGS = ["Rewards"];

/** Referrals (issue 18 §1): the customer's code, link and earnings; a code entered after joining. */
export function referralRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: TAGS,
      summary: "Your referral code, link, earnings and the rules",
      auth: "user",
      response: { description: "Your referrals.", schema: z.object({ referral: ReferralSummary }) },
    },
    async (c) => ({
      referral: await getReferralSummary({ ctx: c.var.ctx, userId: c.var.principal.userId }),
    }),
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/code",
      tags: TAGS,
      summary: "Join through someone's referral code, after signing up",
      description: "Once, within a few days of joining and before your first purchase is delivered.",
      auth: "user",
      body: ApplyCodeInput,
      bodyExample: { code: "ADA7K2" },
      response: { description: "The code is yours now.", schema: ReferralApplied },
      errors: [
        { status: 404, code: "REFERRAL_CODE_UNKNOWN", description: "No such referral code." },
        { status: 409, code: "REFERRAL_ALREADY_SET", description: "You already joined with a code." },
        { status: 422, code: "REFERRAL_SELF", description: "That is your own code (or the same person's)." },
        {
          status: 422,
          code: "REFERRAL_TOO_LATE",
          description: "Too long since you joined, or you have bought already.",
        },
      ],
    },
    async (c, { body }) => {
      const applied = await applyReferralCode({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        code: body.code,
      });
      return { applied: true as const, referrerFirstName: applied.referrerFirstName };
    },
  );
  return app;
}
