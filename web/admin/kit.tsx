import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { Config } from "../../api/config";
import { adminCsrfToken, findAdminSession, hasRole, type SignedInAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { ServiceError } from "../../api/services/errors";
import type { PaymentsRuntime } from "../../api/services/funding";
import { constantTimeEqual } from "../../api/services/hashing";
import type { VtuRuntime } from "../../api/services/vtu";
import type { AdminRole } from "../../db/database";
import { AdminForbiddenPage } from "../pages/admin";

export type AdminEnv = { Variables: { ctx: ServiceContext } };
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

  const forbidden = async (c: AdminContext, message: string, status: 403 | 404 = 403): Promise<Response> => {
    noStore(c);
    return await c.html(<AdminForbiddenPage sandbox={sandbox} message={message} />, status);
  };

  /** The signed-in admin, or a redirect to the sign-in page. */
  const signedIn = async (c: AdminContext): Promise<AdminSession | Response> => {
    const token = getCookie(c, SESSION_COOKIE);
    const admin = await findAdminSession(c.var.ctx, token);
    return admin && token ? { admin, token } : c.redirect("/admin/login", 303);
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
    render: (rows: R[], error?: string) => JSX.Element,
  ): Promise<Response> => {
    noStore(c);
    try {
      return await c.html(render(await load()));
    } catch (error) {
      if (error instanceof ServiceError) {
        return await c.html(render([], error.message), 400);
      }
      throw error;
    }
  };

  return {
    sandbox,
    noStore,
    forbidden,
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
