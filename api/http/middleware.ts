import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../logger";
import { authenticate, type CredentialCache } from "../services/auth";
import type { ServiceContext } from "../services/context";
import { AuthenticationError } from "../services/errors";
import type { AppEnv } from "./context";

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** Request id (a caller's X-Request-Id is kept when it is safe), a child logger, an access log line. */
export function requestContext(
  base: Omit<ServiceContext, "requestId" | "logger">,
  logger: Logger,
  credentials?: CredentialCache,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    const log = logger.child({ requestId });
    c.set("requestId", requestId);
    c.set("logger", log);
    c.set("ctx", { ...base, logger: log, requestId });
    c.set("credentials", credentials);
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

/** Require `Authorization: Bearer <session token | API key>`. */
export function requireUser(
  // `scope`: what an API key must be allowed to do here (declared by the route; enforced with key scopes).
  options: { sessionOnly?: boolean; scope?: "read" | "purchase" | "withdraw" | "gift" } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new AuthenticationError();
    }
    const principal = await authenticate({ ctx: c.var.ctx, bearer: match[1], cache: c.var.credentials });
    if (options.sessionOnly && principal.via !== "session") {
      throw new AuthenticationError("This needs a login session token, not an API key.", "SESSION_REQUIRED");
    }
    c.set("principal", principal);
    await next();
  };
}

/**
 * A public route that answers a signed-in caller differently (their tier's prices): with an
 * Authorization header the credential is checked as requireUser checks it (a wrong one is a 401,
 * not a silent anonymous answer); without one, no principal.
 */
export function optionalUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.header("authorization") === undefined) {
      await next();
      return;
    }
    return requireUser()(c, next);
  };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
}

/**
 * The client address for per-IP limits (auth attempts, gift claims, admin sign-in). Each proxy
 * appends the address it was connected from to X-Forwarded-For, so only the entries our own proxies
 * wrote can be believed: with `trustedProxies` = N (config TRUST_PROXY) the client is the Nth entry
 * counted from the right, and anything left of it is whatever the client chose to send. With 0 (the
 * default) the header is ignored. A header with fewer entries, or an entry that is not an IP
 * address, falls back to the socket address.
 */
// Any Hono context: the web pages (the gift claim page, the admin sign-in) limit per IP with the same rule.
export function clientIp(c: Context, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const entries = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const address = bareAddress(entries[entries.length - trustedProxies]);
    if (address) {
      return address;
    }
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
}

/** "203.0.113.7", "203.0.113.7:51234", "2001:db8::1" or "[2001:db8::1]:443" → the address alone. */
function bareAddress(entry: string | undefined): string | undefined {
  if (!entry) {
    return undefined;
  }
  const candidate = /^\[([^\]]+)\](?::\d+)?$/.exec(entry)?.[1] ?? /^([\d.]+):\d+$/.exec(entry)?.[1] ?? entry;
  return isIP(candidate) ? candidate : undefined;
}
