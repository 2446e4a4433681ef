import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { optionalUser, requireUser } from "../middleware";
import {
  jsonBody,
  optionalIdempotencyKey,
  pathParams as parsePathParams,
  queryParams,
  idempotencyKey as requireIdempotencyKey,
} from "../validate";
import { ErrorEnvelope, successEnvelope } from "./envelope-schemas";

/**
 * One declaration per API route: the schemas that validate the request and describe the response
 * are the ones the OpenAPI document is generated from (DECISIONS §73), so the document cannot
 * drift from what the route accepts. Validation stays ours (api/http/validate.ts) so errors keep
 * the API's envelope and codes.
 */

/** Who may call a route. `session`: a login session, not an API key; `admin-key`: an admin API key (its middleware checks the role). */
export type RouteAuth = "none" | "optional" | "user" | "session" | "admin-key";

/** What an API key must be allowed to do to call a route (a login session may do everything). */
export type ApiScope = "read" | "purchase" | "withdraw" | "gift";

export type ErrorDoc = {
  status: ContentfulStatusCode;
  code: string;
  description: string;
  /** The refusal's `details`, when it carries a body worth describing (e.g. /healthz's checks). */
  details?: z.ZodType;
};

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export type RouteSpec<B extends Schema, Q extends Schema, P extends Schema, R extends z.ZodType> = {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Hono style, relative to where the routes are mounted: `/orders/:id`. */
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** The API-key scope the route needs; defaults to `read` for GET and `purchase` otherwise. */
  scope?: ApiScope;
  /** `required`: a money-moving POST; a replay answers 200 with `Idempotent-Replayed: true`. */
  idempotencyKey?: "required" | "optional";
  /** Ends "Send an Idempotency-Key header … so a retried request …" (default "is never applied twice"). */
  idempotencyPurpose?: string;
  /** How a replay is answered: `200` with `Idempotent-Replayed: true` (default), or `unchanged` (the first status again). */
  replay?: "200" | "unchanged";
  params?: P;
  query?: Q;
  body?: B;
  bodyExample?: unknown;
  response: {
    status?: 200 | 201 | 202;
    description: string;
    /** The `data` of the success envelope. */
    schema: R;
    example?: unknown;
  };
  /** This route's own refusals; the shared ones (validation, auth, rate limit) are added for you. */
  errors?: ErrorDoc[];
  /** Runs after authentication, before the handler (e.g. a role check, a limiter). */
  middleware?: MiddlewareHandler[];
};

export type RouteInput<B extends Schema, Q extends Schema, P extends Schema> = {
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  /** The request's Idempotency-Key (checked), when the route takes one. */
  idempotencyKey: string | undefined;
};

/** A success answer with a status or message other than the route's default. */
export class Reply<T> {
  constructor(
    readonly data: T,
    readonly options: {
      status?: ContentfulStatusCode;
      message?: string;
      headers?: Record<string, string>;
    } = {},
  ) {}
}

export function reply<T>(
  data: T,
  options: { status?: ContentfulStatusCode; message?: string; headers?: Record<string, string> } = {},
) {
  return new Reply(data, options);
}

type HandlerResult<T> = T | Reply<T> | Response;

/** A route's handler: `E` is the router's env (e.g. with the `admin` an admin-key middleware sets). */
export type RouteHandler<
  E extends AppEnv,
  R extends z.ZodType,
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
> = (c: Context<E>, input: RouteInput<B, Q, P>) => Promise<HandlerResult<z.input<R>>>;

export function defineRoute<
  E extends AppEnv,
  R extends z.ZodType,
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(app: OpenAPIHono<E>, spec: RouteSpec<B, Q, P, R>, handler: RouteHandler<E, R, B, Q, P>): void {
  if (spec.auth === "admin-key" && !spec.middleware?.length) {
    // defineRoute does not check admin keys itself (the key's admin and role live in the admin
    // services): a route declared without its check would be open to anyone.
    throw new Error(
      `${spec.method.toUpperCase()} ${spec.path}: an admin-key route needs its key check in middleware`,
    );
  }
  const scope = spec.scope ?? (spec.method === "get" ? "read" : "purchase");
  app.openAPIRegistry.registerPath(describe(spec, scope));

  const guards: MiddlewareHandler[] = [];
  if (spec.auth === "user") {
    guards.push(requireUser({ scope }) as MiddlewareHandler);
  } else if (spec.auth === "session") {
    guards.push(requireUser({ sessionOnly: true }) as MiddlewareHandler);
  } else if (spec.auth === "optional") {
    guards.push(optionalUser({ scope }) as MiddlewareHandler);
  }
  const status = spec.response.status ?? 200;
  app.on([spec.method.toUpperCase()], [spec.path], ...guards, ...(spec.middleware ?? []), async (c) => {
    const context = c as unknown as Context<E>;
    const input = {
      idempotencyKey:
        spec.idempotencyKey === "required"
          ? requireIdempotencyKey(context, spec.idempotencyPurpose ?? "is never applied twice")
          : spec.idempotencyKey === "optional"
            ? optionalIdempotencyKey(context)
            : undefined,
      params: (spec.params ? parsePathParams(context, spec.params) : undefined) as Out<P>,
      query: (spec.query ? queryParams(context, spec.query) : undefined) as Out<Q>,
      body: (spec.body ? await jsonBody(context, spec.body) : undefined) as Out<B>,
    };
    const result = await handler(context, input);
    if (result instanceof Response) {
      return result;
    }
    if (result instanceof Reply) {
      for (const [name, value] of Object.entries(result.options.headers ?? {})) {
        c.header(name, value);
      }
      return ok(c, result.data, { status: result.options.status ?? status, message: result.options.message });
    }
    return ok(c, result, { status });
  });
}

const SHARED_ERRORS = {
  validation: {
    status: 400,
    code: "VALIDATION_ERROR",
    description: "A field is missing or invalid; `details` names it.",
  },
  json: { status: 400, code: "INVALID_JSON", description: "The body is not valid JSON." },
  mediaType: {
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    description:
      "Send the body as UTF-8 JSON with `Content-Type: application/json`; a charset other than utf-8 is refused.",
  },
  idempotency: {
    status: 400,
    code: "IDEMPOTENCY_KEY_REQUIRED",
    description: "Send an `Idempotency-Key` header (a UUID) so a retry is never applied twice.",
  },
  badIdempotencyKey: {
    status: 400,
    code: "INVALID_IDEMPOTENCY_KEY",
    description: "The Idempotency-Key must be 1–255 visible ASCII characters, such as a UUID.",
  },
  unauthenticated: { status: 401, code: "UNAUTHENTICATED", description: "No bearer credential was sent." },
  invalidToken: {
    status: 401,
    code: "INVALID_TOKEN",
    description: "The session token or API key is not valid, revoked or expired.",
  },
  sessionOnly: {
    status: 401,
    code: "SESSION_REQUIRED",
    description: "This needs a login session token, not an API key.",
  },
  scope: {
    status: 403,
    code: "API_KEY_SCOPE_MISSING",
    description:
      "The API key lacks the scope this route needs (`details.scope`); add it with PATCH /api/api-keys/{id}.",
  },
  ipNotAllowed: {
    status: 403,
    code: "API_KEY_IP_NOT_ALLOWED",
    description:
      "The API key's IP allow-list does not hold the address the request came from (`details.ip`).",
  },
  sandboxKey: {
    status: 401,
    code: "API_KEY_SANDBOX_ONLY",
    description: "A sandbox API key sent to the live deployment; create a live key there.",
  },
  role: {
    status: 403,
    code: "ROLE_REQUIRED",
    description: "The admin key's admin lacks the role this route needs.",
  },
  rateLimited: {
    status: 429,
    code: "RATE_LIMITED",
    description: "Too many requests; wait `Retry-After` seconds.",
  },
  tooLarge: {
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
    description: "The body is larger than the API accepts.",
  },
  internal: {
    status: 500,
    code: "INTERNAL_ERROR",
    description: "Something failed on our side; retry with the same Idempotency-Key.",
  },
} satisfies Record<string, ErrorDoc>;

function errorsOf(spec: RouteSpec<Schema, Schema, Schema, z.ZodType>): ErrorDoc[] {
  const errors: ErrorDoc[] = [];
  if (spec.body || spec.query || spec.params) {
    errors.push(SHARED_ERRORS.validation);
  }
  if (spec.body) {
    errors.push(SHARED_ERRORS.json, SHARED_ERRORS.mediaType, SHARED_ERRORS.tooLarge);
  }
  if (spec.idempotencyKey === "required") {
    errors.push(SHARED_ERRORS.idempotency);
  }
  if (spec.idempotencyKey !== undefined) {
    errors.push(SHARED_ERRORS.badIdempotencyKey);
  }
  if (spec.auth !== "none") {
    errors.push(SHARED_ERRORS.unauthenticated, SHARED_ERRORS.invalidToken);
  }
  if (spec.auth === "session") {
    errors.push(SHARED_ERRORS.sessionOnly);
  }
  if (spec.auth === "user" || spec.auth === "optional") {
    errors.push(SHARED_ERRORS.sandboxKey, SHARED_ERRORS.scope, SHARED_ERRORS.ipNotAllowed);
  }
  if (spec.auth === "admin-key") {
    errors.push(SHARED_ERRORS.role);
  }
  errors.push(...(spec.errors ?? []), SHARED_ERRORS.rateLimited, SHARED_ERRORS.internal);
  return errors;
}

/** The error envelope, or for refusals that describe their `details`, each one's own shape. */
function errorSchema(errors: ErrorDoc[]): z.ZodType {
  const shapes: z.ZodType[] = errors.flatMap((e) =>
    e.details ? [ErrorEnvelope.extend({ code: z.literal(e.code), details: e.details })] : [],
  );
  if (shapes.length === 0) {
    return ErrorEnvelope;
  }
  if (errors.some((e) => !e.details)) {
    shapes.push(ErrorEnvelope);
  }
  return shapes.length === 1 ? (shapes[0] as z.ZodType) : z.union(shapes);
}

const RATE_LIMIT_HEADERS = {
  "RateLimit-Limit": {
    description: "Requests allowed per window for this API key.",
    schema: { type: "integer" },
  },
  "RateLimit-Remaining": { description: "Requests left in this window.", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "Seconds until the window resets.", schema: { type: "integer" } },
} as const;

/** The OpenAPI operation for a route: parameters, body, the success envelope and every refusal. */
function describe(spec: RouteSpec<Schema, Schema, Schema, z.ZodType>, scope: ApiScope) {
  const status = spec.response.status ?? 200;
  const keyHeaders = spec.auth === "user" || spec.auth === "optional" ? RATE_LIMIT_HEADERS : {};
  const responses: Record<string, unknown> = {
    [status]: {
      description: spec.response.description,
      headers: keyHeaders,
      content: {
        "application/json": {
          schema: successEnvelope(spec.response.schema),
          ...(spec.response.example === undefined
            ? {}
            : {
                example: {
                  success: true,
                  data: spec.response.example,
                  timestamp: "2026-12-07T09:30:00.000Z",
                  requestId: "req_5f2c9a",
                },
              }),
        },
      },
    },
  };
  if (spec.idempotencyKey === "required" && status !== 200 && spec.replay !== "unchanged") {
    responses[200] = {
      description:
        "A replay of an earlier request with the same Idempotency-Key: the first answer, unchanged.",
      headers: {
        ...keyHeaders,
        "Idempotent-Replayed": {
          description: "`true` on a replay.",
          schema: { type: "string", enum: ["true"] },
        },
      },
      content: { "application/json": { schema: successEnvelope(spec.response.schema) } },
    };
  }
  const byStatus = new Map<number, ErrorDoc[]>();
  for (const error of errorsOf(spec)) {
    byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  }
  for (const [code, errors] of byStatus) {
    responses[code] = {
      description: errors.map((e) => `\`${e.code}\`: ${e.description}`).join("\n\n"),
      headers:
        code === 429
          ? { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } }
          : {},
      content: {
        "application/json": {
          schema: errorSchema(errors),
        },
      },
    };
  }
  const headers =
    spec.idempotencyKey === undefined
      ? undefined
      : z.object({
          "Idempotency-Key": (spec.idempotencyKey === "required" ? z.string() : z.string().optional()).meta({
            description:
              "1–255 visible ASCII characters, e.g. a UUID. A retry with the same key is answered, never repeated.",
            example: "3f1e1c2a-8d4b-4c57-9a51-0c6a2b7d9e10",
          }),
        });
  const security: Record<string, string[]>[] =
    spec.auth === "none"
      ? []
      : spec.auth === "admin-key"
        ? [{ adminKey: [] }]
        : spec.auth === "optional"
          ? [{}, { bearer: [] }]
          : [{ bearer: [] }];
  const scopeNote =
    spec.auth === "user"
      ? `\n\nAPI keys need the \`${scope}\` scope.`
      : spec.auth === "optional"
        ? `\n\nSent with an API key, the key needs the \`${scope}\` scope.`
        : spec.auth === "session"
          ? "\n\nLogin session only: an API key is refused."
          : "";
  return createRoute({
    method: spec.method,
    path: openApiPath(spec.path),
    tags: spec.tags,
    summary: spec.summary,
    description: `${spec.description ?? ""}${scopeNote}`.trim() || undefined,
    security,
    ...(spec.auth === "user" || spec.auth === "optional" ? { "x-scope": scope } : {}),
    request: {
      ...(spec.params ? { params: spec.params as z.ZodObject } : { params: pathParams(spec.path) }),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(headers ? { headers } : {}),
      ...(spec.body
        ? {
            body: {
              required: true,
              content: {
                "application/json": {
                  schema: spec.body,
                  ...(spec.bodyExample === undefined ? {} : { example: spec.bodyExample }),
                },
              },
            },
          }
        : {}),
    },
    responses: responses as Parameters<typeof createRoute>[0]["responses"],
  });
}

/** A Hono path as an OpenAPI path: `/:id{gft_[0-9a-z]+}/close` → `/{id}/close`. */
export function openApiPath(path: string): string {
  return path.replaceAll(/:([A-Za-z0-9_]+)(?:\{[^/]*?\})?/g, "{$1}");
}

/** Path parameters named in a Hono path, as strings, when the route gives no schema for them. */
function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  if (names.length === 0) {
    return undefined;
  }
  return z.object(Object.fromEntries(names.map((name) => [name, z.string()])));
}
