import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { customerLabels, hasRole } from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import {
  listTransfersForAdmin,
  type ResolveSuspenseInput,
  resolveSuspenseTransfer,
} from "../../api/services/funding";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminTransfersPage, TRANSFER_FILTERS, type TransferFilter } from "../pages/admin-transfers";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

const DONE: Record<string, string> = {
  credit: "credited to the customer's wallet (less the transfer fee); they were told in the chat.",
  return: "recorded as returned to the payer.",
};

const isFilter = (value: string): value is TransferFilter => TRANSFER_FILTERS.some(([v]) => v === value);

/**
 * GET /admin/transfers: bank transfers, the ones in suspense first of all (support may look);
 * POST /admin/transfers/:id/{credit,return}: an admin's decision on one held transfer, with a reason
 * and a ticked confirmation, through resolveSuspenseTransfer (which locks it, books it, audits it).
 */
export function transfersSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();

  const page = async (
    c: AdminContext,
    session: AdminSession,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ): Promise<Response> => {
    const asked = (c.req.query("status") ?? "suspense").slice(0, 20);
    const filter = isFilter(asked) ? asked : undefined;
    const rows = filter
      ? await listTransfersForAdmin({
          ctx: c.var.ctx,
          status: filter === "all" ? undefined : filter,
          limit: 200,
        })
      : [];
    const error =
      message.error ?? (filter ? undefined : "Choose what to show: in suspense, all, credited or returned.");
    return kit.page(
      c,
      <AdminTransfersPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        filter={filter ?? "suspense"}
        rows={rows}
        people={
          await customerLabels(
            c.var.ctx,
            rows.map((r) => r.userId),
          )
        }
        csrf={hasRole(session.admin, "admin") ? kit.csrf(c, session) : undefined}
        notice={message.notice}
        error={error}
      />,
      filter ? status : 400,
    );
  };

  app.get("/transfers", async (c) => {
    const session = await kit.signedInAs(c, "support");
    if (session instanceof Response) {
      return session;
    }
    const done = DONE[c.req.query("done") ?? ""];
    return page(c, session, done ? { notice: `Done: ${done}` } : {});
  });

  for (const action of ["credit", "return"] as const) {
    app.post(`/transfers/:id{btr_[0-9a-z]+}/${action}`, async (c) => {
      const post = await kit.signedInPost(c, "admin");
      if ("response" in post) {
        return post.response;
      }
      const { session, form } = post;
      if (kit.field(form, "confirm") !== "yes") {
        return page(
          c,
          session,
          { error: "Nothing was done: tick the box to confirm the decision, then press the button again." },
          400,
        );
      }
      const reason = kit.field(form, "reason");
      const userId = kit.field(form, "userId");
      const input: ResolveSuspenseInput =
        action === "credit"
          ? { action, reason, ...(userId ? { userId } : {}) }
          : { action: "return", reason };
      try {
        await resolveSuspenseTransfer({
          ctx: c.var.ctx,
          admin: session.admin,
          transferId: c.req.param("id"),
          input,
        });
        return c.redirect(`/admin/transfers?status=all&done=${action}`, 303);
      } catch (error) {
        if (error instanceof ServiceError) {
          return page(c, session, { error: error.message }, httpStatusOf(error));
        }
        throw error;
      }
    });
  }

  return app;
}
