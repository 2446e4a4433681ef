import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  addAdmin,
  changeAdminRole,
  listAdmins,
  setAdminStatus,
  unlockAdmin,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import type { AdminRole } from "../../db/database";
import { AdminAdminsPage } from "../pages/admin-admins";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const DONE: Record<string, string> = {
  created: "Admin added. Give them their initial password privately.",
  role: "Role saved.",
  disabled: "Admin disabled; their sessions have ended.",
  enabled: "Admin enabled.",
  unlocked: "Admin unlocked.",
};

/** Admin accounts (super_admin only, S7). */
export function adminsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const { sandbox, csrf, field } = kit;

  const page = async (
    c: AdminContext,
    session: AdminSession,
    status: ContentfulStatusCode,
    message: { notice?: string; error?: string; draft?: { email: string; name: string; role: string } },
  ) => {
    return kit.page(
      c,
      <AdminAdminsPage
        sandbox={sandbox}
        role={session.admin.role}
        selfId={session.admin.id}
        csrf={csrf(c, session)}
        admins={await listAdmins(c.var.ctx)}
        {...message}
      />,
      status,
    );
  };

  app.get("/admins", async (c) => {
    const s = await kit.signedInAs(c, "super_admin");
    if (s instanceof Response) {
      return s;
    }
    const done = DONE[c.req.query("done") ?? ""];
    return page(c, s, 200, done ? { notice: done } : {});
  });

  const post = (
    path: string,
    run: (c: AdminContext, session: AdminSession, form: Record<string, string | File>) => Promise<string>,
  ) => {
    app.post(path, async (c) => {
      const checked = await kit.signedInPost(c, "super_admin");
      if ("response" in checked) {
        return checked.response;
      }
      const { session, form } = checked;
      try {
        return c.redirect(`/admin/admins?done=${await run(c, session, form)}`, 303);
      } catch (error) {
        if (error instanceof ServiceError) {
          const draft =
            path === "/admins"
              ? { email: field(form, "email"), name: field(form, "name"), role: field(form, "role") }
              : undefined;
          return page(c, session, httpStatusOf(error), { error: error.message, draft });
        }
        throw error;
      }
    });
  };

  post("/admins", async (c, s, form) => {
    await addAdmin({
      ctx: c.var.ctx,
      admin: s.admin,
      input: {
        email: field(form, "email"),
        name: field(form, "name"),
        role: field(form, "role") as AdminRole,
        // Passwords are taken as typed (not trimmed).
        password: typeof form.password === "string" ? form.password : "",
      },
    });
    return "created";
  });

  post("/admins/:id/role", async (c, s, form) => {
    await changeAdminRole({
      ctx: c.var.ctx,
      admin: s.admin,
      adminId: c.req.param("id") ?? "",
      input: { role: field(form, "role") as AdminRole, reason: field(form, "reason") },
    });
    return "role";
  });

  post("/admins/:id/status", async (c, s, form) => {
    const status = field(form, "status") as "active" | "disabled";
    await setAdminStatus({
      ctx: c.var.ctx,
      admin: s.admin,
      adminId: c.req.param("id") ?? "",
      input: { status, reason: field(form, "reason") },
    });
    return status === "disabled" ? "disabled" : "enabled";
  });

  post("/admins/:id/unlock", async (c, s, form) => {
    await unlockAdmin({
      ctx: c.var.ctx,
      admin: s.admin,
      adminId: c.req.param("id") ?? "",
      input: { reason: field(form, "reason") },
    });
    return "unlocked";
  });

  return app;
}
