import { sql } from "kysely";
import type { CallbackEvent } from "../../../db/database";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { ownerIsGone } from "../processes";
import { storableText } from "../storable-text";
import { type OrderDto, toOrderDto, withSettlement } from "../vtu/order-dto";
import { parseSettled } from "../vtu/order-outcomes";
import { postCallback } from "./http-post";
import { openCallbackSecret } from "./secret";
import { callbackSignatureHeader } from "./signature";
import { checkCallbackUrl, type LookupAll } from "./url-policy";

/** One POST may take this long, from connecting to the status line. */
export const CALLBACK_TIMEOUT_MS = 10_000;
/** Failed deliveries are retried for this long from their first attempt, then given up. */
export const CALLBACK_RETRY_WINDOW_MS = 24 * 3_600_000;
/** A claimed delivery is this sender's for this long (the POST's timeout, with room to record it). */
const LEASE_SECONDS = 60;

/** 30 s after the first failed attempt, doubling each time, never more than an hour. */
export function callbackRetryDelayMs(failedAttemptsInWindow: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, failedAttemptsInWindow - 1), 3_600_000);
}

/** What a sender needs besides the context: its lease owner (process boot id) and, in tests, DNS. */
export type CallbackSenderDeps = { owner: string; lookup?: LookupAll; timeoutMs?: number };

type ClaimedDelivery = {
  id: string;
  api_key_id: string;
  order_id: string;
  event: CallbackEvent;
  settlement: Record<string, unknown>;
  window_attempts: number;
  first_attempt_at: Date | null;
  created_at: Date;
};

export type CallbackAttemptOutcome = "delivered" | "retrying" | "given_up" | "lease_lost";

/**
 * Take up to `limit` due deliveries for this sender: pending, due by the context's clock, and not
 * leased to a live sender. Rows other senders are taking are skipped (SKIP LOCKED), so any number of
 * workers can run at once; a lease whose process stopped or went silent is taken over (processes.ts).
 */
export async function claimDueCallbacks(
  ctx: ServiceContext,
  args: { owner: string; limit: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<ClaimedDelivery>`
    UPDATE callback_deliveries
       SET lease_owner = ${args.owner}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
     WHERE id IN (
       SELECT d.id FROM callback_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at <= ${ctx.now()}
          AND (d.lease_owner IS NULL OR d.lease_until < now() OR ${ownerIsGone(ctx, sql.ref("d.lease_owner"))})
        ORDER BY d.next_attempt_at
        LIMIT ${args.limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING id, api_key_id, order_id, event, settlement, window_attempts, first_attempt_at, created_at`.execute(
    ctx.db,
  );
  return rows;
}

/**
 * POST one claimed delivery and record the attempt: 2xx → delivered; anything else (another status,
 * a timeout, a refused connection, a URL that now resolves to a private address) → retried after
 * callbackRetryDelayMs, or given up once 24 hours have passed since the window's first attempt.
 */
export async function attemptCallback(
  ctx: ServiceContext,
  delivery: ClaimedDelivery,
  deps: CallbackSenderDeps,
): Promise<CallbackAttemptOutcome> {
  const callback = await ctx.db
    .selectFrom("api_key_callbacks")
    .select(["url", "secret_encrypted"])
    .where("api_key_id", "=", delivery.api_key_id)
    .executeTakeFirst();
  if (!callback) {
    // Removed after this delivery was written (removeCallback gives up the ones it sees).
    return record(ctx, delivery, deps, { kind: "no_callback" });
  }
  const startedAt = ctx.now();
  const started = performance.now();
  const result = await post(ctx, delivery, deps, callback, startedAt);
  return record(ctx, delivery, deps, {
    kind: "attempt",
    url: callback.url,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...result,
  });
}

/** Claim and send every due delivery once (tests and the sender's loop). */
export async function runCallbackPass(
  ctx: ServiceContext,
  deps: CallbackSenderDeps & { limit?: number },
): Promise<Record<CallbackAttemptOutcome, number>> {
  const claimed = await claimDueCallbacks(ctx, { owner: deps.owner, limit: deps.limit ?? 50 });
  const outcomes = await Promise.all(claimed.map((delivery) => attemptCallback(ctx, delivery, deps)));
  const counts = { delivered: 0, retrying: 0, given_up: 0, lease_lost: 0 };
  for (const outcome of outcomes) {
    counts[outcome] += 1;
  }
  return counts;
}

/** The JSON a receiver gets (README "Order callbacks"): the order as GET /api/vtu/orders/:id shows it. */
async function callbackBody(ctx: ServiceContext, delivery: ClaimedDelivery): Promise<string> {
  const row = await ctx.db
    .selectFrom("vtu_orders as o")
    .innerJoin("catalogue_products as p", "p.id", "o.product_id")
    .selectAll("o")
    .select("p.name as product_name")
    .where("o.id", "=", delivery.order_id)
    .executeTakeFirstOrThrow();
  // The order as it was at this event (its settled fields then), not as it may be by now.
  const current = toOrderDto(ctx.config, row);
  const settlement = parseSettled(JSON.stringify(delivery.settlement)).settlement;
  const order: OrderDto = settlement ? withSettlement(ctx.config, current, settlement) : current;
  return JSON.stringify({
    event: delivery.event,
    order,
    deliveryId: delivery.id,
    createdAt: delivery.created_at.toISOString(),
  });
}

type PostOutcome = { statusCode?: number; error?: string };

async function post(
  ctx: ServiceContext,
  delivery: ClaimedDelivery,
  deps: CallbackSenderDeps,
  callback: { url: string; secret_encrypted: string },
  now: Date,
): Promise<PostOutcome> {
  let target: Awaited<ReturnType<typeof checkCallbackUrl>>;
  let secret: string;
  let body: string;
  try {
    target = await checkCallbackUrl({ url: callback.url, sandbox: ctx.config.sandbox, lookup: deps.lookup });
    secret = openCallbackSecret(ctx.config, delivery.api_key_id, callback.secret_encrypted);
    body = await callbackBody(ctx, delivery);
  } catch (error) {
    if (error instanceof ServiceError) {
      return { error: `${error.code}: ${error.message}` };
    }
    ctx.logger.error({ err: error, deliveryId: delivery.id }, "callback could not be prepared");
    return { error: "The callback could not be prepared (see the server log)." };
  }
  const result = await postCallback({
    url: target.url,
    body,
    timeoutMs: deps.timeoutMs ?? CALLBACK_TIMEOUT_MS,
    pinned: target.addresses,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "TADA-VTU-Callbacks/1",
      "TADA-Signature": callbackSignatureHeader({ secret, body, now }),
      "TADA-Delivery-Id": delivery.id,
      "TADA-Event": delivery.event,
    },
  });
  if ("error" in result) {
    return { error: result.error };
  }
  const ok = result.statusCode >= 200 && result.statusCode < 300;
  return {
    statusCode: result.statusCode,
    ...(ok
      ? {}
      : { error: `HTTP ${result.statusCode}${result.body ? `: ${result.body.slice(0, 300)}` : ""}` }),
  };
}

type Attempt =
  | { kind: "no_callback" }
  | {
      kind: "attempt";
      url: string;
      startedAt: Date;
      durationMs: number;
      statusCode?: number;
      error?: string;
    };

/** Write the attempt and the delivery's next step, only while this sender still holds the lease. */
async function record(
  ctx: ServiceContext,
  delivery: ClaimedDelivery,
  deps: CallbackSenderDeps,
  attempt: Attempt,
): Promise<CallbackAttemptOutcome> {
  const now = ctx.now();
  const next = nextStep(delivery, attempt, now);
  return ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("callback_deliveries")
      .set({
        status: next.status,
        next_attempt_at: next.nextAttemptAt,
        delivered_at: next.status === "delivered" ? now : null,
        given_up_at: next.status === "given_up" ? now : null,
        lease_owner: null,
        lease_until: null,
        ...(attempt.kind === "attempt"
          ? {
              attempts: sql`attempts + 1`,
              window_attempts: delivery.window_attempts + 1,
              first_attempt_at: delivery.first_attempt_at ?? attempt.startedAt,
              last_attempt_at: attempt.startedAt,
              last_status_code: attempt.statusCode ?? null,
              last_error: attempt.error ? storableText(attempt.error.slice(0, 500)) : null,
            }
          : { last_error: "The callback was removed before this was delivered." }),
      })
      .where("id", "=", delivery.id)
      .where("lease_owner", "=", deps.owner)
      .executeTakeFirst();
    if (attempt.kind === "attempt") {
      // The POST happened either way, so it is in the record even if the lease was lost meanwhile.
      await trx
        .insertInto("callback_attempts")
        .values({
          delivery_id: delivery.id,
          url: attempt.url,
          status_code: attempt.statusCode ?? null,
          error: attempt.error ? storableText(attempt.error.slice(0, 500)) : null,
          duration_ms: attempt.durationMs,
          started_at: attempt.startedAt,
        })
        .execute();
    }
    if (Number(updated.numUpdatedRows) === 0) {
      ctx.logger.warn({ deliveryId: delivery.id }, "callback lease lost before its attempt was recorded");
      return "lease_lost";
    }
    return next.status === "pending" ? "retrying" : next.status;
  });
}

function nextStep(
  delivery: ClaimedDelivery,
  attempt: Attempt,
  now: Date,
): { status: "pending" | "delivered" | "given_up"; nextAttemptAt: Date | null } {
  if (attempt.kind === "no_callback") {
    return { status: "given_up", nextAttemptAt: null };
  }
  if (attempt.statusCode !== undefined && attempt.statusCode >= 200 && attempt.statusCode < 300) {
    return { status: "delivered", nextAttemptAt: null };
  }
  const windowStart = (delivery.first_attempt_at ?? attempt.startedAt).getTime();
  const windowEnd = windowStart + CALLBACK_RETRY_WINDOW_MS;
  if (attempt.startedAt.getTime() >= windowEnd) {
    return { status: "given_up", nextAttemptAt: null };
  }
  // The last try falls exactly at the end of the window.
  const retryAt = Math.min(now.getTime() + callbackRetryDelayMs(delivery.window_attempts + 1), windowEnd);
  return { status: "pending", nextAttemptAt: new Date(retryAt) };
}

/** Deliveries by status, and failed attempts in the last 15 minutes (for /metrics). */
export async function callbackDeliveryStats(ctx: ServiceContext): Promise<{
  byStatus: { status: string; count: number }[];
  failedAttempts15m: number;
  oldestPendingSeconds: number;
}> {
  const since = new Date(ctx.now().getTime() - 15 * 60_000);
  const [byStatus, failed, oldest] = await Promise.all([
    ctx.db
      .selectFrom("callback_deliveries")
      .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
      .groupBy("status")
      .execute(),
    ctx.db
      .selectFrom("callback_attempts")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("started_at", ">=", since)
      .where((eb) =>
        eb.or([eb("status_code", "is", null), eb("status_code", "<", 200), eb("status_code", ">=", 300)]),
      )
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom("callback_deliveries")
      .select((eb) => eb.fn.min("created_at").as("at"))
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow(),
  ]);
  const oldestAt = oldest.at ? new Date(oldest.at).getTime() : undefined;
  return {
    byStatus: ["pending", "delivered", "given_up"].map((status) => ({
      status,
      count: Number(byStatus.find((r) => r.status === status)?.n ?? 0),
    })),
    failedAttempts15m: Number(failed.n),
    oldestPendingSeconds: oldestAt === undefined ? 0 : Math.max(0, (ctx.now().getTime() - oldestAt) / 1000),
  };
}
