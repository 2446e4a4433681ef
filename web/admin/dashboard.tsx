import { Hono } from "hono";
import { adminOverview } from "../../api/services/admins";
import { listOpenAlerts } from "../../api/services/alerts";
import { addDays, analyticsReport, lagosDay } from "../../api/services/analytics";
import { ValidationError } from "../../api/services/errors";
import { AdminDashboardPage } from "../pages/admin-dashboard";
import type { AdminEnv } from "./kit";
import type { AdminSection } from "./sections";

const PRESETS = new Set(["7", "30", "90"]);

/**
 * GET /admin: the dashboard, for every role. `?from=&to=` (Lagos days, YYYY-MM-DD) or `?preset=7|30|90`
 * picks the range; the default is the last 30 days. A range that makes no sense is a 400 page that
 * says what to change.
 */
export const dashboardSection: AdminSection = (_deps, kit) => {
  const app = new Hono<AdminEnv>();

  app.get("/", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const ctx = c.var.ctx;
    const today = lagosDay(ctx.now());
    const preset = c.req.query("preset") ?? "";
    const asked = PRESETS.has(preset)
      ? { from: addDays(today, 1 - Number(preset)), to: today }
      : { from: c.req.query("from") ?? "", to: c.req.query("to") ?? "" };
    const page = {
      sandbox: kit.sandbox,
      admin: session.admin,
      overview: await adminOverview(ctx),
      alerts: await listOpenAlerts(ctx),
    };
    if (preset !== "" && !PRESETS.has(preset)) {
      // Not silently the 30-day default: the address asked for something else.
      const error = `preset: ${preset} is not a preset; use 7, 30 or 90, or pick From and To.`;
      return kit.page(c, <AdminDashboardPage {...page} range={asked} error={error} />, 400);
    }
    try {
      const report = await analyticsReport(ctx, asked);
      return kit.page(c, <AdminDashboardPage {...page} range={report.range} report={report} />);
    } catch (error) {
      if (error instanceof ValidationError) {
        return kit.page(c, <AdminDashboardPage {...page} range={asked} error={error.message} />, 400);
      }
      throw error;
    }
  });

  return app;
};
