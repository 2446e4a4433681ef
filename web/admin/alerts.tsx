import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { createAdminApiKey, hasRole, listAdminApiKeys, revokeAdminApiKey } from "../../api/services/admins";
import {
  getAlertChats,
  listOpenAlerts,
  listResolvedAlerts,
  resolveAlertByAdmin,
  setAlertChats,
} from "../../api/services/alerts";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminAccountPage, AdminAlertsPage } from "../pages/admin-alerts";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

/** Alerts (list, resolve) and each admin's own account: alert chats and admin API keys. */
export function adminAlertRoutes(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  const alertsPage = async (
    c: AdminContext,
    session: AdminSession,
    status: ContentfulStatusCode = 200,
    message: { notice?: string; error?: string } = {},
  ) => {
    return kit.page(
      c,
      <AdminAlertsPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        open={await listOpenAlerts(c.var.ctx)}
        resolved={await listResolvedAlerts(c.var.ctx)}
        csrf={hasRole(session.admin, "admin") ? kit.csrf(c, session) : undefined}
        {...message}
      />,
      status,
    );
  };

  app.get("/alerts", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    return alertsPage(c, session, 200, c.req.query("done") ? { notice: "Alert resolved." } : {});
  });

  app.post("/alerts/:id{[0-9]+}/resolve", async (c) => {
    const post = await kit.signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    try {
      await resolveAlertByAdmin({
        ctx: c.var.ctx,
        admin: post.session.admin,
        alertId: Number(c.req.param("id")),
        input: { reason: kit.field(post.form, "reason") },
      });
      return c.redirect("/admin/alerts?done=1", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        const status = httpStatusOf(error);
        return alertsPage(c, post.session, status, { error: error.message });
      }
      throw error;
    }
  });

  const accountPage = async (
    c: AdminContext,
    session: AdminSession,
    status: ContentfulStatusCode = 200,
    extra: { notice?: string; error?: string; newKey?: string } = {},
  ) => {
    return kit.page(
      c,
      <AdminAccountPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        email={session.admin.email}
        csrf={kit.csrf(c, session)}
        chats={await getAlertChats(c.var.ctx, session.admin.id)}
        keys={await listAdminApiKeys(c.var.ctx, session.admin.id)}
        {...extra}
      />,
      status,
    );
  };

  const failed = (c: AdminContext, session: AdminSession, error: unknown) => {
    if (error instanceof ServiceError) {
      const status = httpStatusOf(error);
      return accountPage(c, session, status, { error: error.message });
    }
    throw error;
  };

  app.get("/account", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    return accountPage(c, session, 200, c.req.query("done") ? { notice: "Saved." } : {});
  });

  app.post("/account/alert-chats", async (c) => {
    const post = await kit.signedInPost(c, "support");
    if ("response" in post) {
      return post.response;
    }
    try {
      await setAlertChats({
        ctx: c.var.ctx,
        admin: post.session.admin,
        input: {
          telegramChatId: kit.field(post.form, "telegramChatId"),
          whatsappPhone: kit.field(post.form, "whatsappPhone"),
        },
      });
      return c.redirect("/admin/account?done=1", 303);
    } catch (error) {
      return failed(c, post.session, error);
    }
  });

  app.post("/account/api-keys", async (c) => {
    const post = await kit.signedInPost(c, "support");
    if ("response" in post) {
      return post.response;
    }
    try {
      const key = await createAdminApiKey({
        ctx: c.var.ctx,
        admin: post.session.admin,
        input: { name: kit.field(post.form, "name") },
      });
      // Shown in this response only (no redirect): the key is never stored or shown again.
      return accountPage(c, post.session, 201, { newKey: key.key, notice: `Key "${key.name}" created.` });
    } catch (error) {
      return failed(c, post.session, error);
    }
  });

  app.post("/account/api-keys/:id/revoke", async (c) => {
    const post = await kit.signedInPost(c, "support");
    if ("response" in post) {
      return post.response;
    }
    try {
      await revokeAdminApiKey({ ctx: c.var.ctx, admin: post.session.admin, keyId: c.req.param("id") });
      return c.redirect("/admin/account?done=1", 303);
    } catch (error) {
      return failed(c, post.session, error);
    }
  });

  return app;
}
