import { sql } from "kysely";
import { callbackDeliveryStats } from "./callbacks/sender";
import { chatOutboxDepth } from "./chat-outbox";
import type { ServiceContext } from "./context";
import { CHAT_CHANNELS } from "./notifications";

export type MetricsSnapshot = {
  ordersByState: { state: string; count: number }[];
  /** Provider answers in the last 15 minutes, by provider and outcome (delivered, failed, unknown, …). */
  providerOutcomes: { provider: string; outcome: string; count: number }[];
  /** How long providers took to answer in the last 15 minutes (median and 95th percentile, seconds). */
  providerLatency: { provider: string; p50: number; p95: number }[];
  /**
   * Chat messages not yet accepted by their channel (pending or being sent), and the age of the
   * oldest, per channel; every chat channel is listed, with 0 when its outbox is empty.
   */
  chatOutbox: { channel: string; unsent: number; oldestSeconds: number }[];
  giftRoomsOpen: number;
  /** Resellers' order callbacks (DECISIONS §71): deliveries by status, recent failed attempts. */
  callbacks: Awaited<ReturnType<typeof callbackDeliveryStats>>;
};

/** What /metrics reads from the database at scrape time (counts only; cheap, indexed queries). */
export async function metricsSnapshot(ctx: ServiceContext): Promise<MetricsSnapshot> {
  const since = new Date(ctx.now().getTime() - 15 * 60_000);
  const [orders, outcomes, outbox, rooms, latency, callbacks] = await Promise.all([
    ctx.db
      .selectFrom("vtu_orders")
      .select(["state", (eb) => eb.fn.countAll<string>().as("n")])
      .groupBy("state")
      .execute(),
    ctx.db
      .selectFrom("vtu_provider_exchanges as x")
      .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
      .select(["a.provider", "x.outcome", (eb) => eb.fn.countAll<string>().as("n")])
      .where("x.created_at", ">=", since)
      .groupBy(["a.provider", "x.outcome"])
      .execute(),
    chatOutboxDepth(ctx),
    ctx.db
      .selectFrom("gift_rooms")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("status", "<>", "closed")
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("vtu_provider_exchanges as x")
      .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
      .select([
        "a.provider",
        sql<number>`percentile_cont(0.5) WITHIN GROUP (ORDER BY x.duration_ms)`.as("p50"),
        sql<number>`percentile_cont(0.95) WITHIN GROUP (ORDER BY x.duration_ms)`.as("p95"),
      ])
      .where("x.created_at", ">=", since)
      .where("x.duration_ms", "is not", null)
      .groupBy("a.provider")
      .execute(),
    callbackDeliveryStats(ctx),
  ]);
  return {
    ordersByState: orders.map((o) => ({ state: o.state, count: Number(o.n) })),
    providerOutcomes: outcomes.map((o) => ({ provider: o.provider, outcome: o.outcome, count: Number(o.n) })),
    providerLatency: latency.map((l) => ({
      provider: l.provider,
      p50: Number(l.p50) / 1000,
      p95: Number(l.p95) / 1000,
    })),
    chatOutbox: withEveryChannel(outbox),
    giftRoomsOpen: Number(rooms.n),
    callbacks,
  };
}

/** An empty outbox reads 0 rather than vanishing from the scrape (an alert on it must see the drop). */
function withEveryChannel(
  depth: { channel: string; unsent: number; oldestSeconds: number }[],
): MetricsSnapshot["chatOutbox"] {
  const missing = CHAT_CHANNELS.filter((channel) => !depth.some((d) => d.channel === channel));
  return [...depth, ...missing.map((channel) => ({ channel, unsent: 0, oldestSeconds: 0 }))].sort((a, b) =>
    a.channel.localeCompare(b.channel),
  );
}
