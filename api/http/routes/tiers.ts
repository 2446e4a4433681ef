import { OpenAPIHono } from "@hono/zod-openapi";
import { describeTierMargins, tierProgress } from "../../services/rewards";
import type { AppEnv } from "../context";
import { defineRoute } from "../openapi/define-route";
import { TierProgress } from "../schemas/rewards";

/**
 * Customer tiers (issue 18 §3): the caller's tier, their delivered volume over the window, what the
 * next tier needs, and the published tiers with their margins.
 */
export function tierRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: ["Rewards"],
      summary: "Your price tier, your volume, what the next tier needs, and every tier",
      description:
        "Higher tiers pay lower prices; a tier follows your delivered purchases over a window of days.",
      auth: "user",
      response: { description: "Your tier and the published tiers.", schema: TierProgress },
    },
    async (c) => {
      const progress = await tierProgress(c.var.ctx, c.var.principal.userId);
      return {
        tier: progress.tier,
        automatic: progress.automatic,
        windowDays: progress.windowDays,
        volumeKobo: progress.volumeKobo,
        next: progress.next,
        tiers: progress.tiers.map((t) => ({
          code: t.code,
          name: t.name,
          rank: t.rank,
          minVolumeKobo: t.minVolumeKobo,
          margins: t.margins,
          summary: describeTierMargins(t) || "Regular prices",
        })),
      };
    },
  );
  return app;
}
