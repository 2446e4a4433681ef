import { Hono } from "hono";
import { compress } from "hono/compress";
import { type AdminDeps, type AdminEnv, adminKit } from "./admin/kit";
import { ADMIN_SECTIONS } from "./admin/sections";
import { ADMIN_CSP } from "./pages/admin-shell";

/**
 * The admin panel under /admin: every section module (web/admin/*.tsx, listed in sections.ts) over
 * one kit, compressed responses and the panel's CSP on every answer, and an HTML "not found" page
 * for any other path.
 */
export function adminRoutes(deps: AdminDeps) {
  const app = new Hono<AdminEnv>();
  const kit = adminKit(deps.config);

  // The 90-day dashboard is half a megabyte of SVG and tables; gzip makes it a few dozen KB.
  app.use("*", compress());
  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", ADMIN_CSP);
  });

  for (const section of ADMIN_SECTIONS) {
    app.route("/", section(deps, kit));
  }

  // Anything else under /admin: a page (in the shell for a signed-in admin), not the API's JSON 404.
  app.all("*", async (c) => {
    await kit.signedIn(c);
    return kit.notFound(c, `There is no page at ${c.req.path}: it was not found. Use the links above.`);
  });

  return app;
}
