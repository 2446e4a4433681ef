import { Hono } from "hono";
import { CreateApiKeyInput, createApiKey, listApiKeys, revokeApiKey } from "../../services/auth";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody } from "../validate";

/** Reseller API keys. Managed with a login session only: a leaked key cannot mint more keys. */
export function apiKeyRoutes() {
  const app = new Hono<AppEnv>();
  const session = requireUser({ sessionOnly: true });

  app.post("/", session, async (c) => {
    const key = await createApiKey({
      ctx: c.var.ctx,
      userId: c.var.principal.userId,
      input: await jsonBody(c, CreateApiKeyInput),
    });
    return ok(c, key, { status: 201, message: "Store this key now: it is shown only once." });
  });

  app.get("/", session, async (c) =>
    ok(c, { items: await listApiKeys({ ctx: c.var.ctx, userId: c.var.principal.userId }) }),
  );

  app.delete("/:id", session, async (c) =>
    ok(c, await revokeApiKey({ ctx: c.var.ctx, userId: c.var.principal.userId, keyId: c.req.param("id") })),
  );
  return app;
}
