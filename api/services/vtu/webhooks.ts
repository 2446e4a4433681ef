import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { storableJson } from "../storable-text";
import type { VtuRuntime } from "./runtime";

/**
 * A provider says something happened. We never act on what it says (webhooks are unsigned and
 * unverifiable, providers.md): we store it, find the order it is about, and requery that order —
 * at most once per VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS however often the webhook is replayed. The
 * first webhook of a burst asks now; later ones make sure one more ask happens when the interval
 * ends, so a change announced in the middle of a burst is still seen.
 */
export async function handleProviderWebhook(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  provider: string;
  payload: Record<string, unknown>;
}): Promise<{ matched: boolean; orderId: string | null }> {
  const { ctx, provider, payload } = args;
  const candidates = referencesIn(payload);
  const attempt =
    candidates.length === 0
      ? undefined
      : await ctx.db
          .selectFrom("vtu_attempts")
          .select(["order_id"])
          .where("provider", "=", provider)
          .where((eb) =>
            eb.or([eb("provider_reference", "in", candidates), eb("request_id", "in", candidates)]),
          )
          .executeTakeFirst();
  const orderId = attempt?.order_id ?? null;
  await ctx.db
    .insertInto("provider_webhook_events")
    .values({ provider, payload: storableJson(payload) as Record<string, unknown>, order_id: orderId })
    .execute();
  if (orderId) {
    if (await claimWebhookRequery(ctx, orderId)) {
      await args.vtu
        .dispatch({
          name: "requery-order",
          orderId,
          includeDelivered: true,
          dedupe: `webhook${ctx.now().getTime()}`,
        })
        .catch((err) => ctx.logger.warn({ err, orderId }, "could not enqueue the webhook requery"));
    }
  } else {
    ctx.logger.info({ provider }, "provider webhook matched no order");
  }
  return { matched: orderId !== null, orderId };
}

/**
 * True when this webhook may trigger a requery now (none in the last interval). Otherwise the order's
 * next check is brought forward to the end of the interval, where the sweeper picks it up. Orders
 * being sent (held, submitting) keep their lease: shortening it could re-send them.
 */
async function claimWebhookRequery(ctx: ServiceContext, orderId: string): Promise<boolean> {
  const now = ctx.now();
  const interval = ctx.config.VTU_WEBHOOK_REQUERY_INTERVAL_SECONDS;
  const claimed = await ctx.db
    .updateTable("vtu_orders")
    .set({ webhook_requery_at: now })
    .where("id", "=", orderId)
    .where((eb) =>
      eb.or([
        eb("webhook_requery_at", "is", null),
        eb("webhook_requery_at", "<=", sql<Date>`${now}::timestamptz - make_interval(secs => ${interval})`),
      ]),
    )
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 1) {
    return true;
  }
  const nextAsk = sql<Date>`webhook_requery_at + make_interval(secs => ${interval})`;
  await ctx.db
    .updateTable("vtu_orders")
    .set({
      next_check_at: sql`CASE WHEN state IN ('pending', 'unknown', 'manual_review')
        THEN least(next_check_at, ${nextAsk}) ELSE next_check_at END`,
      verify_due_at: sql`CASE WHEN state = 'delivered'
        THEN least(coalesce(verify_due_at, ${nextAsk}), ${nextAsk}) ELSE verify_due_at END`,
    })
    .where("id", "=", orderId)
    .execute();
  return false;
}

/** Every string that could be a reference, wherever the provider put it (shapes vary, providers.md). */
function referencesIn(payload: Record<string, unknown>): string[] {
  const keys = ["reference", "request_id", "requestId", "transaction_id", "customer_reference", "ref"];
  const found = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== "object" || depth > 3) {
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (keys.includes(key) && (typeof v === "string" || typeof v === "number") && String(v).length <= 100) {
        found.add(String(v));
      } else if (typeof v === "object") {
        visit(v, depth + 1);
      }
    }
  };
  visit(payload, 0);
  return [...found];
}
