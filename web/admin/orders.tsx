import { Hono } from "hono";
import {
  type AdminOrderFilters,
  customerLabels,
  listOrdersForAdmin,
  ordersCsv,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { AdminOrdersPage } from "../pages/admin-ops";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit } from "./kit";
import { orderPageWithActions } from "./order-actions";

const FILTERS = ["state", "service", "provider", "userId", "from", "to"] as const;

/**
 * Orders (every role may look): GET /admin/orders with filters, GET /admin/orders.csv (the same
 * filters, up to 5,000 rows), GET /admin/orders/:id (one order with its provider attempts and its
 * actions; the POSTs are in order-actions.tsx).
 */
export function ordersSection(deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const filtersOf = (c: AdminContext) => kit.filtersFrom(c, FILTERS);

  app.get("/orders", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const filters = filtersOf(c);
    return kit.listPage(
      c,
      () => listOrdersForAdmin(c.var.ctx, filters as AdminOrderFilters),
      async (rows, error) => (
        <AdminOrdersPage
          sandbox={kit.sandbox}
          role={session.admin.role}
          filters={filters}
          rows={rows}
          people={
            await customerLabels(
              c.var.ctx,
              rows.map((r) => r.userId),
            )
          }
          error={error}
        />
      ),
    );
  });

  app.get("/orders.csv", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    kit.noStore(c);
    let rows: Awaited<ReturnType<typeof listOrdersForAdmin>>;
    try {
      rows = await listOrdersForAdmin(c.var.ctx, { ...(filtersOf(c) as AdminOrderFilters), limit: 5000 });
    } catch (error) {
      if (error instanceof ServiceError) {
        return c.text(`${error.message}\n`, 400);
      }
      throw error;
    }
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", 'attachment; filename="tada-orders.csv"');
    return c.body(ordersCsv(rows));
  });

  app.get("/orders/:id{ord_[0-9a-z]+}", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    // The page with its actions (resend receipt; requery / mark delivered / refund for admins).
    return orderPageWithActions(c, deps, kit, session, c.req.param("id"));
  });

  return app;
}
