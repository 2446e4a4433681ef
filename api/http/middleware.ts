import { randomUUID } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../logger";
import { authenticate } from "../services/auth";
import type { ServiceContext } from "../services/context";
import { AuthenticationError } from "../services/errors";
import type { AppEnv } from "./context";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Request id (a caller's X-Request-Id is kept when it is safe), a child logger, an access log line. */
export function requestContext(
  base: Omit<ServiceContext, "requestId" | "logger">,
  logger: Logger,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const log = logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("logger", log);
    c.set("ctx", { ...base, logger: log, requestId });
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

/** Paths that carry a secret (a one-time PIN page token, a gift room's link token) are logged without it (S11). */
export function loggablePath(path: string): string {
  return path.replace(/^\/(pin|gift)\/[^/]+/, "/$1/[REDACTED]");
}

/** Baseline headers for an API that serves JSON and a few HTML pages. */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
};

/** Require `Authorization: Bearer <session token | API key>`. */
export function requireUser(options: { sessionOnly?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new AuthenticationError();
    }
    const principal = await authenticate({ ctx: c.var.ctx, bearer: match[1] });
    if (options.sessionOnly && principal.via !== "session") {
      throw new AuthenticationError("This needs a login session token, not an API key.", "SESSION_REQUIRED");
    }
    c.set("principal", principal);
    await next();
  };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
}

/** The client address for rate limits (X-Forwarded-For is trusted only from a proxy we run behind). */
// Any Hono context: the web pages (the gift claim page) limit per IP with the same rule.
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) {
      return forwarded;
    }
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}
