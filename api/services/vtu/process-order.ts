import { sql } from "kysely";
import type { VtuAttemptRow, VtuOrderRow } from "../../../db/database";
import { priceOffer } from "../catalogue/offers";
import { offersFor, ruleFor } from "../catalogue/order-cache";
import { type ServiceContext, type Trx, withTransaction } from "../context";
import { isOwnerGone } from "../processes";
import { exactJsonText, storableOptional, storableText } from "../storable-text";
import { stateMessage } from "./order-dto";
import type { CableProvider, Network, VendResult, VtuProvider } from "./provider";
import { newRequestId } from "./request-id";
import type { SubmitPlan, VtuRuntime } from "./runtime";
import { deliverInOneCall, deliverOrder, failOrder, reverseOrder } from "./transitions";
import { scheduleNextVerification } from "./verify-delivery";

/**
 * Drive orders through DESIGN §6. Two verbs, both safe to run twice or concurrently (BullMQ delivers
 * at least once): each starts with a short transaction that locks the order, decides, and records a
 * lease (`lease_owner` = this process's boot, until `next_check_at`, or `verify_due_at` for a
 * delivered order) before any provider call; the call happens outside any transaction; a second short
 * transaction applies the answer only if the attempt is still the one in flight. A lease ends with
 * its time, or at once when its owner is known to be gone (processes.ts).
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
  /** The order's product and amount as its creator wrote them: the first step in one statement. */
  plan?: SubmitPlan;
}): Promise<void> {
  const { ctx, vtu, orderId } = args;
  // One provider per pass; a failover puts the order back to `held` and loops (bounded by providers).
  for (let pass = 0; pass <= vtu.providers.all().length; pass++) {
    const quick =
      pass === 0 && args.plan ? await beginSubmitInOneCall(ctx, vtu, orderId, args.plan) : undefined;
    const step = quick ?? (await withTransaction(ctx, (trx) => planSubmit(trx, ctx, vtu, orderId)));
    if (step.kind === "done") {
      return;
    }
    const started = performance.now();
    const result = await callProvider(step);
    const again = await applyResult({
      ctx,
      vtu,
      orderId,
      order: step.order,
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
    order: step.order,
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
    if (!attempt || !provider || (await leaseIsLive(trx, ctx, order.lease_owner, order.next_check_at))) {
      return { kind: "done" }; // another worker holds the lease
    }
    // The last worker died after committing the attempt; we cannot know whether its request left.
    if (provider.idempotentRequestIds) {
      // P1: the provider de-duplicates on request_id, so re-sending the same one vends at most once.
      await trx
        .updateTable("vtu_orders")
        .set({ next_check_at: leaseUntil(ctx), lease_owner: leaseOwner(vtu), updated_at: now })
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
  const { product, offers } = await offersFor(vtu.catalogue, trx, order.product_id).catch(() => ({
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
  const rule = await ruleFor(vtu.catalogue, trx, order.service);
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
      lease_owner: leaseOwner(vtu),
      updated_at: now,
    })
    .where("id", "=", orderId)
    .execute();
  return { kind: "call", order: { ...order, state: "submitting" }, attempt, provider, call: "submit" };
}

/**
 * planSubmit's usual case (a held order, a provider not tried yet) as one statement,
 * `vtu_begin_submit` (db migration 2026_12_06_1700): the offers are priced here from the plan, the
 * function checks the plan against the order row and writes the attempt and the lease. Undefined,
 * with nothing written, for anything else (the general path then decides, e.g. fails the order
 * when no provider is left).
 */
async function beginSubmitInOneCall(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  orderId: string,
  plan: SubmitPlan,
): Promise<Step | undefined> {
  if (ctx.db.isTransaction) {
    return undefined;
  }
  try {
    const { offers } = await offersFor(vtu.catalogue, ctx.db, plan.productId);
    const rule = await ruleFor(vtu.catalogue, ctx.db, plan.service);
    const candidates = offers
      .filter((offer) => vtu.providers.get(offer.provider))
      .map((offer, n) => ({
        n,
        provider: offer.provider,
        provider_product_id: offer.providerProductId,
        cost_kobo: priceOffer({ service: plan.service, offer, rule, faceAmountKobo: plan.faceAmountKobo })
          .costKobo,
      }));
    if (candidates.length === 0) {
      return undefined;
    }
    const now = ctx.now();
    const { rows } = await sql<{ step: { order: JsonRow; attempt: JsonRow } | null }>`
      SELECT vtu_begin_submit(${orderId}, ${plan.productId}, ${plan.faceAmountKobo}::bigint,
                              ${JSON.stringify(candidates)}::jsonb, ${newRequestId(now)}, ${leaseUntil(ctx)}::timestamptz,
                              ${leaseOwner(vtu)}, ${now}::timestamptz) AS step`.execute(ctx.db);
    const step = rows[0]?.step;
    if (!step) {
      return undefined;
    }
    const attempt = fromJsonRow<VtuAttemptRow>(step.attempt);
    const provider = vtu.providers.get(attempt.provider);
    if (!provider) {
      throw new Error(`provider ${attempt.provider} is not registered`);
    }
    return { kind: "call", order: fromJsonRow<VtuOrderRow>(step.order), attempt, provider, call: "submit" };
  } catch (error) {
    ctx.logger.warn({ err: error, orderId }, "one-call submit failed; taking the step by statements");
    return undefined;
  }
}

type JsonRow = Record<string, unknown>;

/** A row the database sent as JSON (to_jsonb): its timestamps (…_at, …_since) made Dates again. */
function fromJsonRow<T>(json: JsonRow): T {
  const row: JsonRow = {};
  for (const [key, value] of Object.entries(json)) {
    row[key] = typeof value === "string" && /_(at|since)$/.test(key) ? new Date(value) : value;
  }
  return row as T;
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
  const delivered = order?.state === "delivered" && includeDelivered;
  if (!order || !(unresolved || delivered)) {
    return { kind: "done" };
  }
  const leaseEnds = delivered ? order.verify_due_at : order.next_check_at;
  if (order.lease_owner && (await leaseIsLive(trx, ctx, order.lease_owner, leaseEnds))) {
    return { kind: "done" }; // someone is asking the provider right now
  }
  const attempt = await liveAttempt(trx, orderId);
  const provider = attempt ? vtu.providers.get(attempt.provider) : undefined;
  if (!attempt || !provider) {
    return { kind: "done" };
  }
  if (!canRequery(vtu, attempt)) {
    // Nothing to ask with (e.g. an Inlomax timeout returns no reference): people must reconcile it.
    if (delivered) {
      await trx.updateTable("vtu_orders").set({ verify_due_at: null }).where("id", "=", orderId).execute();
    } else if (order.state !== "manual_review") {
      await toManualReview(trx, ctx, order, false);
    }
    return { kind: "done" };
  }
  if (delivered) {
    // A post-delivery check: the lease is the verification time, so the sweeper leaves it alone.
    await trx
      .updateTable("vtu_orders")
      .set({ verify_due_at: leaseUntil(ctx), lease_owner: leaseOwner(vtu), updated_at: ctx.now() })
      .where("id", "=", orderId)
      .execute();
  } else {
    await trx
      .updateTable("vtu_orders")
      .set((eb) => ({
        requery_count: eb("requery_count", "+", 1),
        next_check_at: leaseUntil(ctx),
        lease_owner: leaseOwner(vtu),
        updated_at: ctx.now(),
      }))
      .where("id", "=", orderId)
      .execute();
  }
  return { kind: "call", order, attempt, provider, call: "requery" };
}

/** Who holds a lease taken by this process: its boot id, or "local" for runtimes without one. */
function leaseOwner(vtu: VtuRuntime): string {
  return vtu.owner ?? "local";
}

/** A lease holds until its time, unless its owner is known to be gone (a crash, a restart). */
async function leaseIsLive(
  trx: Trx,
  ctx: ServiceContext,
  owner: string | null,
  until: Date | null,
): Promise<boolean> {
  if (!until || until <= ctx.now()) {
    return false;
  }
  return !(await isOwnerGone(ctx, trx, owner));
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
 *
 * The answer is stored before anything is decided (item: a provider answer is never lost): display
 * fields lose the characters PostgreSQL refuses, the raw exchange is kept as exact JSON text. If the
 * answer still cannot be applied, the order is escalated rather than left waiting for a lease.
 */
export type ProviderAnswer = {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  orderId: string;
  /** The order as the step that asked the provider read it: lets a delivery take its one-call path. */
  order?: VtuOrderRow;
  attemptId: number;
  kind: "submit" | "requery";
  result: VendResult;
  /** How long the provider took to answer (latency metrics); absent when not measured. */
  durationMs?: number;
};

export async function applyResult(args: ProviderAnswer): Promise<boolean> {
  const result = storableResult(args.result);
  if (result.outcome === "delivered" && args.order && !args.ctx.db.isTransaction) {
    // The usual answer in one statement; anything unusual (or an error) goes the general way below.
    const delivered = await deliverUsualCase(args, args.order, result);
    if (delivered) {
      return false;
    }
  }
  try {
    return await withTransaction(args.ctx, (trx) => applyInTransaction(trx, { ...args, result }));
  } catch (error) {
    if (args.ctx.db.isTransaction) {
      throw error; // the caller's transaction is already lost; it decides
    }
    args.ctx.logger.error(
      { err: error, orderId: args.orderId, attemptId: args.attemptId, outcome: result.outcome },
      "could not apply a provider's answer; escalating the order",
    );
    await escalateUnappliedAnswer(args, result, error);
    return false;
  }
}

async function deliverUsualCase(
  args: ProviderAnswer,
  order: VtuOrderRow,
  result: VendResult,
): Promise<boolean> {
  try {
    const planName =
      order.service === "data"
        ? (await offersFor(args.vtu.catalogue, args.ctx.db, order.product_id)).product.name
        : undefined;
    return await deliverInOneCall(args.ctx, {
      order,
      attemptId: args.attemptId,
      kind: args.kind,
      result,
      durationMs: args.durationMs,
      planName,
    });
  } catch (error) {
    args.ctx.logger.warn(
      { err: error, orderId: args.orderId },
      "one-call delivery failed; applying the answer step by step",
    );
    return false;
  }
}

async function applyInTransaction(trx: Trx, args: ProviderAnswer): Promise<boolean> {
  const { ctx, result } = args;
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
  await recordExchange(trx, attempt.id, args.kind, result, args.durationMs);
  const now = ctx.now();
  // The lease of the step this answer ends is released by whichever transition the answer leads to
  // (each sets lease_owner to null); an answer that changes nothing leaves another step's lease alone.
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

  if (attempt.state === "delivered" && order.state === "delivered") {
    await applyAfterDelivery(trx, ctx, order, args.kind, result);
    return false;
  }
  // A late answer about an attempt that is already settled changes nothing.
  if (attempt.state === "delivered" || attempt.state === "failed") {
    if (result.outcome === "delivered" && order.state === "failed") {
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
              // This process sends it on at once (submitOrder loops); if it dies first, the sweeper does.
              lease_owner: leaseOwner(args.vtu),
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
}

/**
 * The provider that delivered an order answered about it again (a scheduled post-delivery check,
 * a webhook's requery, an admin's). A definite failure or reversal from it is a reversal: the
 * customer gets the money back once. "Not found" proves nothing for a delivery it confirmed earlier,
 * and neither does a timeout or "pending": those are asked again later.
 */
async function applyAfterDelivery(
  trx: Trx,
  ctx: ServiceContext,
  order: VtuOrderRow,
  kind: "submit" | "requery",
  result: VendResult,
): Promise<void> {
  if (kind === "requery" && result.outcome === "failed" && !result.notFound) {
    await reverseOrder(trx, ctx, order, result.message);
    return;
  }
  await scheduleNextVerification(trx, ctx, order, result.outcome === "delivered" ? "confirmed" : "unclear");
}

async function recordExchange(
  trx: Trx,
  attemptId: number,
  kind: "submit" | "requery",
  result: VendResult,
  durationMs: number | undefined,
): Promise<void> {
  await trx
    .insertInto("vtu_provider_exchanges")
    .values({
      attempt_id: attemptId,
      kind,
      outcome: result.outcome,
      message: result.message.slice(0, 500),
      raw: exactJsonText(result.raw),
      duration_ms: durationMs === undefined ? null : Math.round(durationMs),
    })
    .execute();
}

/** Every text a provider sent that we keep in a column people read, made storable (raw stays exact). */
function storableResult(result: VendResult): VendResult {
  const optional = (value: string | undefined) => storableOptional(value) ?? undefined;
  return {
    ...result,
    message: storableText(result.message),
    providerReference: optional(result.providerReference),
    token: optional(result.token),
    units: optional(result.units),
    customerName: optional(result.customerName),
  };
}

/**
 * The answer could not be applied (a database error we did not foresee). What it said is unknown
 * to the ledger, so the order must not wait quietly: it goes to manual review with its funds held,
 * the exchange is recorded as far as possible, and requeries continue where the provider can be
 * asked. Re-asking later is safe: every transition checks the state it starts from.
 */
async function escalateUnappliedAnswer(
  args: {
    ctx: ServiceContext;
    vtu: VtuRuntime;
    orderId: string;
    attemptId: number;
    kind: "submit" | "requery";
  },
  result: VendResult,
  error: unknown,
): Promise<void> {
  const { ctx } = args;
  const reason = `The provider's answer (${result.outcome}) could not be recorded: ${storableText(String((error as Error)?.message ?? error)).slice(0, 300)}`;
  await withTransaction(ctx, async (trx) => {
    const order = await lockOrder(trx, args.orderId);
    if (!order) {
      return;
    }
    await recordExchange(
      trx,
      args.attemptId,
      args.kind,
      { outcome: "unknown", message: reason, raw: { durationMs: result.raw.durationMs, error: reason } },
      result.raw.durationMs,
    );
    const attempt = await trx
      .selectFrom("vtu_attempts")
      .selectAll()
      .where("id", "=", args.attemptId)
      .executeTakeFirst();
    if (order.state === "delivered") {
      // A post-delivery check: keep watching rather than escalate a delivered order.
      await trx.updateTable("vtu_orders").set({ lease_owner: null }).where("id", "=", order.id).execute();
      await scheduleNextVerification(trx, ctx, order, "unclear");
      return;
    }
    if (!["submitting", "pending", "unknown", "manual_review"].includes(order.state)) {
      return;
    }
    if (attempt?.state === "submitting") {
      await trx
        .updateTable("vtu_attempts")
        .set({ state: "unknown", message: reason.slice(0, 500), updated_at: ctx.now() })
        .where("id", "=", attempt.id)
        .execute();
    }
    await trx.updateTable("vtu_orders").set({ lease_owner: null }).where("id", "=", order.id).execute();
    await toManualReview(trx, ctx, order, attempt ? canRequery(args.vtu, attempt) : false);
  });
}

async function hasUntriedProvider(trx: Trx, vtu: VtuRuntime, order: VtuOrderRow): Promise<boolean> {
  const tried = await trx
    .selectFrom("vtu_attempts")
    .select("provider")
    .where("order_id", "=", order.id)
    .execute();
  const triedSet = new Set(tried.map((t) => t.provider));
  const { offers } = await offersFor(vtu.catalogue, trx, order.product_id).catch(() => ({ offers: [] }));
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
      lease_owner: null,
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
      lease_owner: null,
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
