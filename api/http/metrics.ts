import { Hono, type MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Config } from "../config";
import { raiseSlowResponse } from "../services/alerts";
import { constantTimeEqual } from "../services/hashing";
import { metricsSnapshot } from "../services/metrics-snapshot";
import type { AppEnv } from "./context";
import { bearerToken } from "./middleware";

/** Queue depth source: the job backend's queues, when this process has them. */
export type QueueCounts = { names: string[]; counts(name: string): Promise<Record<string, number>> };

/**
 * Prometheus metrics: HTTP latency by route pattern (never the raw path: tokens live in paths), and
 * at scrape time orders by state, provider outcomes of the last 15 minutes, queue depth, pending
 * chat notifications and open gift rooms. One registry per app, so tests and processes never share.
 */
export function createMetrics(deps: { config: Config; queues?: QueueCounts }) {
  const registry = new Registry();
  const httpDuration = new Histogram({
    name: "tada_http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status.",
    labelNames: ["method", "route", "status"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const slow = new Counter({
    name: "tada_http_slow_requests_total",
    help: "Requests that took longer than 5 seconds (the alert threshold).",
    labelNames: ["route"],
    registers: [registry],
  });
  const orders = new Gauge({
    name: "tada_vtu_orders",
    help: "VTU orders by state.",
    labelNames: ["state"],
    registers: [registry],
  });
  const outcomes = new Gauge({
    name: "tada_provider_outcomes_15m",
    help: "Provider answers in the last 15 minutes by provider and outcome.",
    labelNames: ["provider", "outcome"],
    registers: [registry],
  });
  const providerLatency = new Gauge({
    name: "tada_provider_latency_seconds",
    help: "Provider answer time over the last 15 minutes, by provider and quantile (0.5, 0.95).",
    labelNames: ["provider", "quantile"],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: "tada_queue_jobs",
    help: "Jobs per queue and state.",
    labelNames: ["queue", "state"],
    registers: [registry],
  });
  const pending = new Gauge({
    name: "tada_notifications_pending",
    help: "Chat notifications waiting to be sent.",
    registers: [registry],
  });
  const rooms = new Gauge({
    name: "tada_gift_rooms_open",
    help: "Gift rooms not yet closed.",
    registers: [registry],
  });

  const timing: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || "unmatched";
    httpDuration.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds);
    if (seconds > 5) {
      slow.inc({ route });
      // An alert for the admins (one open per route); never let it fail the response.
      const ctx = c.var.ctx;
      if (ctx) {
        void raiseSlowResponse(ctx, { method: c.req.method, route, seconds }).catch((error) =>
          ctx.logger.error({ err: error }, "could not record a slow-response alert"),
        );
      }
    }
  };

  const routes = new Hono<AppEnv>();
  routes.get("/", async (c) => {
    const token = deps.config.METRICS_TOKEN;
    if (token) {
      const sent = bearerToken(c.req.header("authorization")) ?? "";
      if (!constantTimeEqual(sent, token)) {
        return c.text("Send the metrics token: Authorization: Bearer <METRICS_TOKEN>\n", 401);
      }
    } else if (deps.config.NODE_ENV === "production") {
      return c.text("Metrics are off in production until METRICS_TOKEN is set.\n", 404);
    }
    const snapshot = await metricsSnapshot(c.var.ctx);
    orders.reset();
    for (const o of snapshot.ordersByState) {
      orders.set({ state: o.state }, o.count);
    }
    outcomes.reset();
    for (const o of snapshot.providerOutcomes) {
      outcomes.set({ provider: o.provider, outcome: o.outcome }, o.count);
    }
    providerLatency.reset();
    for (const l of snapshot.providerLatency) {
      providerLatency.set({ provider: l.provider, quantile: "0.5" }, l.p50);
      providerLatency.set({ provider: l.provider, quantile: "0.95" }, l.p95);
    }
    pending.set(snapshot.notificationsPending);
    rooms.set(snapshot.giftRoomsOpen);
    queueDepth.reset();
    for (const name of deps.queues?.names ?? []) {
      const counts = await deps.queues?.counts(name).catch(() => ({}));
      for (const [state, n] of Object.entries(counts ?? {})) {
        queueDepth.set({ queue: name, state }, Number(n));
      }
    }
    c.header("Content-Type", registry.contentType);
    return c.body(await registry.metrics());
  });
  return { timing, routes };
}
