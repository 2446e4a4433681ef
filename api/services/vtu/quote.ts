import { getPricingRule, getProductOffers, priceOffer } from "../catalogue/offers";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { Network } from "./provider";

/** What an airtime purchase would cost now (shown before the customer confirms). */
export async function quoteAirtime(args: {
  ctx: ServiceContext;
  network: Network;
  amountKobo: number;
}): Promise<{ productName: string; faceAmountKobo: number; priceKobo: number }> {
  const { product, offers } = await getProductOffers(args.ctx.db, `airtime:${args.network}`);
  const offer = offers[0];
  if (!offer) {
    throw new ServiceError(
      "unavailable",
      "PRODUCT_UNAVAILABLE",
      `${product.name} is not available right now. Try again later.`,
    );
  }
  const rule = await getPricingRule(args.ctx.db, "airtime");
  const priced = priceOffer({ service: "airtime", offer, rule, faceAmountKobo: args.amountKobo });
  return { productName: product.name, faceAmountKobo: priced.faceAmountKobo, priceKobo: priced.priceKobo };
}
