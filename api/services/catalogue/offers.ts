import type { Db } from "../context";
import { NotFoundError, ServiceError } from "../errors";
import type { VtuService } from "../vtu/provider";
import { discountedCost, type PricingRule, sellingPrice } from "./pricing";

export type ProductRow = {
  id: string;
  service: VtuService;
  network: string | null;
  biller: string | null;
  name: string;
  sizeMb: number | null;
  validityDays: number | null;
  family: string | null;
};

/** One provider's way to sell a product, in failover order. */
export type Offer = {
  provider: string;
  providerProductId: string;
  providerName: string | null;
  costKobo: number | null;
  faceAmountKobo: number | null;
  discountBps: number;
  /** The plan's own margin when an admin set one (it wins over the service rule); null otherwise. */
  planMarginType?: "flat" | "percent" | null;
  planMarginValue?: number | null;
};

/** A product with the providers that can sell it now (enabled, available), best first. */
export async function getProductOffers(
  db: Db,
  productId: string,
): Promise<{ product: ProductRow; offers: Offer[] }> {
  const product = await db
    .selectFrom("catalogue_products")
    .select([
      "id",
      "service",
      "network",
      "biller",
      "name",
      "size_mb as sizeMb",
      "validity_days as validityDays",
      "family",
    ])
    .where("id", "=", productId)
    .where("enabled", "=", true)
    .executeTakeFirst();
  if (!product) {
    throw new NotFoundError("That product", "PRODUCT_NOT_FOUND");
  }
  const offers = await sellableOffers(db).where("cp.id", "=", productId).execute();
  return { product: { ...product, service: product.service as VtuService }, offers };
}

/**
 * The one definition of "can be sold right now": an enabled product, a mapping the provider still
 * lists, an enabled provider. Rows are in failover order (provider priority), so the first row of
 * each product is the provider an order goes to first — the one whose cost sets the price.
 */
export function sellableOffers(db: Db) {
  return db
    .selectFrom("catalogue_products as cp")
    .innerJoin("provider_products as pp", "pp.product_id", "cp.id")
    .innerJoin("vtu_providers as p", "p.code", "pp.provider")
    .select([
      "cp.id",
      "cp.network",
      "cp.biller",
      "cp.name",
      "cp.size_mb as sizeMb",
      "cp.validity_days as validityDays",
      "cp.family",
      "pp.provider",
      "pp.provider_product_id as providerProductId",
      "pp.provider_name as providerName",
      "pp.cost_kobo as costKobo",
      "pp.face_amount_kobo as faceAmountKobo",
      "pp.discount_bps as discountBps",
      "cp.margin_type as planMarginType",
      "cp.margin_value as planMarginValue",
    ])
    .where("cp.enabled", "=", true)
    .where("pp.available", "=", true)
    .where("p.enabled", "=", true)
    .orderBy("p.priority")
    .orderBy("p.code");
}

export async function getPricingRule(db: Db, service: VtuService): Promise<PricingRule> {
  const row = await db
    .selectFrom("pricing_rules")
    .select(["margin_type", "margin_value"])
    .where("service", "=", service)
    .executeTakeFirst();
  if (!row) {
    throw new Error(`pricing rule for ${service} is missing; run the migrations`);
  }
  return { marginType: row.margin_type, marginValue: row.margin_value };
}

/**
 * The rule that prices an offer: the plan's own margin when an admin set one, else the service rule.
 * This is the only place the two meet, so every quote, listing and order agrees.
 */
export function effectiveRule(
  offer: Pick<Offer, "planMarginType" | "planMarginValue">,
  serviceRule: PricingRule,
): PricingRule {
  return offer.planMarginType && offer.planMarginValue !== null && offer.planMarginValue !== undefined
    ? { marginType: offer.planMarginType, marginValue: offer.planMarginValue }
    : serviceRule;
}

/**
 * A customer tier's prices (rewards/tiers.ts): per service, the margin that replaces the service
 * rule for its customers (absent: the Regular price).
 */
export type TierPricing = { code: string; margins: Partial<Record<VtuService, PricingRule | null>> };

/**
 * What an offer costs us and what we charge for it (the plan's margin override, if any, wins over
 * `rule`, the service's). `faceAmountKobo` is the customer's chosen amount
 * for airtime and electricity; data and cable have a fixed face (their cost / bouquet price).
 * With a `tier`, its margin for the service replaces the rule, but a customer never pays more than
 * the Regular price: min(tier price, regular price), so a plan's own lower margin still applies
 * (DECISIONS §62).
 */
export function priceOffer(args: {
  service: VtuService;
  offer: Offer;
  rule: PricingRule;
  faceAmountKobo?: number;
  tier?: TierPricing | null;
}): { faceAmountKobo: number; costKobo: number; priceKobo: number } {
  const { service, offer, rule } = args;
  let face: number;
  let cost: number;
  if (service === "data") {
    if (offer.costKobo === null) {
      throw unpriced(offer);
    }
    cost = offer.costKobo;
    face = offer.costKobo;
  } else if (service === "cable") {
    if (offer.faceAmountKobo === null) {
      throw unpriced(offer);
    }
    face = offer.faceAmountKobo;
    cost = offer.costKobo ?? discountedCost(face, offer.discountBps);
  } else {
    if (args.faceAmountKobo === undefined) {
      throw new Error(`${service} needs an amount`);
    }
    face = args.faceAmountKobo;
    cost = discountedCost(face, offer.discountBps);
  }
  const regular = sellingPrice({
    service,
    costKobo: cost,
    faceAmountKobo: face,
    rule: effectiveRule(offer, rule),
  });
  const tierRule = args.tier?.margins[service];
  return {
    faceAmountKobo: face,
    costKobo: cost,
    priceKobo: tierRule
      ? Math.min(regular, sellingPrice({ service, costKobo: cost, faceAmountKobo: face, rule: tierRule }))
      : regular,
  };
}

function unpriced(offer: Offer) {
  return new ServiceError(
    "unavailable",
    "PRODUCT_UNPRICED",
    `This product has no price at ${offer.provider} yet. Try again after the next catalogue sync.`,
  );
}
