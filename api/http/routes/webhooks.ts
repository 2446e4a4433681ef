import { Hono } from "hono";
import { constantTimeEqual } from "../../services/hashing";
import type { VtuRuntime } from "../../services/vtu/runtime";
import { handleProviderWebhook } from "../../services/vtu/webhooks";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { HttpError } from "../errors";

/**
 * Provider webhooks: POST /api/webhooks/<provider>/<PROVIDER_WEBHOOK_TOKEN>. Neither Inlomax nor SME
 * Plug signs its webhooks, so the secret path is the only gate and the payload is never trusted: it
 * only makes us requery the order it mentions (providers.md). A wrong token looks like no route.
 */
export function providerWebhookRoutes(deps: { vtu: VtuRuntime; token: string | undefined }) {
  const app = new Hono<AppEnv>();
  app.post("/:provider{inlomax|smeplug}/:token", async (c) => {
    const token = c.req.param("token");
    if (!deps.token || !constantTimeEqual(token, deps.token)) {
      throw new HttpError(
        404,
        "NOT_FOUND",
        `No route for POST ${c.req.path}. See the README for the API routes.`,
      );
    }
    let payload: unknown;
    try {
      payload = await c.req.json();
    } catch {
      throw new HttpError(400, "INVALID_JSON", "The webhook body is not valid JSON.");
    }
    if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
      throw new HttpError(400, "INVALID_WEBHOOK", "The webhook body must be a JSON object.");
    }
    const result = await handleProviderWebhook({
      ctx: c.var.ctx,
      vtu: deps.vtu,
      provider: c.req.param("provider"),
      payload: payload as Record<string, unknown>,
    });
    return ok(c, { received: true, matched: result.matched });
  });
  return app;
}
