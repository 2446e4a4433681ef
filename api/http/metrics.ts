import { Hono, type MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { chatSendStats, type SendFailureKind } from "../services/chat-send-stats";
import { constantTimeEqual } from "../services/hashing";
import { metricsSnapshot } from "../services/metrics-snapshot";
import { CHAT_CHANNELS } from "../services/notifications";
import type { AppEnv } from "./context";
import { bearerToken } from "./middleware";
import { SlowResponses } from "./slow-responses";

/** Queue depth source: the job backend's queues, when this process has them. */
export type QueueCounts = { names: string[]; counts(name: string): Promise<Record<string, number>> };

/**
 * Prometheus metrics: HTTP latency by route pattern (never the raw path: tokens live in paths), and
 * at scrape time orders by state, provider outcomes of the last 15 minutes, queue depth, the chat
 * outbox (unsent messages and the age of the oldest, per channel), this process's chat sends and
 * send failures, open gift rooms, and resellers' callbacks (by status, recent failures). One
 * registry per app, so tests and processes never share.
 */
export function createMetrics(deps: { config: Config; queues?: QueueCounts; logger: Logger }) {
  const slowResponses = new SlowResponses(deps.logger);
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
  const outboxUnsent = new Gauge({
    name: "tada_chat_outbox_unsent",
    help: "Chat messages not yet accepted by their channel (pending or being sent), by channel.",
    labelNames: ["channel"],
    registers: [registry],
  });
  const outboxOldest = new Gauge({
    name: "tada_chat_outbox_oldest_unsent_seconds",
    help: "Age of the oldest chat message not yet accepted by its channel, by channel (0 when none).",
    labelNames: ["channel"],
    registers: [registry],
  });
  // The send counters are this process's (its outbox senders'), read from chat-send-stats at scrape time.
  const chatSent = new Counter({
    name: "tada_chat_sent_total",
    help: "Chat messages the channel accepted, sent by this process, by channel.",
    labelNames: ["channel"],
    registers: [registry],
  });
  const chatFailures = new Counter({
    name: "tada_chat_send_failures_total",
    help: "Chat sends the channel refused in this process, by channel and kind (transient: retried with backoff; rate_limited: 429, retried after retry_after; permanent: recorded as failed).",
    labelNames: ["channel", "kind"],
    registers: [registry],
  });
  const chatRateLimited = new Counter({
    name: "tada_chat_rate_limited_total",
    help: "Flood-limit answers (429) from the channel in this process, by channel.",
    labelNames: ["channel"],
    registers: [registry],
  });
  const callbackDeliveries = new Gauge({
    name: "tada_callback_deliveries",
    help: "Resellers' order callbacks by status (pending, delivered, given_up).",
    labelNames: ["status"],
    registers: [registry],
  });
  const callbackFailures = new Gauge({
    name: "tada_callback_failed_attempts_15m",
    help: "Callback POSTs in the last 15 minutes that got no 2xx (an error status, a timeout, a refused address).",
    registers: [registry],
  });
  const callbackOldest = new Gauge({
    name: "tada_callback_oldest_pending_seconds",
    help: "Age of the oldest callback not yet delivered nor given up (0 when none).",
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
      // An alert for the admins (one open per route), written in batches; never fails the response.
      const ctx = c.var.ctx;
      if (ctx) {
        slowResponses.record(ctx, c.req.method, route, seconds);
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
    outboxUnsent.reset();
    outboxOldest.reset();
    for (const o of snapshot.chatOutbox) {
      outboxUnsent.set({ channel: o.channel }, o.unsent);
      outboxOldest.set({ channel: o.channel }, o.oldestSeconds);
    }
    setChatSendCounters({ sent: chatSent, failures: chatFailures, rateLimited: chatRateLimited });
    rooms.set(snapshot.giftRoomsOpen);
    for (const s of snapshot.callbacks.byStatus) {
      callbackDeliveries.set({ status: s.status }, s.count);
    }
    callbackFailures.set(snapshot.callbacks.failedAttempts15m);
    callbackOldest.set(snapshot.callbacks.oldestPendingSeconds);
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
  return { timing, routes, slowResponses };
}

const SEND_FAILURE_KINDS: readonly SendFailureKind[] = ["transient", "rate_limited", "permanent"];

/**
 * Copy this process's chat send counters into the registry. Every channel and kind starts at 0, so
 * a first failure shows as an increase (a series that appears already at 1 hides it from rate()).
 */
function setChatSendCounters(metrics: {
  sent: Counter<"channel">;
  failures: Counter<"channel" | "kind">;
  rateLimited: Counter<"channel">;
}): void {
  const stats = chatSendStats();
  const channels = [
    ...new Set([
      ...CHAT_CHANNELS,
      ...stats.sent.map((s) => s.channel),
      ...stats.failures.map((f) => f.channel),
    ]),
  ];
  metrics.sent.reset();
  metrics.failures.reset();
  metrics.rateLimited.reset();
  for (const channel of channels) {
    metrics.sent.inc({ channel }, stats.sent.find((s) => s.channel === channel)?.count ?? 0);
    metrics.rateLimited.inc(
      { channel },
      stats.failures.find((f) => f.channel === channel && f.kind === "rate_limited")?.count ?? 0,
    );
    for (const kind of SEND_FAILURE_KINDS) {
      const count = stats.failures.find((f) => f.channel === channel && f.kind === kind)?.count ?? 0;
      metrics.failures.inc({ channel, kind }, count);
    }
  }
}
