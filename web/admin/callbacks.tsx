import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { customerLabels } from "../../api/services/admins";
import { adminResendCallbackDelivery, listCallbackDeliveriesForAdmin } from "../../api/services/callbacks";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminCallbacksPage } from "../pages/admin-callbacks";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const FILTERS = ["status", "key", "user"] as const;

/**
 * GET /admin/callbacks: resellers' callback deliveries (support may look), filtered by status, key
 * or customer; POST /admin/callbacks/:id/resend: send one again (support may, it moves no money),
 * audited as the admin's action by the service.
 */
export function callbacksSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  const page = async (
    c: AdminContext,
    session: AdminSession,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    const filters = kit.filtersFrom(c, FILTERS);
    const render = async (
      rows: Awaited<ReturnType<typeof listCallbackDeliveriesForAdmin>>,
      error?: string,
    ) => (
      <AdminCallbacksPage
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
        csrf={kit.csrf(c, session)}
        notice={message.notice}
        error={message.error ?? error}
      />
    );
    const load = () =>
      listCallbackDeliveriesForAdmin({
        ctx: c.var.ctx,
        filters: {
          ...(filters.status ? { status: filters.status } : {}),
          ...(filters.key ? { apiKeyId: filters.key } : {}),
          ...(filters.user ? { userId: filters.user } : {}),
        },
        limit: 200,
      });
    if (status !== 200) {
      return kit.page(c, await render(await load().catch(() => []), message.error), status);
    }
    return kit.listPage(c, load, render);
  };

  app.get("/callbacks", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    return page(
      c,
      session,
      c.req.query("done") === "resent"
        ? { notice: "Done: the callback will be sent again within seconds." }
        : {},
    );
  });

  app.post("/callbacks/:id{cbd_[0-9a-f]+}/resend", async (c) => {
    const post = await kit.signedInPost(c, "support");
    if ("response" in post) {
      return post.response;
    }
    try {
      await adminResendCallbackDelivery({
        ctx: c.var.ctx,
        admin: post.session.admin,
        deliveryId: c.req.param("id"),
      });
      return c.redirect("/admin/callbacks?done=resent", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return page(c, post.session, { error: error.message }, httpStatusOf(error));
      }
      throw error;
    }
  });
  return app;
}
