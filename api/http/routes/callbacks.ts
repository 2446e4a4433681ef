import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
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
import { defineRoute, reply } from "../openapi/define-route";
import {
  CallbackConfig,
  CallbackDelivery,
  CallbackDeliveryPage,
  CallbackPayload,
  RemovedCallback,
  RotatedSecret,
  SetCallbackResult,
} from "../schemas/callbacks";

const TAGS = ["API keys"];
const KeyParams = z.strictObject({ id: z.string().min(1).max(100).meta({ example: "key_01jexample" }) });
const DeliveryParams = KeyParams.extend({
  deliveryId: z.string().min(1).max(100).meta({ example: "cbd_3f1e1c2a8d4b4c579a510c6a2b7d9e10" }),
});

const KEY_NOT_FOUND = {
  status: 404,
  code: "API_KEY_NOT_FOUND",
  description: "No such API key of yours.",
} as const;
const NOT_SET = {
  status: 404,
  code: "CALLBACK_NOT_SET",
  description: "The key has no callback; register one with PUT.",
} as const;
const URL_REFUSED = [
  {
    status: 400,
    code: "CALLBACK_URL_INVALID",
    description:
      "Not an https URL (http is allowed in sandbox mode), or it has credentials, a #fragment, or is too long.",
  },
  {
    status: 400,
    code: "CALLBACK_URL_PRIVATE",
    description:
      "The host is, or resolves to, a private, loopback, link-local, CGNAT, multicast, reserved or unspecified address (allowed in sandbox mode).",
  },
  { status: 400, code: "CALLBACK_URL_UNRESOLVED", description: "The host name does not resolve." },
] as const;
const REVOKED = {
  status: 409,
  code: "API_KEY_REVOKED",
  description: "A revoked key cannot get a callback or a new secret.",
} as const;

/**
 * Order callbacks of a reseller API key (DECISIONS §71), mounted under /api/api-keys next to the
 * keys themselves and, like them, managed with a login session only: a leaked key can neither
 * redirect its callbacks nor read their secret. `lookup` replaces DNS in tests.
 */
export function callbackRoutes(deps: { lookup?: LookupAll } = {}) {
  const app = new OpenAPIHono<AppEnv>();
  const caller = (c: { var: AppEnv["Variables"] }, apiKeyId: string) => ({
    ctx: c.var.ctx,
    userId: c.var.principal.userId,
    apiKeyId,
  });

  defineRoute(
    app,
    {
      method: "put",
      path: "/:id/callback",
      tags: TAGS,
      summary: "Register or change the key's callback URL",
      description:
        "Orders placed with this key are POSTed to the URL, signed, when they reach a final state (see the `orderCallback` webhook). " +
        "The first registration returns the signing secret, once; changing the URL later keeps it. " +
        "Outside sandbox mode the URL must be https on a public address (checked now and before every send).",
      auth: "session",
      params: KeyParams,
      body: SetCallbackInput,
      bodyExample: { url: "https://shop.example.com/tada/callbacks" },
      response: {
        description: "The callback, and the secret when it was just made.",
        schema: SetCallbackResult,
      },
      errors: [...URL_REFUSED, KEY_NOT_FOUND, REVOKED],
    },
    async (c, { params, body }) => {
      const result = await setCallback({ ...caller(c, params.id), input: body, lookup: deps.lookup });
      return reply(result, {
        message: result.secret
          ? "Store this signing secret now: it is shown only once."
          : "Callback URL changed; the signing secret is unchanged.",
      });
    },
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/:id/callback",
      tags: TAGS,
      summary: "The key's callback (never its secret)",
      auth: "session",
      params: KeyParams,
      response: { description: "The callback.", schema: z.object({ callback: CallbackConfig }) },
      errors: [KEY_NOT_FOUND, NOT_SET],
    },
    async (c, { params }) => ({ callback: await getCallback(caller(c, params.id)) }),
  );
  defineRoute(
    app,
    {
      method: "delete",
      path: "/:id/callback",
      tags: TAGS,
      summary: "Remove the key's callback",
      description: "Nothing more is sent; deliveries still waiting are given up.",
      auth: "session",
      params: KeyParams,
      response: { description: "What was removed.", schema: RemovedCallback },
      errors: [KEY_NOT_FOUND, NOT_SET],
    },
    async (c, { params }) => removeCallback(caller(c, params.id)),
  );
  defineRoute(
    app,
    {
      method: "post",
      path: "/:id/callback/rotate-secret",
      tags: TAGS,
      summary: "Replace the callback's signing secret",
      description: "The new secret is shown once; the old one stops signing at once.",
      auth: "session",
      params: KeyParams,
      response: { description: "The callback and its new secret.", schema: RotatedSecret },
      errors: [KEY_NOT_FOUND, NOT_SET, REVOKED],
    },
    async (c, { params }) =>
      reply(await rotateCallbackSecret(caller(c, params.id)), {
        message: "Store this signing secret now: it is shown only once. The old one no longer signs.",
      }),
  );
  defineRoute(
    app,
    {
      method: "get",
      path: "/:id/callbacks",
      tags: TAGS,
      summary: "The key's callback deliveries, newest first",
      auth: "session",
      params: KeyParams,
      query: ListDeliveriesInput,
      response: { description: "A page of the delivery log.", schema: CallbackDeliveryPage },
      errors: [
        KEY_NOT_FOUND,
        { status: 400, code: "INVALID_CURSOR", description: "Use the nextCursor of the previous page." },
      ],
    },
    async (c, { params, query }) => listCallbackDeliveries({ ...caller(c, params.id), input: query }),
  );
  defineRoute(
    app,
    {
      method: "post",
      path: "/:id/callbacks/:deliveryId/resend",
      tags: TAGS,
      summary: "Send one callback delivery again",
      description:
        "Any status: it becomes pending, due now, with a fresh 24-hour retry window and the same delivery id.",
      auth: "session",
      params: DeliveryParams,
      response: {
        status: 202,
        description: "The delivery, pending again.",
        schema: z.object({ delivery: CallbackDelivery }),
      },
      errors: [
        KEY_NOT_FOUND,
        { status: 404, code: "CALLBACK_DELIVERY_NOT_FOUND", description: "No such delivery of this key." },
        { status: 409, code: "CALLBACK_NOT_SET", description: "The key has no callback any more." },
      ],
    },
    async (c, { params }) =>
      reply(
        {
          delivery: await resendCallbackDelivery({ ...caller(c, params.id), deliveryId: params.deliveryId }),
        },
        { message: "The callback will be sent again within a few seconds." },
      ),
  );
  return app;
}

/**
 * The callback itself, as an OpenAPI 3.1 webhook: what TADA POSTs, with which headers, and what
 * the receiver should answer. Registered on the root app (a router's webhooks would be prefixed
 * with its mount path).
 */
export function describeCallbackWebhook(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerWebhook(
    createRoute({
      method: "post",
      path: "orderCallback",
      tags: TAGS,
      summary: "An order placed with your API key reached a final state",
      description: [
        "POSTed to the URL registered with PUT /api/api-keys/{id}/callback when an order placed with that key is delivered, fails or is reversed; one delivery per order and event.",
        "",
        'Check `TADA-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the key\'s secret over the raw bytes, refuse a `t` more than 5 minutes from your clock, and dedupe on `TADA-Delivery-Id` (a delivery can arrive more than once).',
        "",
        "Any 2xx is delivered; anything else (or no answer within 10 s) is retried after 30 s, 1, 2, 4 … minutes, at most hourly, for 24 hours. Redirects are not followed.",
      ].join("\n"),
      request: {
        headers: z.object({
          "TADA-Signature": z.string().meta({
            example: "t=1796637600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd",
          }),
          "TADA-Delivery-Id": z.string().meta({ example: "cbd_3f1e1c2a8d4b4c579a510c6a2b7d9e10" }),
          "TADA-Event": z.enum(["order.delivered", "order.failed", "order.reversed"]),
        }),
        body: { required: true, content: { "application/json": { schema: CallbackPayload } } },
      },
      responses: {
        200: { description: "Any 2xx: received (the body is ignored)." },
        500: { description: "Any other answer, or none within 10 s: retried later." },
      },
    }),
  );
}
