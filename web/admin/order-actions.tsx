import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  adminOrderDetail,
  adminResendReceipt,
  customerLabels,
  hasRole,
  markOrderDelivered,
  refundOrder,
  requeryOrderNow,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminOrderPage } from "../pages/admin-ops";
import { OrderActions } from "../pages/admin-order-actions";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const DONE: Record<string, string> = {
  requeried: "asked the provider again",
  delivered: "marked delivered and settled",
  refunded: "refunded to the customer",
  receipt_resent: "receipt queued to the customer's chat",
};

/** Builds the order page with its actions; the GET /admin/orders/:id handler uses it too. */
export async function orderPageWithActions(
  c: AdminContext,
  deps: AdminDeps,
  kit: AdminKit,
  session: AdminSession,
  orderId: string,
  message: { notice?: string; error?: string } = {},
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  try {
    const detail = await adminOrderDetail(c.var.ctx, orderId);
    const done = c.req.query("done");
    const notice = message.notice ?? (done && DONE[done] ? `Done: ${DONE[done]}.` : undefined);
    const people = await customerLabels(c.var.ctx, [detail.order.userId]);
    return await kit.page(
      c,
      <AdminOrderPage
        sandbox={kit.sandbox}
        detail={detail}
        person={people[detail.order.userId]}
        role={session.admin.role}
        actions={
          <OrderActions
            order={detail.order}
            csrf={kit.csrf(c, session)}
            canChange={hasRole(session.admin, "admin")}
            vtuAvailable={deps.vtu !== undefined}
            notice={notice}
            error={message.error}
          />
        }
      />,
      status,
    );
  } catch (error) {
    if (error instanceof ServiceError && error.code === "NOT_FOUND") {
      return kit.notFound(c, "There is no order with that id: it was not found.");
    }
    throw error;
  }
}

/** POST /admin/orders/:id/{requery,mark-delivered,refund,resend-receipt}. */
export function orderActionsSection(deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const ID = "/orders/:id{ord_[0-9a-z]+}";

  const run = (
    path: string,
    role: "support" | "admin",
    done: string,
    act: (c: AdminContext, session: AdminSession, form: Record<string, string | File>) => Promise<unknown>,
  ) => {
    app.post(`${ID}/${path}`, async (c) => {
      const post = await kit.signedInPost(c, role);
      if ("response" in post) {
        return post.response;
      }
      const orderId = c.req.param("id");
      try {
        await act(c, post.session, post.form);
        return c.redirect(`/admin/orders/${orderId}?done=${done}`, 303);
      } catch (error) {
        if (error instanceof ServiceError && error.code !== "NOT_FOUND") {
          return orderPageWithActions(
            c,
            deps,
            kit,
            post.session,
            orderId,
            { error: error.message },
            httpStatusOf(error),
          );
        }
        if (error instanceof ServiceError) {
          return kit.notFound(c, "There is no order with that id: it was not found.");
        }
        throw error;
      }
    });
  };

  run("requery", "admin", "requeried", (c, session, form) =>
    requeryOrderNow({
      ctx: c.var.ctx,
      vtu: deps.vtu,
      admin: session.admin,
      orderId: c.req.param("id") ?? "",
      reason: kit.field(form, "reason"),
    }),
  );
  run("mark-delivered", "admin", "delivered", (c, session, form) =>
    markOrderDelivered({
      ctx: c.var.ctx,
      admin: session.admin,
      orderId: c.req.param("id") ?? "",
      input: {
        reference: kit.field(form, "reference"),
        reason: kit.field(form, "reason"),
        token: kit.field(form, "token") || undefined,
      },
    }),
  );
  run("refund", "admin", "refunded", (c, session, form) =>
    refundOrder({
      ctx: c.var.ctx,
      admin: session.admin,
      orderId: c.req.param("id") ?? "",
      input: { reason: kit.field(form, "reason") },
    }),
  );
  run("resend-receipt", "support", "receipt_resent", (c, session) =>
    adminResendReceipt({ ctx: c.var.ctx, admin: session.admin, orderId: c.req.param("id") ?? "" }),
  );

  return app;
}
