import { type Context, Hono } from "hono";
import {
  getCallback,
  ListDeliveriesInput,
  type LookupAll,
  listCallbackDeliveries,
  removeCallback,
  resendCallbackDelivery,
  rotateCallbackSecret,
  SetCallbackInput,
  setCallback,
} from "../../services/callbacks";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { requireUser } from "../middleware";
import { jsonBody, queryParams } from "../validate";

/**
 * Order callbacks of a reseller API key (DECISIONS §71), mounted under /api/api-keys next to the
 * keys themselves and, like them, managed with a login session only: a leaked key can neither
 * redirect its callbacks nor read their secret. `lookup` replaces DNS in tests.
 */
export function callbackRoutes(deps: { lookup?: LookupAll } = {}) {
  const app = new Hono<AppEnv>();
  const session = requireUser({ sessionOnly: true });
  const caller = (c: Context<AppEnv>) => ({
    ctx: c.var.ctx,
    userId: c.var.principal.userId,
    apiKeyId: c.req.param("id") ?? "",
  });

  app.put("/:id/callback", session, async (c) => {
    const input = await jsonBody(c, SetCallbackInput);
    const result = await setCallback({ ...caller(c), input, lookup: deps.lookup });
    return ok(c, result, {
      message: result.secret
        ? "Store this signing secret now: it is shown only once."
        : "Callback URL changed; the signing secret is unchanged.",
    });
  });
  app.get("/:id/callback", session, async (c) => ok(c, { callback: await getCallback(caller(c)) }));
  app.delete("/:id/callback", session, async (c) => ok(c, await removeCallback(caller(c))));
  app.post("/:id/callback/rotate-secret", session, async (c) =>
    ok(c, await rotateCallbackSecret(caller(c)), {
      message: "Store this signing secret now: it is shown only once. The old one no longer signs.",
    }),
  );

  app.get("/:id/callbacks", session, async (c) =>
    ok(c, await listCallbackDeliveries({ ...caller(c), input: queryParams(c, ListDeliveriesInput) })),
  );
  app.post("/:id/callbacks/:deliveryId/resend", session, async (c) =>
    ok(
      c,
      {
        delivery: await resendCallbackDelivery({ ...caller(c), deliveryId: c.req.param("deliveryId") }),
      },
      { status: 202, message: "The callback will be sent again within a few seconds." },
    ),
  );
  return app;
}
