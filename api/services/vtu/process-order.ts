import type { VtuAttemptRow, VtuOrderRow } from "../../../db/database";
import { getPricingRule, getProductOffers, priceOffer } from "../catalogue/offers";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { stateMessage } from "./order-dto";
import type { CableProvider, Network, VendResult, VtuProvider } from "./provider";
import { newRequestId } from "./request-id";
import type { VtuRuntime } from "./runtime";
import { deliverOrder, failOrder, reverseOrder } from "./transitions";

/**
 * Drive orders through DESIGN §6. Two verbs, both safe to run twice or concurrently (BullMQ delivers
 * at least once): each starts with a short transaction that locks the order, decides, and records a
 * lease (`next_check_at`) before any provider call; the call happens outside any transaction; a second
 * short transaction applies the answer only if the attempt is still the one in flight.
 */

type Step =
  | { kind: "done" }
  | {
      kind: "call";
      order: VtuOrderRow;
      attempt: VtuAttemptRow;
      provider: VtuProvider;
      call: "submit" | "requery";
    };

const LIVE_ATTEMPT = ["submitting", "pending", "unknown", "delivered"] as const;

/** Send a held order to the next provider; fail over after a definite failure that allows it (P4). */
export async function submitOrder(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  orderId: string;
}): Promise<void> {
  const { ctx, vtu, orderId } = args;
  // One provider per pass; a failover puts the order back to `held` and loops (bounded by providers).
  for (let pass = 0; pass <= vtu.providers.all().length; pass++) {
    const step = await withTransaction(ctx, (trx) => planSubmit(trx, ctx, vtu, orderId));
    if (step.kind === "done") {
      return;
    }
    const started = performance.now();
    const result = await callProvider(step);
    const again = await applyResult({
      ctx,
      vtu,
      orderId,
      attemptId: step.attempt.id,
      kind: "submit",
      result,
      durationMs: performance.now() - started,
    });
    if (!again) {
      return;
    }
  }
}

/** Ask the provider what became of an unresolved (or, when forced, delivered) order. */
export async function requeryOrder(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  orderId: string;
  /** A webhook or an admin asks about a delivered order too (to catch reversals). */
  includeDelivered?: boolean;
}): Promise<void> {
  const { ctx, vtu, orderId } = args;
  const step = await withTransaction(ctx, (trx) =>
    planRequery(trx, ctx, vtu, orderId, args.includeDelivered ?? false),
  );
  if (step.kind === "done") {
    return;
  }
  const started = performance.now();
  const result = await callProvider(step);
  const again = await applyResult({
    ctx,
    vtu,
    orderId,
    attemptId: step.attempt.id,
    kind: "requery",
    result,
    durationMs: performance.now() - started,
  });
  if (again) {
    // The requery said "failed, nothing vended" and another provider can try: send it there now.
    await submitOrder({ ctx, vtu, orderId });
  }
}

async function lockOrder(trx: Trx, orderId: string): Promise<VtuOrderRow | undefined> {
  return trx.selectFrom("vtu_orders").selectAll().where("id", "=", orderId).forUpdate().executeTakeFirst();
}

async function liveAttempt(trx: Trx, orderId: string): Promise<VtuAttemptRow | undefined> {
  return trx
    .selectFrom("vtu_attempts")
    .selectAll()
    .where("order_id", "=", orderId)
    .where("state", "in", LIVE_ATTEMPT)
    .executeTakeFirst();
}

function leaseUntil(ctx: ServiceContext): Date {
  return new Date(ctx.now().getTime() + ctx.config.VTU_SUBMIT_LEASE_SECONDS * 1000);
}

async function planSubmit(trx: Trx, ctx: ServiceContext, vtu: VtuRuntime, orderId: string): Promise<Step> {
  const order = await lockOrder(trx, orderId);
  if (!order) {
    return { kind: "done" };
  }
  const now = ctx.now();
  if (order.state === "submitting") {
    const attempt = await liveAttempt(trx, orderId);
    const provider = attempt ? vtu.providers.get(attempt.provider) : undefined;
    if (!attempt || !provider || (order.next_check_at && order.next_check_at > now)) {
      return { kind: "done" }; // another worker holds the lease
    }
    // The last worker died after committing the attempt; we cannot know whether its request left.
    if (provider.idempotentRequestIds) {
      // P1: the provider de-duplicates on request_id, so re-sending the same one vends at most once.
      await trx
        .updateTable("vtu_orders")
        .set({ next_check_at: leaseUntil(ctx), updated_at: now })
        .where("id", "=", orderId)
        .execute();
      return { kind: "call", order, attempt, provider, call: "submit" };
    }
    // Not safe to re-send: treat as unknown and ask the provider instead.
    await markUnresolved(
      trx,
      ctx,
      vtu,
      order,
      attempt,
      "unknown",
      "The worker stopped before the provider answered",
    );
    return { kind: "done" };
  }
  if (order.state !== "held") {
    return { kind: "done" };
  }
  const tried = await trx
    .selectFrom("vtu_attempts")
    .select(["provider", "attempt_no"])
    .where("order_id", "=", orderId)
    .execute();
  const triedProviders = new Set(tried.map((t) => t.provider));
  const { product, offers } = await getProductOffers(trx, order.product_id).catch(() => ({
    product: undefined,
    offers: [],
  }));
  const offer = offers.find((o) => !triedProviders.has(o.provider) && vtu.providers.get(o.provider));
  const provider = offer ? vtu.providers.get(offer.provider) : undefined;
  if (!offer || !provider || !product) {
    await failOrder(
      trx,
      ctx,
      order,
      tried.length === 0 ? "not available from any provider right now" : "no provider could deliver it",
    );
    return { kind: "done" };
  }
  const rule = await getPricingRule(trx, order.service);
  const { costKobo } = priceOffer({
    service: order.service,
    offer,
    rule,
    faceAmountKobo: order.face_amount_kobo,
  });
  // P1: the attempt and its request id are committed before the first byte goes out.
  const attempt = await trx
    .insertInto("vtu_attempts")
    .values({
      order_id: orderId,
      attempt_no: tried.length + 1,
      provider: offer.provider,
      provider_product_id: offer.providerProductId,
      request_id: newRequestId(now),
      state: "submitting",
      cost_kobo: costKobo,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("vtu_orders")
    .set({
      state: "submitting",
      provider: offer.provider,
      message: null,
      next_check_at: leaseUntil(ctx),
      updated_at: now,
    })
    .where("id", "=", orderId)
    .execute();
  return { kind: "call", order: { ...order, state: "submitting" }, attempt, provider, call: "submit" };
}

async function planRequery(
  trx: Trx,
  ctx: ServiceContext,
  vtu: VtuRuntime,
  orderId: string,
  includeDelivered: boolean,
): Promise<Step> {
  const order = await lockOrder(trx, orderId);
  const unresolved = order && ["pending", "unknown", "manual_review"].includes(order.state);
  if (!order || !(unresolved || (includeDelivered && order.state === "delivered"))) {
    return { kind: "done" };
  }
  const attempt = await liveAttempt(trx, orderId);
  const provider = attempt ? vtu.providers.get(attempt.provider) : undefined;
  if (!attempt || !provider) {
    return { kind: "done" };
  }
  if (!canRequery(vtu, attempt)) {
    // Nothing to ask with (e.g. an Inlomax timeout returns no reference): people must reconcile it.
    if (order.state !== "manual_review" && order.state !== "delivered") {
      await toManualReview(trx, ctx, order, false);
    }
    return { kind: "done" };
  }
  await trx
    .updateTable("vtu_orders")
    .set((eb) => ({
      requery_count: eb("requery_count", "+", 1),
      next_check_at: leaseUntil(ctx),
      updated_at: ctx.now(),
    }))
    .where("id", "=", orderId)
    .execute();
  return { kind: "call", order, attempt, provider, call: "requery" };
}

async function callProvider(step: Extract<Step, { kind: "call" }>): Promise<VendResult> {
  const { order, attempt, provider } = step;
  if (step.call === "requery") {
    return provider.requery({
      requestId: attempt.request_id,
      providerReference: attempt.provider_reference ?? undefined,
    });
  }
  const requestId = attempt.request_id;
  switch (order.service) {
    case "airtime":
      return provider.buyAirtime({
        requestId,
        network: order.network as Network,
        phone: order.recipient,
        amountKobo: order.face_amount_kobo,
      });
    case "data":
      return provider.buyData({
        requestId,
        network: order.network as Network,
        phone: order.recipient,
        providerPlanId: attempt.provider_product_id,
      });
    case "cable":
      return provider.payCable({
        requestId,
        cable: cableOf(order),
        smartcard: order.recipient,
        providerPlanId: attempt.provider_product_id,
        amountKobo: order.face_amount_kobo,
        subscription: order.subscription ?? "change",
        phone: order.contact_phone ?? undefined,
      });
    default:
      return provider.payElectricity({
        requestId,
        providerDiscoId: attempt.provider_product_id,
        meterNumber: order.recipient,
        meterType: order.meter_type ?? "prepaid",
        amountKobo: order.face_amount_kobo,
        phone: order.contact_phone ?? undefined,
      });
  }
}

/** cable:dstv:compact → dstv */
function cableOf(order: VtuOrderRow): CableProvider {
  return order.product_id.split(":")[1] as CableProvider;
}

/**
 * Apply a provider's answer. Returns true when the order went back to `held` for failover and the
 * caller should submit it to the next provider.
 */
export async function applyResult(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  orderId: string;
  attemptId: number;
  kind: "submit" | "requery";
  result: VendResult;
  /** How long the provider took to answer (latency metrics); absent when not measured. */
  durationMs?: number;
}): Promise<boolean> {
  const { ctx, result } = args;
  return withTransaction(ctx, async (trx) => {
    const order = await lockOrder(trx, args.orderId);
    const attempt = await trx
      .selectFrom("vtu_attempts")
      .selectAll()
      .where("id", "=", args.attemptId)
      .forUpdate()
      .executeTakeFirst();
    if (!order || !attempt) {
      return false;
    }
    await trx
      .insertInto("vtu_provider_exchanges")
      .values({
        attempt_id: attempt.id,
        kind: args.kind,
        outcome: result.outcome,
        message: result.message.slice(0, 500),
        raw: JSON.parse(JSON.stringify(result.raw ?? {})) as Record<string, unknown>,
        duration_ms: args.durationMs === undefined ? null : Math.round(args.durationMs),
      })
      .execute();
    const now = ctx.now();
    const setAttempt = (values: { state: VtuAttemptRow["state"]; retry_elsewhere?: boolean }) =>
      trx
        .updateTable("vtu_attempts")
        .set({
          ...values,
          provider_reference: attempt.provider_reference ?? result.providerReference ?? null,
          message: result.message.slice(0, 500),
          updated_at: now,
        })
        .where("id", "=", attempt.id)
        .execute();

    // A late answer about an attempt that is already settled changes nothing, except a reversal.
    if (attempt.state === "delivered" || attempt.state === "failed") {
      if (result.outcome === "failed" && result.reversed && order.state === "delivered") {
        await reverseOrder(trx, ctx, order, result.message);
      } else if (result.outcome === "delivered" && order.state === "failed") {
        ctx.logger.error(
          { orderId: order.id, provider: attempt.provider },
          "provider reports delivery of an order we refunded",
        );
      }
      return false;
    }
    const orderOpen = ["submitting", "pending", "unknown", "manual_review"].includes(order.state);
    if (!orderOpen) {
      return false;
    }

    switch (result.outcome) {
      case "delivered":
        await setAttempt({ state: "delivered" });
        await deliverOrder(trx, ctx, order, { ...attempt, state: "delivered" }, result);
        return false;
      case "pending":
      case "unknown":
        await setAttempt({ state: result.outcome });
        await markUnresolved(
          trx,
          ctx,
          args.vtu,
          order,
          { ...attempt, provider_reference: attempt.provider_reference ?? result.providerReference ?? null },
          result.outcome,
          result.message,
        );
        return false;
      case "failed": {
        const age = now.getTime() - attempt.created_at.getTime();
        if (result.notFound && age < ctx.config.VTU_NOT_FOUND_GRACE_SECONDS * 1000) {
          // "No such transaction" right after sending may only mean it has not been recorded yet.
          await markUnresolved(trx, ctx, args.vtu, order, attempt, "unknown", result.message);
          return false;
        }
        // A purchase refused for the provider's own reasons (out of float) may go elsewhere. So may one
        // a requery reports failed: it was never vended there, whatever the reason (P4).
        const mayFailOver = (result.retryElsewhere || args.kind === "requery") && !result.reversed;
        await setAttempt({ state: "failed", retry_elsewhere: mayFailOver });
        if (mayFailOver) {
          const nextProvider = await hasUntriedProvider(trx, args.vtu, order);
          if (nextProvider) {
            // P4: nothing was vended here, so another provider may try with a new request id.
            await trx
              .updateTable("vtu_orders")
              // The backoff starts again for the new provider; the manual-review clock does not.
              .set({
                state: "held",
                message: null,
                requery_count: 0,
                next_check_at: new Date(now.getTime() + 15_000),
                updated_at: now,
              })
              .where("id", "=", order.id)
              .execute();
            return true;
          }
        }
        await failOrder(trx, ctx, order, result.message);
        return false;
      }
    }
  });
}

async function hasUntriedProvider(trx: Trx, vtu: VtuRuntime, order: VtuOrderRow): Promise<boolean> {
  const tried = await trx
    .selectFrom("vtu_attempts")
    .select("provider")
    .where("order_id", "=", order.id)
    .execute();
  const triedSet = new Set(tried.map((t) => t.provider));
  const { offers } = await getProductOffers(trx, order.product_id).catch(() => ({ offers: [] }));
  return offers.some((o) => !triedSet.has(o.provider) && vtu.providers.get(o.provider) !== undefined);
}

/** → pending/unknown: keep the hold, schedule the next requery; past the window → manual_review. */
async function markUnresolved(
  trx: Trx,
  ctx: ServiceContext,
  vtu: VtuRuntime,
  order: VtuOrderRow,
  attempt: VtuAttemptRow,
  state: "pending" | "unknown",
  providerMessage: string,
): Promise<void> {
  const now = ctx.now();
  if (attempt.state === "submitting") {
    await trx
      .updateTable("vtu_attempts")
      .set({ state, updated_at: now })
      .where("id", "=", attempt.id)
      .execute();
  }
  const since = order.unresolved_since ?? now;
  const overdue = now.getTime() - since.getTime() > ctx.config.VTU_MANUAL_REVIEW_AFTER_MINUTES * 60_000;
  const canAsk = canRequery(vtu, attempt);
  if (overdue || !canAsk || order.state === "manual_review") {
    await toManualReview(trx, ctx, { ...order, unresolved_since: since }, canAsk);
    return;
  }
  await trx
    .updateTable("vtu_orders")
    .set({
      state,
      unresolved_since: since,
      message: stateMessage(state),
      next_check_at: new Date(now.getTime() + requeryDelayMs(ctx, order.requery_count)),
      updated_at: now,
    })
    .where("id", "=", order.id)
    .execute();
  ctx.logger.info({ orderId: order.id, state, providerMessage }, "order unresolved; requery scheduled");
}

/** Funds stay held; requeries continue at the slowest rate when the provider can be asked at all. */
async function toManualReview(
  trx: Trx,
  ctx: ServiceContext,
  order: VtuOrderRow,
  canAsk: boolean,
): Promise<void> {
  const now = ctx.now();
  await trx
    .updateTable("vtu_orders")
    .set({
      state: "manual_review",
      unresolved_since: order.unresolved_since ?? now,
      message: stateMessage("manual_review"),
      next_check_at: canAsk ? new Date(now.getTime() + ctx.config.VTU_REQUERY_MAX_SECONDS * 1000) : null,
      updated_at: now,
    })
    .where("id", "=", order.id)
    .execute();
  if (order.state !== "manual_review") {
    ctx.logger.warn({ orderId: order.id }, "order moved to manual review; funds stay held");
  }
}

/** We can ask about an attempt by the provider's reference, or by our request id where it is honoured. */
function canRequery(
  vtu: VtuRuntime,
  attempt: Pick<VtuAttemptRow, "provider" | "provider_reference">,
): boolean {
  return (
    Boolean(attempt.provider_reference) || vtu.providers.get(attempt.provider)?.idempotentRequestIds === true
  );
}

/** Exponential backoff: base · 2^n, capped. */
export function requeryDelayMs(ctx: ServiceContext, requeryCount: number): number {
  const { VTU_REQUERY_BASE_SECONDS: base, VTU_REQUERY_MAX_SECONDS: max } = ctx.config;
  return Math.min(base * 2 ** Math.min(requeryCount, 20), max) * 1000;
}
