import { Hono } from "hono";
import { revokeApiKey } from "../../api/services/auth";
import { ServiceError } from "../../api/services/errors";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminProblemPage } from "../pages/admin";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/**
 * POST /admin/users/:id/api-keys/:keyId/revoke: an admin revokes a customer's API key from the
 * customer's page (the list is part of that page), with a reason, audited as the admin's.
 */
export function customerApiKeysSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.post("/users/:id/api-keys/:keyId/revoke", async (c) => {
    const post = await kit.signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const { session, form } = post;
    const userId = c.req.param("id");
    try {
      await revokeApiKey({
        ctx: c.var.ctx,
        userId,
        keyId: c.req.param("keyId"),
        admin: { id: session.admin.id, reason: kit.field(form, "reason") },
      });
      return c.redirect(`/admin/users/${encodeURIComponent(userId)}?done=api_key_revoked`, 303);
    } catch (error) {
      if (error instanceof ServiceError && error.kind === "not_found") {
        return kit.notFound(c, error.message);
      }
      if (error instanceof ServiceError) {
        return kit.page(
          c,
          <AdminProblemPage sandbox={kit.sandbox} title="Not revoked" message={error.message} />,
          httpStatusOf(error),
        );
      }
      throw error;
    }
  });
  return app;
}
