import type { Db, Trx } from "../context";
import type { PgListener } from "../pg-listener";
import type { VtuService } from "../vtu/provider";
import { getPricingRule, getProductOffers, type Offer, type ProductRow } from "./offers";
import type { PricingRule } from "./pricing";

/** The channel the catalogue tables' triggers notify on any change (db migration 2026_12_06_1300). */
export const CATALOGUE_CHANGED_CHANNEL = "catalogue_changed";

type Entry<T> = { value: T; epoch: number; generation: number };

/**
 * What an order is priced from (a product's sellable offers in failover order, a service's pricing
 * rule), kept per process for the order path: the same reads `getProductOffers`/`getPricingRule`
 * make, answered from memory while they cannot be stale. An entry is trusted only while the
 * listener hears `catalogue_changed` and since before the entry was read: any change to the
 * catalogue, a plan's margin, a pricing rule or a provider's enabled flag or priority (another
 * process's included) empties the cache on commit; while the connection is down, every read goes
 * to the database as before. A read that raced a change is not kept.
 */
export class CatalogueCache {
  private readonly offersById = new Map<string, Entry<{ product: ProductRow; offers: Offer[] }>>();
  private readonly rules = new Map<VtuService, Entry<PricingRule>>();
  private generation = 0;

  constructor(private readonly listener: PgListener) {
    listener.on(CATALOGUE_CHANGED_CHANNEL, () => this.clear());
    listener.onReconnect(() => this.clear());
  }

  /** `getProductOffers` through the cache (errors, e.g. an unknown product, are not kept). */
  offers(db: Db | Trx, productId: string): Promise<{ product: ProductRow; offers: Offer[] }> {
    return this.read(this.offersById, productId, () => getProductOffers(db, productId));
  }

  /** `getPricingRule` through the cache. */
  rule(db: Db | Trx, service: VtuService): Promise<PricingRule> {
    return this.read(this.rules, service, () => getPricingRule(db, service));
  }

  private clear(): void {
    this.generation++;
    this.offersById.clear();
    this.rules.clear();
  }

  private async read<K, T>(map: Map<K, Entry<T>>, key: K, load: () => Promise<T>): Promise<T> {
    const epoch = this.listener.epoch;
    const generation = this.generation;
    const hit = map.get(key);
    if (hit && this.listener.listening && hit.epoch === epoch && hit.generation === generation) {
      return hit.value;
    }
    const value = await load();
    // Kept only if nothing changed while it was read and the listener was up all along.
    if (this.listener.listening && this.listener.epoch === epoch && this.generation === generation) {
      map.set(key, { value, epoch, generation });
    }
    return value;
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
