import { Hono } from "hono";
import { type AuditFilters, listAuditLog } from "../../api/services/admins";
import { AdminAuditPage } from "../pages/admin-audit";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

const FILTERS = ["actor", "action", "target", "from", "to", "before"] as const;

/**
 * GET /admin/audit: every admin action, sign-in and money adjustment, newest first, 50 a page,
 * filtered by actor, action, target and Lagos days (every role may look).
 */
export function auditSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.get("/audit", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const filters = kit.filtersFrom(c, FILTERS);
    return kit.listPage(
      c,
      async () => [await listAuditLog(c.var.ctx, filters as AuditFilters)],
      ([page], error) => (
        <AdminAuditPage
          sandbox={kit.sandbox}
          role={session.admin.role}
          filters={filters}
          rows={page?.items ?? []}
          nextCursor={page?.nextCursor ?? null}
          error={error}
        />
      ),
    );
  });
  return app;
}
