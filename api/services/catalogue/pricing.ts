import type { VtuService } from "../vtu/provider";

export type PricingRule = { marginType: "flat" | "percent"; marginValue: number };

/**
 * The one pricing rule (DESIGN §6): selling price = provider cost + margin.
 * - Data plans carry a cost in kobo.
 * - Airtime, electricity and cable are sold by face amount; their cost is the face amount less the
 *   provider's discount.
 * - Airtime never sells above its face value: a customer paying ₦101 for ₦100 of airtime would
 *   rightly feel cheated, so the margin is whatever is left of the discount.
 * All integer kobo; fractions round up in our favour by at most one kobo.
 */
export function sellingPrice(args: {
  service: VtuService;
  costKobo: number;
  faceAmountKobo: number;
  rule: PricingRule;
}): number {
  const { costKobo, rule } = args;
  const margin =
    rule.marginType === "flat" ? rule.marginValue : Math.ceil((costKobo * rule.marginValue) / 10_000);
  const price = costKobo + margin;
  return args.service === "airtime" ? Math.min(price, args.faceAmountKobo) : price;
}

/** Face amount less a discount in basis points (3% = 300), rounded up to whole kobo. */
export function discountedCost(faceAmountKobo: number, discountBps: number): number {
  return Math.ceil((faceAmountKobo * (10_000 - discountBps)) / 10_000);
}
