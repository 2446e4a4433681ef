import { Hono } from "hono";
import { describeTierMargins, tierProgress } from "../../services/rewards";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";

/**
 * Customer tiers (issue 18 §3): the caller's tier, their delivered volume over the window, what the
 * next tier needs, and the published tiers with their margins.
 */
export function tierRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", requireUser({ scope: "read" }), async (c) => {
    const progress = await tierProgress(c.var.ctx, c.var.principal.userId);
    return ok(c, {
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
    });
  });
  return app;
}
