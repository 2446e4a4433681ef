import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { adminLogin, adminLogout, findAdminSession } from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { constantTimeEqual } from "../../api/services/hashing";
import { clientIp } from "../../api/transport/client-ip";
import { AdminLoginPage } from "../pages/admin";
import { type AdminContext, type AdminDeps, type AdminEnv, type AdminKit, SESSION_COOKIE } from "./kit";

/** The sign-in form's double-submit CSRF cookie (there is no session yet to bind a token to). */
const LOGIN_CSRF_COOKIE = "tada_admin_login";

/**
 * GET/POST /admin/login and POST /admin/logout. Sessions are server-side rows behind an HttpOnly
 * cookie; the sign-in form carries a double-submit CSRF token, every other form the session's.
 */
export function signInSection(deps: AdminDeps, kit: AdminKit) {
  const config = deps.config;
  const app = new Hono<AdminEnv>();
  const secure = config.NODE_ENV === "production" || (config.PUBLIC_BASE_URL ?? "").startsWith("https://");

  const loginPage = (c: AdminContext, status: ContentfulStatusCode, error?: string, email?: string) => {
    const csrf = randomBytes(24).toString("base64url");
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/admin",
      secure,
      maxAge: 3600,
    });
    return kit.page(
      c,
      <AdminLoginPage sandbox={kit.sandbox} csrf={csrf} error={error} email={email} />,
      status,
    );
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

  app.post("/logout", async (c) => {
    const post = await kit.signedInPost(c);
    if ("response" in post) {
      return post.response;
    }
    await adminLogout(c.var.ctx, post.session.admin);
    deleteCookie(c, SESSION_COOKIE, { path: "/admin" });
    return c.redirect("/admin/login", 303);
  });

  return app;
}
