import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { customerLabels, decideAdjustment, listPendingApprovals } from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminApprovalsPage } from "../pages/admin";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const DONE: Record<string, string> = { executed: "Done: executed.", rejected: "Done: rejected." };

/**
 * Maker-checker (GET /admin/approvals, POST /admin/approvals/:id): balance adjustments above the
 * limit wait for a second admin, who approves (the adjustment is booked) or rejects it.
 */
export function approvalsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  const page = async (
    c: AdminContext,
    session: AdminSession,
    status: ContentfulStatusCode = 200,
    message?: { notice?: string; error?: string },
  ) => {
    const pending = await listPendingApprovals(c.var.ctx);
    return kit.page(
      c,
      <AdminApprovalsPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        adminId={session.admin.id}
        csrf={kit.csrf(c, session)}
        pending={pending}
        people={
          await customerLabels(
            c.var.ctx,
            pending.map((p) => p.userId),
          )
        }
        {...message}
      />,
      status,
    );
  };

  app.get("/approvals", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const done = DONE[c.req.query("done") ?? ""];
    return page(c, session, 200, done ? { notice: done } : undefined);
  });

  app.post("/approvals/:id", async (c) => {
    const post = await kit.signedInPost(c);
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
        return page(c, session, httpStatusOf(error), { error: error.message });
      }
      throw error;
    }
  });

  return app;
}
