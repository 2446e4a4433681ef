import { Hono } from "hono";
import {
  type AdminPaymentFilters,
  adminPaymentDetail,
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
    kit.noStore(c);
    const pick = (name: string) => (c.req.query(name) ?? "").slice(0, 60);
    const filters = {
      kind: pick("kind"),
      status: pick("status"),
      userId: pick("userId"),
      from: pick("from"),
      to: pick("to"),
    };
    try {
      const rows = await listPaymentsForAdmin(c.var.ctx, filters as AdminPaymentFilters);
      return c.html(
        <AdminPaymentsPage sandbox={kit.sandbox} role={s.admin.role} filters={filters} rows={rows} />,
      );
    } catch (error) {
      if (error instanceof ServiceError) {
        return c.html(
          <AdminPaymentsPage
            sandbox={kit.sandbox}
            role={s.admin.role}
            filters={filters}
            rows={[]}
            error={error.message}
          />,
          400,
        );
      }
      throw error;
    }
  });

  app.get("/payments/:id{(fnd|wdr)_[0-9a-z]+}", async (c) => {
    const s = await kit.signedInAs(c, "support");
    if (s instanceof Response) {
      return s;
    }
    kit.noStore(c);
    try {
      const detail = await adminPaymentDetail(c.var.ctx, c.req.param("id"));
      return c.html(<AdminPaymentPage sandbox={kit.sandbox} role={s.admin.role} detail={detail} />);
    } catch (error) {
      if (error instanceof ServiceError && error.code === "NOT_FOUND") {
        return kit.forbidden(c, "There is no payment with that id.", 404);
      }
      throw error;
    }
  });

  return app;
}
