import type { ServiceContext } from "../context";
import { ServiceError, ValidationError } from "../errors";
import { formatNaira } from "../money";
import { verifyPin } from "../pins";
import { createOrder, type OrderInput, priceProduct } from "../vtu/create-order";
import type { OrderDto } from "../vtu/order-dto";
import { quoteByAmount } from "../vtu/quote";
import type { VtuRuntime } from "../vtu/runtime";
import { formatPoints, type Redemption, redeemPoints } from "./points";
import { getPointsRules } from "./points-rules";
import { getCustomerTier, tierPricing } from "./tiers";

type PurchaseWithPoints = Extract<OrderInput, { service: "airtime" } | { service: "data" }>;

/**
 * Airtime or data bought with points (issue 18 §2, "directly for airtime/data at a published
 * rate"): the points that cover the price (rounded up to a whole point) become wallet money, then
 * the purchase is an ordinary wallet order with the customer's Idempotency-Key. Both steps are
 * idempotent, so a retried request repeats neither. The PIN is checked before any point moves. If
 * the order is refused after the points were redeemed (the network confirmation, say), the money
 * stays in the wallet and the error says so: nothing is lost, and buying again needs no points.
 */
export async function buyWithPoints(args: {
  ctx: ServiceContext;
  vtu: VtuRuntime;
  userId: string;
  actor: string;
  channel: string;
  idempotencyKey: string;
  order: PurchaseWithPoints;
}): Promise<{ redemption: Redemption; order: OrderDto; replayed: boolean }> {
  const { ctx, vtu, userId } = args;
  const priceKobo = await priceOf(ctx, vtu, userId, args.order);
  const rules = await getPointsRules(ctx, ctx.db);
  const points = Math.ceil(priceKobo / rules.pointValueKobo);
  await verifyPin({ ctx, userId, pin: args.order.input.pin });
  const redemption = await redeemPoints({
    ctx,
    userId,
    points,
    idempotencyKey: `${args.idempotencyKey}:points`,
    actor: args.actor,
    redeemedFor: args.order.service,
    skipMinimum: true,
  }).catch((error: unknown) => {
    if (error instanceof ServiceError && error.code === "POINTS_INSUFFICIENT") {
      const balance = Number(error.details?.balance ?? 0);
      throw new ServiceError(
        error.kind,
        error.code,
        `This ${args.order.service} costs ${formatNaira(priceKobo)}, which is ${formatPoints(points)} points; you have ${formatPoints(Math.max(balance, 0))}.`,
        { ...error.details, priceKobo },
      );
    }
    throw error;
  });
  try {
    const placed = await createOrder({
      ctx,
      vtu,
      userId,
      actor: args.actor,
      channel: args.channel,
      idempotencyKey: args.idempotencyKey,
      order: args.order,
    });
    return { redemption, ...placed };
  } catch (error) {
    if (error instanceof ServiceError) {
      const kept = `Your ${formatPoints(redemption.points)} points became ${formatNaira(redemption.creditKobo)} in your wallet, which you can use for the purchase.`;
      throw new ServiceError(error.kind, error.code, `${error.message} ${kept}`, error.details);
    }
    throw error;
  }
}

/** The price the order will charge: the customer's tier prices it (tiers.ts), as createOrder does. */
async function priceOf(
  ctx: ServiceContext,
  vtu: VtuRuntime,
  userId: string,
  order: PurchaseWithPoints,
): Promise<number> {
  if (order.service === "airtime") {
    const network = order.input.network;
    if (!network) {
      throw new ValidationError(
        'Send "network" (mtn, glo, airtel or 9mobile) with airtime bought with points: the network is confirmed before any point is spent.',
        { field: "network" },
        "NETWORK_CONFIRMATION_REQUIRED",
      );
    }
    const quote = await quoteByAmount({
      ctx,
      service: "airtime",
      productId: `airtime:${network}`,
      amountKobo: order.input.amountKobo,
      userId,
    });
    return quote.priceKobo;
  }
  const tier = tierPricing(await getCustomerTier(ctx.db, userId));
  const { priced } = await priceProduct(ctx, order.input.planId, "data", undefined, vtu.catalogue, tier);
  return priced.priceKobo;
}
