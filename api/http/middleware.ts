import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../logger";
import {
  type ApiKeyRateLimiter,
  type ApiKeyScope,
  authenticate,
  type CredentialCache,
  type Principal,
  RateLimitExceeded,
} from "../services/auth";
import type { ServiceContext } from "../services/context";
import { AuthenticationError, ServiceError } from "../services/errors";
import { clientIp } from "../transport/client-ip";
import type { AppEnv } from "./context";
import { setRateLimitHeaders } from "./rate-limit";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Request id (a caller's X-Request-Id is kept when it is safe), a child logger, an access log line. */
export function requestContext(
  base: Omit<ServiceContext, "requestId" | "logger">,
  logger: Logger,
  perProcess: { credentials?: CredentialCache; apiKeyLimiter?: ApiKeyRateLimiter } = {},
): MiddlewareHandler<AppEnv> {
  const { credentials, apiKeyLimiter } = perProcess;
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const log = logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("logger", log);
    c.set("ctx", { ...base, logger: log, requestId });
    c.set("credentials", credentials);
    c.set("apiKeyLimiter", apiKeyLimiter);
    c.header("X-Request-Id", requestId);
    const started = performance.now();
    await next();
    log.info(
      {
        method: c.req.method,
        path: loggablePath(c.req.path),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  };
}

/** Paths that carry a secret (a one-time PIN or KYC page token, a gift room's link token) are logged without it (S11). */
export function loggablePath(path: string): string {
  return path.replace(/^\/(pin|gift|kyc|schedules)\/[^/]+/, "/$1/[REDACTED]");
}

/** Baseline headers for an API that serves JSON and a few HTML pages. */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
};

/**
 * What a route asks of its bearer credential: the one scope an API key needs for it (DECISIONS §72),
 * or a login session only (managing API keys, sign-out). Declared on each route, and readable from
 * the app's routes (`routeAuthOf`), so the API's description can show it.
 */
export type RouteAuth = { scope: ApiKeyScope } | { sessionOnly: true };

const ROUTE_AUTH = Symbol("routeAuth");

/** The RouteAuth a route's requireUser/optionalUser middleware declares, if `handler` is one. */
export function routeAuthOf(handler: unknown): (RouteAuth & { optional: boolean }) | undefined {
  return (handler as { [ROUTE_AUTH]?: RouteAuth & { optional: boolean } } | undefined)?.[ROUTE_AUTH];
}

/**
 * Require `Authorization: Bearer <session token | API key>` holding `auth`: a key without the scope
 * is a 403 naming it; an API key's request is also checked against its IP allow-list and counted
 * against its rate limit (RateLimit-* headers on every answer).
 */
export function requireUser(auth: RouteAuth): MiddlewareHandler<AppEnv> {
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    const bearer = bearerToken(c.req.header("authorization"));
    if (!bearer) {
      throw new AuthenticationError();
    }
    c.set("principal", await authenticateRequest(c, bearer, auth));
    await next();
  };
  return Object.assign(handler, { [ROUTE_AUTH]: { ...auth, optional: false } });
}

/**
 * A public route that answers a signed-in caller differently (their tier's prices): with an
 * Authorization header the credential is checked as requireUser checks it (a wrong one is a 401,
 * not a silent anonymous answer); without one, no principal.
 */
export function optionalUser(auth: RouteAuth = { scope: "read" }): MiddlewareHandler<AppEnv> {
  const required = requireUser(auth);
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.header("authorization") === undefined) {
      await next();
      return;
    }
    return required(c, next);
  };
  return Object.assign(handler, { [ROUTE_AUTH]: { ...auth, optional: true } });
}

/**
 * The principal behind `bearer` for a route that asks `auth` of it; throws the 401/403/429 the
 * request gets. For an API key: its allow-list against the client address (TRUST_PROXY rules), then
 * one hit on its rate limit, then its scopes; the RateLimit-* headers are set either way.
 */
export async function authenticateRequest(
  c: Context<AppEnv>,
  bearer: string,
  auth: RouteAuth,
): Promise<Principal> {
  const { ctx } = c.var;
  const principal = await authenticate({
    ctx,
    bearer,
    cache: c.var.credentials,
    clientIp: clientIp(c, ctx.config.TRUST_PROXY),
  });
  if ("sessionOnly" in auth) {
    if (principal.via !== "session") {
      throw new AuthenticationError("This needs a login session token, not an API key.", "SESSION_REQUIRED");
    }
    return principal;
  }
  if (principal.via === "api_key") {
    const limiter = c.var.apiKeyLimiter;
    if (limiter && principal.rateLimitPerMinute !== undefined) {
      try {
        setRateLimitHeaders(c, await limiter.hit(ctx, principal.credentialId, principal.rateLimitPerMinute));
      } catch (error) {
        if (error instanceof RateLimitExceeded) {
          setRateLimitHeaders(c, error.state);
        }
        throw error;
      }
    }
    if (!principal.scopes.includes(auth.scope)) {
      throw new ServiceError(
        "forbidden",
        "API_KEY_SCOPE_MISSING",
        `This API key does not have the "${auth.scope}" scope that ${c.req.method} ${c.req.path} needs (it has: ${principal.scopes.join(", ")}). Add the scope with PATCH /api/api-keys/${principal.credentialId} or create a key with it (POST /api/api-keys with "scopes"), signed in with a login session.`,
        { scope: auth.scope, keyScopes: principal.scopes },
      );
    }
  }
  return principal;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
}
