import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Config } from "../../api/config";
import { adminCsrfToken, findAdminSession, hasRole, type SignedInAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { ServiceError } from "../../api/services/errors";
import type { PaymentsRuntime } from "../../api/services/funding";
import { constantTimeEqual } from "../../api/services/hashing";
import type { VtuRuntime } from "../../api/services/vtu";
import type { AdminRole } from "../../db/database";
import { AdminProblemPage } from "../pages/admin";
import { PanelFrame } from "../pages/admin-shell";

/** `adminSession` is set by the kit once a request's session is known (kit.page reads it). */
export type AdminEnv = { Variables: { ctx: ServiceContext; adminSession?: AdminSession } };
export type AdminContext = Context<AdminEnv>;

/** What the panel's routes may call: the services' runtimes, absent where a process has none. */
export type AdminDeps = {
  config: Config;
  payments?: PaymentsRuntime;
  vtu?: VtuRuntime;
};

/** A signed-in admin and the session token their CSRF token is derived from. */
export type AdminSession = { admin: SignedInAdmin; token: string };

/** The session cookie: HttpOnly, SameSite=Strict, only under /admin, Secure behind TLS. */
export const SESSION_COOKIE = "tada_admin";

/**
 * The checks every panel route starts with, in one place: who is signed in, whether a POST carries
 * the session's CSRF token, whether the role may do this. Each returns either what the route needs
 * or the response to send instead.
 */
export function adminKit(config: Config) {
  const sandbox = config.sandbox;

  const noStore = (c: AdminContext) => {
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
  };

  /**
   * A panel page: no caching, and — for a signed-in admin — the shell's frame (who, the sign-out
   * form's CSRF token, the current link) around it.
   */
  const page = async (
    c: AdminContext,
    element: JSX.Element,
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    noStore(c);
    const session = c.get("adminSession");
    if (!session) {
      return await c.html(element, status);
    }
    const frame = {
      role: session.admin.role,
      name: session.admin.name,
      csrf: adminCsrfToken(c.var.ctx, session.token),
      path: c.req.path,
    };
    return await c.html(<PanelFrame.Provider value={frame}>{element}</PanelFrame.Provider>, status);
  };

  /** "Not allowed" (403), in the shell when someone is signed in. */
  const forbidden = (c: AdminContext, message: string): Promise<Response> =>
    page(c, <AdminProblemPage sandbox={sandbox} title="Not allowed" message={message} />, 403);

  /** "Not found" (404): a missing customer, order, room or page, in the shell when signed in. */
  const notFound = (c: AdminContext, message: string): Promise<Response> =>
    page(c, <AdminProblemPage sandbox={sandbox} title="Not found" message={message} />, 404);

  /** The signed-in admin, or a redirect to the sign-in page. */
  const signedIn = async (c: AdminContext): Promise<AdminSession | Response> => {
    const token = getCookie(c, SESSION_COOKIE);
    const admin = await findAdminSession(c.var.ctx, token);
    if (!admin || !token) {
      return c.redirect("/admin/login", 303);
    }
    const session = { admin, token };
    c.set("adminSession", session);
    return session;
  };

  /** A signed-in admin holding at least `role` (S7), or the response to send. */
  const signedInAs = async (c: AdminContext, role: AdminRole): Promise<AdminSession | Response> => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    if (!hasRole(session.admin, role)) {
      return forbidden(
        c,
        `This page needs the ${role.replace("_", " ")} role; you are ${session.admin.role.replace("_", " ")}.`,
      );
    }
    return session;
  };

  /**
   * The signed-in admin of a POST whose CSRF token is right and whose role is at least `role`;
   * otherwise the response to send. Nothing runs before these checks pass.
   */
  const signedInPost = async (
    c: AdminContext,
    role: AdminRole = "support",
  ): Promise<{ session: AdminSession; form: Record<string, string | File> } | { response: Response }> => {
    const session = await signedIn(c);
    if (session instanceof Response) {
      return { response: session };
    }
    const form = await c.req.parseBody();
    if (
      typeof form.csrf !== "string" ||
      !constantTimeEqual(form.csrf, adminCsrfToken(c.var.ctx, session.token))
    ) {
      return { response: await forbidden(c, "This form did not come from the panel (CSRF check).") };
    }
    if (!hasRole(session.admin, role)) {
      return {
        response: await forbidden(
          c,
          `This action needs the ${role.replace("_", " ")} role; you are ${session.admin.role.replace("_", " ")}.`,
        ),
      };
    }
    return { session, form: form as Record<string, string | File> };
  };

  const csrf = (c: AdminContext, session: AdminSession) => adminCsrfToken(c.var.ctx, session.token);

  /** A form field as a trimmed string ("" when absent or a file). */
  const field = (form: Record<string, string | File>, name: string) => {
    const value = form[name];
    return typeof value === "string" ? value.trim() : "";
  };

  /** A list page's filters, read from the query string (each cut to 60 characters). */
  const filtersFrom = <K extends string>(c: AdminContext, names: readonly K[]): Record<K, string> =>
    Object.fromEntries(names.map((name) => [name, (c.req.query(name) ?? "").slice(0, 60)])) as Record<
      K,
      string
    >;

  /**
   * A filtered list page: the rows `load` finds, or — when a filter is wrong (a ServiceError) — the
   * same page with no rows, the message saying what to change, and 400.
   */
  const listPage = async <R,>(
    c: AdminContext,
    load: () => Promise<R[]>,
    render: (rows: R[], error?: string) => JSX.Element | Promise<JSX.Element>,
  ): Promise<Response> => {
    let rows: R[];
    try {
      rows = await load();
    } catch (error) {
      if (error instanceof ServiceError) {
        return await page(c, await render([], error.message), 400);
      }
      throw error;
    }
    return await page(c, await render(rows));
  };

  return {
    sandbox,
    noStore,
    page,
    forbidden,
    notFound,
    signedIn,
    signedInAs,
    signedInPost,
    csrf,
    field,
    filtersFrom,
    listPage,
  };
}

export type AdminKit = ReturnType<typeof adminKit>;
