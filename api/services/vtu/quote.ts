import { getPricingRule, getProductOffers, priceOffer } from "../catalogue/offers";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import { getCustomerTier, tierPricing } from "../rewards/tiers";

/**
 * What a purchase by amount (airtime, electricity) would cost now, shown before the customer
 * confirms. The order itself is priced again from the database when it is placed.
 */
export async function quoteByAmount(args: {
  ctx: ServiceContext;
  service: "airtime" | "electricity";
  productId: string;
  amountKobo: number;
  /** The customer whose tier prices it (the price the order will charge); absent: Regular. */
  userId?: string;
}): Promise<{ productName: string; faceAmountKobo: number; priceKobo: number }> {
  const { product, offers } = await getProductOffers(args.ctx.db, args.productId);
  const offer = offers[0];
  if (!offer) {
    throw new ServiceError(
      "unavailable",
      "PRODUCT_UNAVAILABLE",
      `${product.name} is not available right now. Try again later.`,
    );
  }
  const [rule, tier] = await Promise.all([
    getPricingRule(args.ctx.db, args.service),
    args.userId ? getCustomerTier(args.ctx.db, args.userId).then(tierPricing) : null,
  ]);
  const priced = priceOffer({ service: args.service, offer, rule, faceAmountKobo: args.amountKobo, tier });
  return { productName: product.name, faceAmountKobo: priced.faceAmountKobo, priceKobo: priced.priceKobo };
}
