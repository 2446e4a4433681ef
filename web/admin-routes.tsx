import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type AdminOrderFilters,
  adminCsrfToken,
  adminLogin,
  adminLogout,
  adminUserDetail,
  applyUserAction,
  decideAdjustment,
  findAdminSession,
  hasRole,
  listAuditLog,
  listOrdersForAdmin,
  listPendingApprovals,
  ordersCsv,
  requestBalanceAdjustment,
  type SignedInAdmin,
  searchUsers,
} from "../api/services/admins";
import { ServiceError } from "../api/services/errors";
import { constantTimeEqual } from "../api/services/hashing";
import { nairaToKobo } from "../api/services/money";
import { setCustomerTier } from "../api/services/rewards";
import { whatsAppStatus } from "../api/services/whatsapp-status";
import { clientIp } from "../api/transport/client-ip";
import { httpStatusOf } from "../api/transport/http-status";
import { type AdminDeps, type AdminEnv, type AdminSession, adminKit, SESSION_COOKIE } from "./admin/kit";
import { orderPageWithActions } from "./admin/order-actions";
import { ADMIN_SECTIONS } from "./admin/sections";
import { AdminApprovalsPage, AdminForbiddenPage, AdminLoginPage } from "./pages/admin";
import { AdminAuditPage, AdminOrdersPage, AdminWhatsAppPage } from "./pages/admin-ops";
import { AdminUserPage, AdminUsersPage } from "./pages/admin-users";

type Env = AdminEnv;

/** The sign-in form's double-submit CSRF cookie (there is no session yet to bind a token to). */
const LOGIN_CSRF_COOKIE = "tada_admin_login";

/**
 * The admin panel's sign-in, home and sign-out. Sessions are server-side rows behind an HttpOnly
 * cookie; every form carries a CSRF token (the session's HMAC, or on the sign-in form a
 * double-submit cookie); a POST without it is refused before anything runs.
 */
export function adminRoutes(deps: AdminDeps) {
  const config = deps.config;
  const app = new Hono<Env>();
  const sandbox = config.sandbox;
  const secure = config.NODE_ENV === "production" || (config.PUBLIC_BASE_URL ?? "").startsWith("https://");
  const kit = adminKit(config);
  const { noStore, signedIn, signedInPost } = kit;

  const loginPage = (c: Context<Env>, status: ContentfulStatusCode, error?: string, email?: string) => {
    const csrf = randomBytes(24).toString("base64url");
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/admin",
      secure,
      maxAge: 3600,
    });
    noStore(c);
    return c.html(<AdminLoginPage sandbox={sandbox} csrf={csrf} error={error} email={email} />, status);
  };

  app.get("/login", async (c) => {
    if (await findAdminSession(c.var.ctx, getCookie(c, SESSION_COOKIE))) {
      return c.redirect("/admin", 303);
    }
    return loginPage(c, 200);
  });

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? "";
    if (!expected || typeof form.csrf !== "string" || !constantTimeEqual(form.csrf, expected)) {
      return loginPage(c, 403, "This form expired or did not come from this site. Sign in again.");
    }
    const email = typeof form.email === "string" ? form.email : "";
    try {
      const { token } = await adminLogin({
        ctx: c.var.ctx,
        input: { email, password: typeof form.password === "string" ? form.password : "" },
        ip: clientIp(c, config.TRUST_PROXY),
        userAgent: c.req.header("user-agent"),
      });
      deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/admin" });
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/admin",
        secure,
        maxAge: config.ADMIN_SESSION_HOURS * 3600,
      });
      return c.redirect("/admin", 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        return loginPage(c, error.code === "ADMIN_LOCKED" ? 423 : 401, error.message, email);
      }
      throw error;
    }
  });

  app.get("/users", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const query = (c.req.query("q") ?? "").slice(0, 100);
    noStore(c);
    return c.html(
      <AdminUsersPage
        sandbox={sandbox}
        role={session.admin.role}
        query={query}
        users={await searchUsers(c.var.ctx, query)}
      />,
    );
  });

  const userPage = async (
    c: Context<Env>,
    session: { admin: SignedInAdmin; token: string },
    userId: string,
    status: ContentfulStatusCode = 200,
    message?: { notice?: string; error?: string },
  ) => {
    noStore(c);
    try {
      const detail = await adminUserDetail(c.var.ctx, userId);
      const actions = hasRole(session.admin, "admin")
        ? { csrf: adminCsrfToken(c.var.ctx, session.token), ...message }
        : undefined;
      return c.html(
        <AdminUserPage
          role={session.admin.role}
          sandbox={sandbox}
          detail={detail}
          actions={actions}
          receiptCsrf={adminCsrfToken(c.var.ctx, session.token)}
        />,
        status,
      );
    } catch (error) {
      if (error instanceof ServiceError && error.code === "NOT_FOUND") {
        return c.html(
          <AdminForbiddenPage sandbox={sandbox} message="There is no customer with that id." />,
          404,
        );
      }
      throw error;
    }
  };

  app.get("/users/:id", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const done = c.req.query("done");
    return userPage(
      c,
      session,
      c.req.param("id"),
      200,
      done ? { notice: `Done: ${done.replace(/_/g, " ")}.` } : undefined,
    );
  });

  app.post("/users/:id/actions", async (c) => {
    const post = await signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    const userId = c.req.param("id");
    try {
      const { action } = await applyUserAction({
        ctx: c.var.ctx,
        admin: session.admin,
        userId,
        // Only the fields the chosen action takes: the schema is strict.
        input: (form.action === "set_level"
          ? { action: form.action, reason: form.reason, level: form.level }
          : { action: form.action, reason: form.reason }) as never,
      });
      return c.redirect(`/admin/users/${userId}?done=${action}`, 303);
    } catch (error) {
      if (error instanceof ServiceError && error.code !== "NOT_FOUND") {
        return userPage(c, session, userId, httpStatusOf(error), { error: error.message });
      }
      throw error;
    }
  });

  // A customer's tier (issue 18 §3): a tier code or "automatic", with a reason (audited).
  app.post("/users/:id/tier", async (c) => {
    const post = await signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    const userId = c.req.param("id");
    try {
      const tier = String(form.tier ?? "");
      await setCustomerTier({
        ctx: c.var.ctx,
        admin: session.admin,
        userId,
        input: { tier: tier === "automatic" ? null : tier, reason: String(form.reason ?? "") },
      });
      return c.redirect(`/admin/users/${userId}?done=tier_set`, 303);
    } catch (error) {
      if (error instanceof ServiceError && error.code !== "USER_NOT_FOUND") {
        return userPage(c, session, userId, httpStatusOf(error), { error: error.message });
      }
      throw error;
    }
  });

  app.post("/users/:id/adjust", async (c) => {
    const post = await signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    const userId = c.req.param("id");
    try {
      // The exact naira → kobo rule every money path uses (no float rounding, junk refused).
      const kobo = nairaToKobo(String(form.amount ?? "").replace(/[₦\s]/g, ""));
      const result = await requestBalanceAdjustment({
        ctx: c.var.ctx,
        admin: session.admin,
        userId,
        amountKobo: form.direction === "debit" ? -kobo : kobo,
        reason: String(form.reason ?? ""),
        // The form's own nonce: submitting the same form twice books once.
        idempotencyKey: `panel:${session.admin.id}:${/^[0-9a-f]{24}$/.test(String(form.nonce)) ? form.nonce : randomBytes(12).toString("hex")}`,
      });
      return c.redirect(
        `/admin/users/${userId}?done=${result.executed ? "adjusted" : "sent_for_approval"}`,
        303,
      );
    } catch (error) {
      if (error instanceof ServiceError && error.code !== "NOT_FOUND") {
        return userPage(c, session, userId, httpStatusOf(error), { error: error.message });
      }
      throw error;
    }
  });

  const approvalsPage = async (
    c: Context<Env>,
    session: AdminSession,
    status: ContentfulStatusCode = 200,
    message?: { notice?: string; error?: string },
  ) => {
    noStore(c);
    return c.html(
      <AdminApprovalsPage
        sandbox={sandbox}
        role={session.admin.role}
        csrf={adminCsrfToken(c.var.ctx, session.token)}
        pending={await listPendingApprovals(c.var.ctx)}
        {...message}
      />,
      status,
    );
  };

  app.get("/approvals", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const done = c.req.query("done");
    return approvalsPage(c, session, 200, done ? { notice: `Done: ${done}.` } : undefined);
  });

  app.post("/approvals/:id", async (c) => {
    const post = await signedInPost(c);
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    try {
      const result = await decideAdjustment({
        ctx: c.var.ctx,
        admin: session.admin,
        approvalId: Number(c.req.param("id")),
        approve: form.decision === "approve",
      });
      return c.redirect(`/admin/approvals?done=${result.status}`, 303);
    } catch (error) {
      if (error instanceof ServiceError) {
        const status = httpStatusOf(error);
        return approvalsPage(c, session, status, { error: error.message });
      }
      throw error;
    }
  });

  app.get("/whatsapp", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const status = whatsAppStatus.get();
    noStore(c);
    return c.html(
      <AdminWhatsAppPage
        sandbox={sandbox}
        role={session.admin.role}
        enabled={config.WHATSAPP_ENABLED}
        state={status.state}
        updatedAt={status.updatedAt.toISOString()}
        qrDataUrl={await whatsAppStatus.qrDataUrl()}
      />,
    );
  });

  const orderFilters = (c: Context<Env>) =>
    kit.filtersFrom(c, ["state", "service", "provider", "userId", "from", "to"] as const);

  app.get("/orders", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const filters = orderFilters(c);
    return kit.listPage(
      c,
      () => listOrdersForAdmin(c.var.ctx, filters as AdminOrderFilters),
      (rows, error) => (
        <AdminOrdersPage
          sandbox={sandbox}
          role={session.admin.role}
          filters={filters}
          rows={rows}
          error={error}
        />
      ),
    );
  });

  app.get("/orders.csv", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    noStore(c);
    let rows: Awaited<ReturnType<typeof listOrdersForAdmin>>;
    try {
      rows = await listOrdersForAdmin(c.var.ctx, { ...(orderFilters(c) as AdminOrderFilters), limit: 5000 });
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
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    // The page with its actions (resend receipt; requery / mark delivered / refund for admins).
    return orderPageWithActions(c, deps, kit, session, c.req.param("id"));
  });

  app.get("/audit", async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    noStore(c);
    return c.html(
      <AdminAuditPage sandbox={sandbox} role={session.admin.role} rows={await listAuditLog(c.var.ctx)} />,
    );
  });

  app.post("/logout", async (c) => {
    const post = await signedInPost(c);
    if ("response" in post) {
      return post.response;
    }
    const { session } = post;
    await adminLogout(c.var.ctx, session.admin);
    deleteCookie(c, SESSION_COOKIE, { path: "/admin" });
    return c.redirect("/admin/login", 303);
  });

  // The sections that live in their own modules, each behind the same kit.
  for (const section of ADMIN_SECTIONS) {
    app.route("/", section(deps, kit));
  }

  return app;
}
