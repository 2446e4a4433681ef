import { Hono } from "hono";
import {
  type AdminPaymentFilters,
  adminPaymentDetail,
  customerLabels,
  listPaymentsForAdmin,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { AdminPaymentPage, AdminPaymentsPage } from "../pages/admin-payments";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/payments and /admin/payments/:id: funding intents and withdrawals, read-only (support may). */
export function paymentsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  app.get("/payments", async (c) => {
    const s = await kit.signedInAs(c, "support");
    if (s instanceof Response) {
      return s;
    }
    const filters = kit.filtersFrom(c, ["kind", "status", "userId", "from", "to"] as const);
    return kit.listPage(
      c,
      () => listPaymentsForAdmin(c.var.ctx, filters as AdminPaymentFilters),
      async (rows, error) => (
        <AdminPaymentsPage
          sandbox={kit.sandbox}
          role={s.admin.role}
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

  app.get("/payments/:id{(fnd|wdr)_[0-9a-z]+}", async (c) => {
    const s = await kit.signedInAs(c, "support");
    if (s instanceof Response) {
      return s;
    }
    try {
      const detail = await adminPaymentDetail(c.var.ctx, c.req.param("id"));
      const people = await customerLabels(c.var.ctx, [detail.userId]);
      return await kit.page(
        c,
        <AdminPaymentPage
          sandbox={kit.sandbox}
          role={s.admin.role}
          detail={detail}
          person={people[detail.userId]}
        />,
      );
    } catch (error) {
      if (error instanceof ServiceError && error.code === "NOT_FOUND") {
        return kit.notFound(c, "There is no payment with that id: it was not found.");
      }
      throw error;
    }
  });

  return app;
}
