import { Hono } from "hono";
import { listSchedulesForAdmin } from "../../api/services/schedules";
import { AdminSchedulesPage } from "../pages/admin-schedules";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/schedules: every customer's schedules, paused and failing first (support may look). */
export function schedulesSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.get("/schedules", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const rows = await listSchedulesForAdmin({ ctx: c.var.ctx, limit: 300 });
    return kit.page(c, <AdminSchedulesPage sandbox={kit.sandbox} role={session.admin.role} rows={rows} />);
  });
  return app;
}
