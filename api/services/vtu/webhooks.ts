import type { ServiceContext } from "../context";
import type { VtuRuntime } from "./runtime";

/**
 * A provider says something happened. We never act on what it says (webhooks are unsigned and
 * unverifiable, providers.md): we store it, find the order it is about, and requery that order now.
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
    .values({ provider, payload, order_id: orderId })
    .execute();
  if (orderId) {
    await args.vtu
      .dispatch({ name: "requery-order", orderId, includeDelivered: true, dedupe: `webhook-${Date.now()}` })
      .catch((err) => ctx.logger.warn({ err, orderId }, "could not enqueue the webhook requery"));
  } else {
    ctx.logger.info({ provider }, "provider webhook matched no order");
  }
  return { matched: orderId !== null, orderId };
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
