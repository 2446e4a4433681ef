import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
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
import { defineRoute, reply } from "../openapi/define-route";
import { page } from "../openapi/envelope-schemas";
import { ApiKey, ApiKeyWithSecret } from "../schemas/api-keys";

const TAGS = ["API keys"];
const KeyParams = z.strictObject({ id: z.string().min(1).max(100).meta({ example: "key_01jexample" }) });
const KEY_NOT_FOUND = { status: 404, code: "NOT_FOUND", description: "No such key of yours." } as const;
const KEY_REVOKED = {
  status: 409,
  code: "API_KEY_REVOKED",
  description: "The key was revoked; create a new one instead.",
} as const;

/**
 * Reseller API keys (DECISIONS §72). Managed with a login session only: a leaked key cannot mint,
 * widen, rotate or keep alive any key. After a change, rotation or revocation this process forgets
 * the user's kept credentials at once (every other process does on PostgreSQL's notification).
 */
export function apiKeyRoutes() {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "post",
      path: "/",
      tags: TAGS,
      summary: "Create an API key",
      description:
        'Scopes default to `["read","purchase"]`: name `withdraw` or `gift` to allow those. Made on a sandbox deployment, the key is a sandbox key (`tvk_sbx_…`).',
      auth: "session",
      body: CreateApiKeyInput,
      bodyExample: {
        name: "Shop server",
        scopes: ["read", "purchase"],
        ipAllowList: ["203.0.113.0/24", "2001:db8::/48"],
        rateLimitPerMinute: 300,
      },
      response: {
        status: 201,
        description: "The key, with its secret shown this once.",
        schema: ApiKeyWithSecret,
      },
      errors: [
        { status: 409, code: "TOO_MANY_API_KEYS", description: "10 keys are active; revoke one first." },
      ],
    },
    async (c, { body }) =>
      reply(await createApiKey({ ctx: c.var.ctx, userId: c.var.principal.userId, input: body }), {
        status: 201,
        message: "Store this key now: it is shown only once.",
      }),
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/",
      tags: TAGS,
      summary: "Your API keys",
      auth: "session",
      response: { description: "Every key, newest first (revoked ones too).", schema: page(ApiKey) },
    },
    async (c) => listApiKeys({ ctx: c.var.ctx, userId: c.var.principal.userId }),
  );

  defineRoute(
    app,
    {
      method: "patch",
      path: "/:id",
      tags: TAGS,
      summary: "Change a key's name, scopes, allow-list or rate limit",
      description:
        "Send any of the fields; `rateLimitPerMinute: null` returns to the default. Holds at once.",
      auth: "session",
      params: KeyParams,
      body: UpdateApiKeyInput,
      bodyExample: { scopes: ["read", "purchase", "withdraw"], rateLimitPerMinute: null },
      response: { description: "The key.", schema: ApiKey },
      errors: [KEY_NOT_FOUND, KEY_REVOKED],
    },
    async (c, { params, body }) => {
      const { ctx, principal } = c.var;
      const key = await updateApiKey({ ctx, userId: principal.userId, keyId: params.id, input: body });
      c.var.credentials?.forgetUser(principal.userId);
      return key;
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/:id/rotate",
      tags: TAGS,
      summary: "Give a key a new secret",
      description: "Same id, name, scopes and settings; the old secret stops working at once.",
      auth: "session",
      params: KeyParams,
      response: { description: "The key, with its new secret shown this once.", schema: ApiKeyWithSecret },
      errors: [KEY_NOT_FOUND, KEY_REVOKED],
    },
    async (c, { params }) => {
      const { ctx, principal } = c.var;
      const key = await rotateApiKey({ ctx, userId: principal.userId, keyId: params.id });
      c.var.credentials?.forgetUser(principal.userId);
      return reply(key, {
        message: "Store the new key now: it is shown only once. The old key no longer works.",
      });
    },
  );

  defineRoute(
    app,
    {
      method: "delete",
      path: "/:id",
      tags: TAGS,
      summary: "Revoke a key",
      auth: "session",
      params: KeyParams,
      response: { description: "The revoked key.", schema: ApiKey },
      errors: [KEY_NOT_FOUND],
    },
    async (c, { params }) => {
      const { ctx, principal } = c.var;
      const key = await revokeApiKey({ ctx, userId: principal.userId, keyId: params.id });
      c.var.credentials?.forgetUser(principal.userId);
      return key;
    },
  );
  return app;
}
