import { sql } from "kysely";
import { lowFloatProviders } from "../admins/provider-settings";
import type { ServiceContext } from "../context";
import { formatNaira } from "../money";
import { clearAlertsExcept, raiseAlert } from "./alerts";

/**
 * One pass of the alert checks: each check looks at the database, raises an alert for every
 * condition that holds and clears the ones of its kind that no longer hold. Idempotent: running it
 * twice raises nothing new (the open alert's count goes up, so a long-lasting problem shows as such).
 * Slow HTTP responses are raised where they happen (the HTTP timing middleware); this pass clears
 * them once a whole window went by without one.
 */
export async function checkAlertConditions(ctx: ServiceContext): Promise<{ open: string[] }> {
  const open: string[] = [];
  for (const check of CHECKS) {
    open.push(...(await check(ctx)));
  }
  return { open };
}

type Check = (ctx: ServiceContext) => Promise<string[]>;

function windowStart(ctx: ServiceContext): Date {
  return new Date(ctx.now().getTime() - ctx.config.ALERT_WINDOW_MINUTES * 60_000);
}

/** Orders (and payments) nobody can settle automatically: a person must look. */
const manualReview: Check = async (ctx) => {
  const [orders, intents] = await Promise.all([
    ctx.db
      .selectFrom("vtu_orders")
      .select([(eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.min("updated_at").as("oldest")])
      .where("state", "=", "manual_review")
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("funding_intents")
      .select([(eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.sum<string>("amount_kobo").as("kobo")])
      .where("status", "=", "manual_review")
      .executeTakeFirstOrThrow(),
  ]);
  const keys: string[] = [];
  const orderCount = Number(orders.n);
  if (orderCount > 0) {
    keys.push("manual_review:orders");
    await raiseAlert(ctx.db, {
      kind: "manual_review",
      key: "manual_review:orders",
      severity: "warning",
      title: `${orderCount} order${orderCount === 1 ? "" : "s"} in manual review`,
      body: `Providers could not settle ${orderCount === 1 ? "this order" : "these orders"} automatically (oldest since ${orders.oldest ? new Date(orders.oldest).toISOString() : "?"}). Open Orders → state "manual review" and requery, mark delivered or refund.`,
    });
  }
  const intentCount = Number(intents.n);
  if (intentCount > 0) {
    keys.push("manual_review:funding");
    await raiseAlert(ctx.db, {
      kind: "manual_review",
      key: "manual_review:funding",
      severity: "warning",
      title: `${intentCount} payment${intentCount === 1 ? "" : "s"} in manual review`,
      body: `Payments for ${formatNaira(Number(intents.kobo ?? 0))} did not match what the customer asked for (short payment or unknown reference). Open Payments and settle them with the customer.`,
    });
  }
  const held = await ctx.db
    .selectFrom("bank_transfers")
    .select([(eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.sum<string>("paid_kobo").as("kobo")])
    .where("status", "=", "suspense")
    .executeTakeFirstOrThrow();
  const heldCount = Number(held.n);
  if (heldCount > 0) {
    keys.push("manual_review:transfers");
    await raiseAlert(ctx.db, {
      kind: "manual_review",
      key: "manual_review:transfers",
      severity: "warning",
      title: `${heldCount} bank transfer${heldCount === 1 ? "" : "s"} held in suspense`,
      body: `${formatNaira(Number(held.kobo ?? 0))} arrived by bank transfer but could not be credited automatically (wrong amount, closed account, suspended customer, over a limit). Open Transfers and credit or return each.`,
    });
  }
  await clearAlertsExcept(ctx.db, "manual_review", keys);
  return keys;
};

/** A provider whose answers in the window are mostly failures (at least ALERT_PROVIDER_MIN_CALLS). */
const providerFailures: Check = async (ctx) => {
  const rows = await ctx.db
    .selectFrom("vtu_provider_exchanges as x")
    .innerJoin("vtu_attempts as a", "a.id", "x.attempt_id")
    .select([
      "a.provider",
      (eb) => eb.fn.countAll<string>().as("total"),
      sql<string>`count(*) FILTER (WHERE x.outcome IN ('failed', 'unknown'))`.as("failed"),
    ])
    .where("x.created_at", ">=", windowStart(ctx))
    .groupBy("a.provider")
    .execute();
  const keys: string[] = [];
  for (const row of rows) {
    const total = Number(row.total);
    const failed = Number(row.failed);
    const percent = total === 0 ? 0 : Math.round((failed * 100) / total);
    if (
      total >= ctx.config.ALERT_PROVIDER_MIN_CALLS &&
      percent >= ctx.config.ALERT_PROVIDER_FAILURE_PERCENT
    ) {
      const key = `provider_failures:${row.provider}`;
      keys.push(key);
      await raiseAlert(ctx.db, {
        kind: "provider_failures",
        key,
        severity: percent >= 80 ? "critical" : "warning",
        title: `Provider ${row.provider}: ${percent}% of answers failed or unknown`,
        body: `${failed} of ${total} answers from ${row.provider} in the last ${ctx.config.ALERT_WINDOW_MINUTES} minutes were failed or unknown. Check the provider's status; consider disabling it or moving it down the failover order (Catalogue → Providers).`,
      });
    }
  }
  await clearAlertsExcept(ctx.db, "provider_failures", keys);
  return keys;
};

/** Payment webhooks with a bad signature: someone is forging them, or our secret hash is wrong. */
const webhookRejections: Check = async (ctx) => {
  const row = await ctx.db
    .selectFrom("audit_log")
    .select([(eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.max("created_at").as("last")])
    .where("action", "=", "webhook.rejected")
    .where("created_at", ">=", windowStart(ctx))
    .executeTakeFirstOrThrow();
  const count = Number(row.n);
  const keys: string[] = [];
  if (count > 0) {
    keys.push("webhook_rejected:payments");
    await raiseAlert(ctx.db, {
      kind: "webhook_rejected",
      key: "webhook_rejected:payments",
      severity: "critical",
      title: `${count} payment webhook${count === 1 ? "" : "s"} failed verification`,
      body: `In the last ${ctx.config.ALERT_WINDOW_MINUTES} minutes ${count} webhook${count === 1 ? "" : "s"} arrived with a wrong or missing verif-hash (last at ${row.last ? new Date(row.last).toISOString() : "?"}). Nothing was credited. If real payments are affected, check FLUTTERWAVE_SECRET_HASH against the dashboard; otherwise someone is probing the endpoint (see the audit log for the source IPs).`,
    });
  }
  await clearAlertsExcept(ctx.db, "webhook_rejected", keys);
  return keys;
};

/**
 * Alerts raised where the event happens (slow HTTP responses by the timing middleware, reversals
 * after delivery by the order that was reversed) clear once a whole window went by without a new one.
 */
function clearedAfterQuietWindow(kind: string): Check {
  return async (ctx) => {
    const still = await ctx.db
      .selectFrom("admin_alerts")
      .select("key")
      .where("kind", "=", kind)
      .where("resolved_at", "is", null)
      .where("last_at", ">=", windowStart(ctx))
      .execute();
    const keys = still.map((r) => r.key);
    await clearAlertsExcept(ctx.db, kind, keys);
    return keys;
  };
}

const slowResponses = clearedAfterQuietWindow("slow_response");
const reversals = clearedAfterQuietWindow("order_reversed");

/** A provider's float (read every PROVIDER_FLOAT_CHECK_MINUTES) below the threshold set for it. */
const lowFloat: Check = async (ctx) => {
  const keys: string[] = [];
  for (const p of await lowFloatProviders(ctx)) {
    const key = `low_float:${p.code}`;
    keys.push(key);
    await raiseAlert(ctx.db, {
      kind: "low_float",
      key,
      severity: p.floatKobo <= 0 ? "critical" : "warning",
      title: `Low float at ${p.name}: ${formatNaira(p.floatKobo)}`,
      body: `Our balance with ${p.name} is ${formatNaira(p.floatKobo)}, below the ${formatNaira(p.thresholdKobo)} threshold. Fund the provider wallet before orders start failing over (or failing).`,
    });
  }
  await clearAlertsExcept(ctx.db, "low_float", keys);
  return keys;
};

const CHECKS: Check[] = [
  manualReview,
  providerFailures,
  webhookRejections,
  slowResponses,
  reversals,
  lowFloat,
];

/**
 * The HTTP layer's report of responses slower than 5 s (one open alert per route): `times` of them
 * since the last report, the slowest `seconds` long.
 */
export async function raiseSlowResponse(
  ctx: Pick<ServiceContext, "db">,
  args: { method: string; route: string; seconds: number; times?: number },
): Promise<void> {
  const times = args.times ?? 1;
  await raiseAlert(ctx.db, {
    kind: "slow_response",
    key: `slow_response:${args.method} ${args.route}`,
    severity: "warning",
    title: `Slow responses on ${args.method} ${args.route}`,
    body: `${times > 1 ? `${times} responses took over 5 s, the slowest` : "The last one took"} ${args.seconds.toFixed(1)} s${times > 1 ? "" : " (over 5 s)"}. Check the database, the providers' latency (/metrics: tada_provider_latency_seconds) and the queue depth.`,
    times,
  });
}
