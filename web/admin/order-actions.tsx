import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { httpStatusOf } from "../../api/http/errors";
import {
  adminOrderDetail,
  adminResendReceipt,
  hasRole,
  isUnresolved,
  markOrderDelivered,
  refundOrder,
  requeryOrderNow,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { formatNaira } from "../../api/services/money";
import { AdminForbiddenPage } from "../pages/admin";
import { AdminOrderPage } from "../pages/admin-ops";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const DONE: Record<string, string> = {
  requeried: "asked the provider again",
  delivered: "marked delivered and settled",
  refunded: "refunded to the customer",
  receipt_resent: "receipt queued to the customer's chat",
};

/**
 * The forms under an order: resend a delivered order's receipt (support may), and for an order
 * still waiting for a person (pending, unknown, manual review) requery now, mark delivered with the
 * provider's reference, or refund — admin only, each with a reason for the audit log.
 */
export function OrderActions(props: {
  order: { id: string; state: string; priceKobo: number; channel: string; service: string };
  csrf: string;
  canChange: boolean;
  vtuAvailable: boolean;
  notice?: string;
  error?: string;
}) {
  const { order, csrf } = props;
  const unresolved = isUnresolved(order.state);
  const action = (name: string) => `/admin/orders/${order.id}/${name}`;
  return (
    <div class="card">
      <h2>Actions</h2>
      {props.notice ? <p class="badge ok">{props.notice}</p> : null}
      {props.error ? <p class="error">{props.error}</p> : null}
      {order.state === "delivered" ? (
        <form method="post" action={action("resend-receipt")}>
          <input type="hidden" name="csrf" value={csrf} />
          <button class="secondary" type="submit">
            Resend the receipt to the customer
          </button>
        </form>
      ) : null}
      {unresolved && !props.canChange ? (
        <p class="muted">
          This order waits for a person ({order.state.replace("_", " ")}); an admin can requery, mark it
          delivered or refund it.
        </p>
      ) : null}
      {unresolved && props.canChange ? (
        <>
          <p>
            The customer's {formatNaira(order.priceKobo)} is held until this order is resolved (
            {order.state.replace("_", " ")}).
            {order.channel === "gift" ? " It is a gift: a refund goes back to the gift room's escrow." : ""}
          </p>
          <h3>Ask the provider now</h3>
          {props.vtuAvailable ? (
            <form method="post" action={action("requery")}>
              <input type="hidden" name="csrf" value={csrf} />
              <label>
                Note (optional)
                <input class="field" name="reason" maxlength={500} />
              </label>
              <button class="secondary" type="submit">
                Requery now
              </button>
            </form>
          ) : (
            <p class="muted">
              This process has no VTU providers, so it cannot ask one; the sweep job keeps requerying.
            </p>
          )}
          <h3>The provider confirmed delivery</h3>
          <form method="post" action={action("mark-delivered")}>
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Provider's reference
              <input class="field" name="reference" required minlength={3} maxlength={120} />
            </label>
            {order.service === "electricity" ? (
              <label>
                Token (prepaid meters: as the provider gave it; stored encrypted)
                <input class="field" name="token" maxlength={40} autocomplete="off" />
              </label>
            ) : null}
            <label>
              Reason
              <input class="field" name="reason" required minlength={5} maxlength={500} />
            </label>
            <button class="primary" type="submit">
              Mark delivered (settle)
            </button>
          </form>
          <h3>Nothing was delivered</h3>
          <form method="post" action={action("refund")}>
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Reason
              <input class="field" name="reason" required minlength={5} maxlength={500} />
            </label>
            <button class="secondary" type="submit">
              Refund {formatNaira(order.priceKobo)}
            </button>
          </form>
        </>
      ) : null}
      {!unresolved && order.state !== "delivered" ? (
        <p class="muted">Nothing to do: this order is {order.state.replace("_", " ")}.</p>
      ) : null}
    </div>
  );
}

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
  kit.noStore(c);
  try {
    const detail = await adminOrderDetail(c.var.ctx, orderId);
    const done = c.req.query("done");
    const notice = message.notice ?? (done && DONE[done] ? `Done: ${DONE[done]}.` : undefined);
    return c.html(
      <AdminOrderPage
        sandbox={kit.sandbox}
        detail={detail}
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
      return c.html(
        <AdminForbiddenPage sandbox={kit.sandbox} message="There is no order with that id." />,
        404,
      );
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
          return kit.forbidden(c, "There is no order with that id.", 404);
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
