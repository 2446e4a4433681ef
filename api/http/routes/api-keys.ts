import { Hono } from "hono";
import {
  CreateApiKeyInput,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  UpdateApiKeyInput,
  updateApiKey,
} from "../../services/auth";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody } from "../validate";

/**
 * Reseller API keys. Managed with a login session only: a leaked key cannot mint, widen, rotate or
 * keep alive any key. A change or rotation is forgotten by this process's credential cache at once
 * (and by every other process when PostgreSQL tells it).
 */
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
    ok(c, await listApiKeys({ ctx: c.var.ctx, userId: c.var.principal.userId })),
  );

  app.patch("/:id", session, async (c) => {
    const { ctx, principal } = c.var;
    const key = await updateApiKey({
      ctx,
      userId: principal.userId,
      keyId: c.req.param("id"),
      input: await jsonBody(c, UpdateApiKeyInput),
    });
    c.var.credentials?.forgetUser(principal.userId);
    return ok(c, key);
  });

  app.post("/:id/rotate", session, async (c) => {
    const { ctx, principal } = c.var;
    const key = await rotateApiKey({ ctx, userId: principal.userId, keyId: c.req.param("id") });
    c.var.credentials?.forgetUser(principal.userId);
    return ok(c, key, {
      message: "Store the new key now: it is shown only once. The old key no longer works.",
    });
  });

  app.delete("/:id", session, async (c) => {
    const { ctx, principal } = c.var;
    const key = await revokeApiKey({ ctx, userId: principal.userId, keyId: c.req.param("id") });
    c.var.credentials?.forgetUser(principal.userId);
    return ok(c, key);
  });
  return app;
}
