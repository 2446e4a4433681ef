import type { Db, Trx } from "../context";
import { NotifiedCache } from "../notified-cache";
import type { PgListener } from "../pg-listener";
import type { VtuService } from "../vtu/provider";
import { getPricingRule, getProductOffers, type Offer, type ProductRow } from "./offers";
import type { PricingRule } from "./pricing";

/** The channel the catalogue tables' triggers notify on any change (db migration 2026_12_06_1300). */
export const CATALOGUE_CHANGED_CHANNEL = "catalogue_changed";

/**
 * What an order is priced from (a product's sellable offers in failover order, a service's pricing
 * rule), kept per process for the order path: the same reads `getProductOffers`/`getPricingRule`
 * make, answered from memory while they cannot be stale (notified-cache.ts). Any change to the
 * catalogue, a plan's margin, a pricing rule or a provider's enabled flag or priority (another
 * process's included) empties the cache on commit.
 */
export class CatalogueCache {
  private readonly offersById: NotifiedCache<string, { product: ProductRow; offers: Offer[] }>;
  private readonly rules: NotifiedCache<VtuService, PricingRule>;

  constructor(listener: PgListener) {
    this.offersById = new NotifiedCache(listener);
    this.rules = new NotifiedCache(listener);
    listener.on(CATALOGUE_CHANGED_CHANNEL, () => {
      this.offersById.clear();
      this.rules.clear();
    });
  }

  /** `getProductOffers` through the cache (errors, e.g. an unknown product, are not kept). */
  offers(db: Db | Trx, productId: string): Promise<{ product: ProductRow; offers: Offer[] }> {
    return this.offersById.read(productId, () => getProductOffers(db, productId));
  }

  /** `getPricingRule` through the cache. */
  rule(db: Db | Trx, service: VtuService): Promise<PricingRule> {
    return this.rules.read(service, () => getPricingRule(db, service));
  }
}

/** Read through `cache` when the runtime has one, else from the database (tests, scripts). */
export function offersFor(
  cache: CatalogueCache | undefined,
  db: Db | Trx,
  productId: string,
): Promise<{ product: ProductRow; offers: Offer[] }> {
  return cache ? cache.offers(db, productId) : getProductOffers(db, productId);
}

export function ruleFor(
  cache: CatalogueCache | undefined,
  db: Db | Trx,
  service: VtuService,
): Promise<PricingRule> {
  return cache ? cache.rule(db, service) : getPricingRule(db, service);
}
