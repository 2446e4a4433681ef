import { Hono } from "hono";
import { adminCardsDueSoon, reminderCounts } from "../../api/services/renewals";
import { AdminRemindersPage } from "../pages/admin-reminders";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/reminders: reminders sent today, cards in the reminder window, opt-outs (support may look). */
export function remindersSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.get("/reminders", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const ctx = c.var.ctx;
    const [counts, dueSoon] = await Promise.all([reminderCounts(ctx), adminCardsDueSoon(ctx, 200)]);
    return kit.page(
      c,
      <AdminRemindersPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        counts={counts}
        dueSoon={dueSoon}
      />,
    );
  });
  return app;
}
