import type { Db, Trx } from "../context";
import { NotifiedCache } from "../notified-cache";
import type { PgListener } from "../pg-listener";
import type { VtuService } from "../vtu/provider";
import { getPricingRule, getProductOffers, type Offer, type ProductRow, type TierPricing } from "./offers";
import type { PricingRule } from "./pricing";

/** The channel the catalogue tables' triggers notify on any change (db migration 2026_12_06_1300). */
export const CATALOGUE_CHANGED_CHANNEL = "catalogue_changed";

/** The channel a customer's tier change notifies (their id), or the tier rules' ("*"): db 2026_12_07_1000. */
export const TIER_CHANGED_CHANNEL = "tier_changed";

/** Customers whose tier is kept at most: one per recent buyer; the oldest make room. */
const MAX_TIERS = 50_000;

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
  /** Each buyer's tier pricing (rewards/tiers.ts `tierPricingFor`), forgotten when it changes. */
  private readonly tiers: NotifiedCache<string, TierPricing>;
  private readonly tiersHeard: boolean;

  constructor(listener: PgListener) {
    this.offersById = new NotifiedCache(listener);
    this.rules = new NotifiedCache(listener);
    this.tiers = new NotifiedCache(listener, MAX_TIERS);
    listener.on(CATALOGUE_CHANGED_CHANNEL, () => {
      this.offersById.clear();
      this.rules.clear();
    });
    // Older processes' listeners may not listen to it (tests with their own channel lists): then
    // nothing is kept, as the cache only trusts what it can hear about.
    this.tiersHeard = listener.listensTo(TIER_CHANGED_CHANNEL);
    if (this.tiersHeard) {
      listener.on(TIER_CHANGED_CHANNEL, (userId) => {
        if (userId === "*") {
          this.tiers.clear();
        } else {
          this.tiers.forget(userId);
        }
      });
    }
  }

  /** A customer's tier pricing through the cache, when its changes can be heard; else `load`. */
  tier(userId: string, load: () => Promise<TierPricing>): Promise<TierPricing> {
    return this.tiersHeard ? this.tiers.read(userId, load) : load();
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
