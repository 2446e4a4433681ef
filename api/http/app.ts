import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Hono } from "hono";
import { compress } from "hono/compress";
import { getPath } from "hono/utils/url";
import type { Config } from "../config";
import type { JobBackend } from "../jobs/backend";
import { PAYMENTS_QUEUE } from "../jobs/payments";
import { VTU_QUEUE } from "../jobs/vtu";
import type { Logger } from "../logger";
import { ApiKeyRateLimiter, type CredentialCache } from "../services/auth";
import type { LookupAll } from "../services/callbacks";
import type { Db, ServiceContext } from "../services/context";
import type { PaymentsRuntime } from "../services/funding/runtime";
import type { VtuRuntime } from "../services/vtu/runtime";
import { boundedBody } from "../transport/body-limit";
import { withoutVersion } from "./api-version";
import type { AppEnv } from "./context";
import { fail } from "./envelope";
import { handleError } from "./errors";
import { inputGuard, isApiPath, type RefusalPage, refuseAtEdge } from "./input-guard";
import { createMetrics } from "./metrics";
import { requestContext, securityHeaders } from "./middleware";
import { docsRoutes } from "./openapi/docs-routes";
import { MemoryRateLimiter } from "./rate-limit";
import { adminApiRoutes } from "./routes/admin-api";
import { apiKeyRoutes } from "./routes/api-keys";
import { authRoutes } from "./routes/auth";
import { callbackRoutes, describeCallbackWebhook } from "./routes/callbacks";
import { fundingRoutes, paymentWebhookRoutes } from "./routes/funding";
import { giftRoomRoutes } from "./routes/gift-rooms";
import { healthRoutes } from "./routes/health";
import { pointsRoutes } from "./routes/points";
import { referralRoutes } from "./routes/referrals";
import { sandboxRoutes } from "./routes/sandbox";
import { sandboxScheduleRoutes, scheduleRoutes } from "./routes/schedules";
import { type TelegramWebhook, telegramWebhookRoutes } from "./routes/telegram";
import { tierRoutes } from "./routes/tiers";
import { vtuRoutes } from "./routes/vtu";
import { walletRoutes } from "./routes/wallet";
import { providerWebhookRoutes } from "./routes/webhooks";

export type AppDeps = {
  db: Db;
  config: Config;
  logger: Logger;
  jobs: Pick<JobBackend, "kind" | "check"> & Partial<Pick<JobBackend, "queue">>;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  /** Set in Telegram webhook mode: POST /api/telegram/webhook. */
  telegramWebhook?: TelegramWebhook;
  /**
   * The server-rendered pages, mounted at / after the API, and the page a person sees when the edge
   * refuses their request. The composition root passes web/'s app (the API knows no page).
   */
  pages?: {
    app: Hono<{ Variables: { ctx: ServiceContext } }>;
    refusal: RefusalPage;
    /** A browser's unknown address outside the API (API clients keep the JSON envelope). */
    notFound?: (c: Context) => Response | Promise<Response>;
  };
  /** Bearer credentials kept per process, forgotten when PostgreSQL says they changed; absent: read each time. */
  credentials?: CredentialCache;
  /** DNS for the callback URL check (tests); the system resolver when absent. */
  callbackLookup?: LookupAll;
  now?: () => Date;
};

/**
 * The API under /api, /healthz, /metrics and /docs, with the edge every request passes (request
 * context, security headers, body limit, input guard); the pages in `deps.pages` are mounted last.
 */
export function createApiApp(deps: AppDeps) {
  // `/api/v1/…` is the same API as `/api/…` (DECISIONS §73): routed as if the `/v1` were not there.
  const app = new OpenAPIHono<AppEnv>({ getPath: (request) => withoutVersion(getPath(request)) });
  const now = deps.now ?? (() => new Date());
  const limiter = new MemoryRateLimiter(deps.config.AUTH_RATE_LIMIT_PER_MINUTE, 60_000);
  const trustedProxies = deps.config.TRUST_PROXY;

  const jobs = deps.jobs;
  const metrics = createMetrics({
    config: deps.config,
    logger: deps.logger,
    queues: jobs.queue
      ? {
          names: [VTU_QUEUE, PAYMENTS_QUEUE],
          counts: (name) => jobs.queue?.(name).getJobCounts() ?? Promise.resolve({}),
        }
      : undefined,
  });
  app.use(metrics.timing);
  app.use(
    requestContext({ db: deps.db, config: deps.config, now }, deps.logger, {
      credentials: deps.credentials,
      // Per process: the API keys' shared counts live in PostgreSQL, this holds its leases of them.
      apiKeyLimiter: new ApiKeyRateLimiter(),
    }),
  );
  app.use(securityHeaders);
  const refusalPage = deps.pages?.refusal ?? plainRefusal;
  // Every body is bounded before anything reads it (the input guard below reads it first).
  app.use(
    boundedBody({
      maxSize: deps.config.API_BODY_LIMIT_BYTES,
      onError: (c) =>
        refuseAtEdge(
          c,
          refusalPage,
          413,
          "PAYLOAD_TOO_LARGE",
          `The request body is larger than ${deps.config.API_BODY_LIMIT_BYTES} bytes.`,
        ),
    }),
  );
  app.use(
    inputGuard({
      page: refusalPage,
      rawBodyPaths: [
        // The HMAC is over the raw bytes, checked first; a signed event is stored escaped, never
        // refused (a refused payment event would be retried, or lost).
        "/api/webhooks/flutterwave",
        // Telegram writes the update; a person's text may hold any character. The chat engine
        // normalises it, and a refused update would be retried by Telegram for ever.
        "/api/telegram/webhook",
      ],
    }),
  );

  // The big answers are read by people's scripts and browsers over slow links: the admin reports
  // (90 days of analytics, exports) and the API document. Payment and purchase answers are small.
  app.use("/api/admin/*", compress());
  app.use("/openapi.json", compress());

  app.route("/healthz", healthRoutes({ jobs: deps.jobs, providers: deps.vtu.providers }));
  app.route("/metrics", metrics.routes);
  app.route("/api/auth", authRoutes({ limiter, trustedProxies }));
  app.route("/api/wallet", walletRoutes());
  app.route("/api/wallet", fundingRoutes({ payments: deps.payments }));
  app.route("/api/api-keys", apiKeyRoutes());
  app.route("/api/api-keys", callbackRoutes({ lookup: deps.callbackLookup }));
  describeCallbackWebhook(app);
  app.route("/api/referrals", referralRoutes());
  app.route("/api/points", pointsRoutes({ vtu: deps.vtu, responseWaitMs: deps.config.VTU_RESPONSE_WAIT_MS }));
  app.route("/api/tiers", tierRoutes());
  app.route("/api/schedules", scheduleRoutes({ vtu: deps.vtu }));
  app.route("/api/admin", adminApiRoutes());
  app.route("/api/vtu", vtuRoutes({ vtu: deps.vtu, responseWaitMs: deps.config.VTU_RESPONSE_WAIT_MS }));
  app.route("/api/gift-rooms", giftRoomRoutes({ vtu: deps.vtu, trustedProxies }));
  app.route("/api/webhooks", paymentWebhookRoutes({ payments: deps.payments }));
  app.route(
    "/api/webhooks",
    providerWebhookRoutes({ vtu: deps.vtu, token: deps.config.PROVIDER_WEBHOOK_TOKEN }),
  );
  if (deps.telegramWebhook) {
    app.route("/api/telegram", telegramWebhookRoutes(deps.telegramWebhook));
  }
  if (deps.config.sandbox) {
    app.route("/api/sandbox", sandboxRoutes());
    app.route("/api/sandbox/schedules", sandboxScheduleRoutes({ vtu: deps.vtu }));
  }
  // After every API route: the document describes what is mounted above.
  app.route("/", docsRoutes(app, deps.config));
  if (deps.pages) {
    app.route("/", deps.pages.app);
  }

  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, withoutVersion(c.req.path));
    if (allowed.length > 0) {
      c.header("Allow", allowed.join(", "));
      return fail(
        c,
        405,
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not allowed here. Use ${allowed.join(" or ")}.`,
      );
    }
    const notFoundPage = deps.pages?.notFound;
    if (notFoundPage && !isApiPath(c.req.path) && (c.req.header("accept") ?? "").includes("text/html")) {
      return notFoundPage(c);
    }
    return fail(
      c,
      404,
      "NOT_FOUND",
      `No route for ${c.req.method} ${c.req.path}. See the README for the API routes.`,
    );
  });
  app.onError(handleError);
  return app;
}

/** Without pages (a process serving the API alone): the refusal in plain words. */
const plainRefusal: RefusalPage = (c, status, message) => c.text(message, status);

/** Methods registered for a path (ignoring middleware), to tell 405 from 404. */
function allowedMethods(routes: { method: string; path: string }[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || route.path.includes("*")) {
      continue;
    }
    const pattern = new RegExp(`^${route.path.replace(/\/$/, "").replace(/:[^/]+/g, "[^/]+")}/?$`);
    if (pattern.test(path)) {
      methods.add(route.method);
    }
  }
  if (methods.has("GET")) {
    methods.add("HEAD");
  }
  return [...methods];
}
