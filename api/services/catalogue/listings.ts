import type { ServiceContext } from "../context";
import { ValidationError } from "../errors";
import { getCustomerTier, tierPricing } from "../rewards/tiers";
import {
  CABLE_PROVIDERS,
  type CableProvider,
  NETWORKS,
  type Network,
  type VtuService,
} from "../vtu/provider";
import { cached } from "./cache";
import { DISCO_NAMES } from "./normalize";
import { getPricingRule, type Offer, priceOffer, sellableOffers, type TierPricing } from "./offers";

export type DataPlanDto = {
  id: string;
  network: Network;
  name: string;
  sizeMb: number;
  validityDays: number;
  family: string;
  priceKobo: number;
};
export type BouquetDto = {
  id: string;
  cable: CableProvider;
  name: string;
  priceKobo: number;
  faceAmountKobo: number;
};
export type DiscoDto = { id: string; disco: string; name: string; meterTypes: ["prepaid", "postpaid"] };
export type AirtimeDto = { id: string; network: Network; name: string; minKobo: number; maxKobo: number };

export function parseNetwork(value: string): Network {
  const network = value.toLowerCase() as Network;
  if (!NETWORKS.includes(network)) {
    throw new ValidationError(`"${value}" is not a network we sell. Use one of: ${NETWORKS.join(", ")}.`, {
      field: "network",
    });
  }
  return network;
}

export function parseCableProvider(value: string): CableProvider {
  const cable = value.toLowerCase() as CableProvider;
  if (!CABLE_PROVIDERS.includes(cable)) {
    throw new ValidationError(
      `"${value}" is not a cable provider we sell. Use one of: ${CABLE_PROVIDERS.join(", ")}.`,
      {
        field: "provider",
      },
    );
  }
  return cable;
}

/** Rows of (product, its best offer) for a service, priced with the current rule. */
async function bestOffers(
  ctx: ServiceContext,
  service: VtuService,
  filter?: { network?: string; biller?: string },
) {
  const rows = await sellableOffers(ctx.db)
    .where("cp.service", "=", service)
    .$if(filter?.network !== undefined, (q) => q.where("cp.network", "=", filter?.network ?? ""))
    .$if(filter?.biller !== undefined, (q) => q.where("cp.biller", "=", filter?.biller ?? ""))
    .execute();
  // First row per product = the provider an order would go to first; it sets the price.
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (seen.has(r.id)) {
      return false;
    }
    seen.add(r.id);
    return true;
  });
}

/**
 * Whose prices a listing shows: a customer's tier (`tier`, or read from `userId`), else Regular.
 * The chat and the API show the price the order will charge (priceOffer with the same tier).
 */
export type ListingBuyer = { userId?: string; tier?: TierPricing | null };

async function buyerTier(ctx: ServiceContext, buyer: ListingBuyer): Promise<TierPricing | null> {
  if (buyer.tier !== undefined) {
    return buyer.tier;
  }
  return buyer.userId ? tierPricing(await getCustomerTier(ctx.db, buyer.userId)) : null;
}

export async function listDataPlans(
  args: { ctx: ServiceContext; network: string } & ListingBuyer,
): Promise<DataPlanDto[]> {
  const network = parseNetwork(args.network);
  const tier = await buyerTier(args.ctx, args);
  const key = `data:${network}:${tier?.code ?? "-"}`;
  return cached(key, args.ctx.config.CATALOGUE_CACHE_TTL_SECONDS, async () => {
    const rule = await getPricingRule(args.ctx.db, "data");
    const rows = await bestOffers(args.ctx, "data", { network });
    return rows
      .map((r) => ({
        id: r.id,
        network,
        name: r.name,
        sizeMb: r.sizeMb ?? 0,
        validityDays: r.validityDays ?? 0,
        family: r.family ?? "",
        priceKobo: priceOffer({ service: "data", offer: r as Offer, rule, tier }).priceKobo,
      }))
      .sort((a, b) => a.priceKobo - b.priceKobo || a.id.localeCompare(b.id));
  });
}

export async function listCableBouquets(
  args: { ctx: ServiceContext; provider?: string } & ListingBuyer,
): Promise<BouquetDto[]> {
  const cable = args.provider === undefined ? undefined : parseCableProvider(args.provider);
  const tier = await buyerTier(args.ctx, args);
  const key = `cable:${cable ?? "*"}:${tier?.code ?? "-"}`;
  return cached(key, args.ctx.config.CATALOGUE_CACHE_TTL_SECONDS, async () => {
    const rule = await getPricingRule(args.ctx.db, "cable");
    const rows = await bestOffers(args.ctx, "cable", cable ? { biller: cable } : undefined);
    return rows
      .map((r) => {
        const priced = priceOffer({ service: "cable", offer: r as Offer, rule, tier });
        return {
          id: r.id,
          cable: r.biller as CableProvider,
          name: r.name,
          priceKobo: priced.priceKobo,
          faceAmountKobo: priced.faceAmountKobo,
        };
      })
      .sort((a, b) => a.cable.localeCompare(b.cable) || a.faceAmountKobo - b.faceAmountKobo);
  });
}

export function listDiscos(args: { ctx: ServiceContext }): Promise<DiscoDto[]> {
  return cached("discos", args.ctx.config.CATALOGUE_CACHE_TTL_SECONDS, async () => {
    const rows = await bestOffers(args.ctx, "electricity");
    return rows.map((r) => ({
      id: r.id,
      disco: r.biller ?? "",
      name: DISCO_NAMES[r.biller as keyof typeof DISCO_NAMES] ?? r.name,
      meterTypes: ["prepaid", "postpaid"] as ["prepaid", "postpaid"],
    }));
  });
}

export function listAirtimeNetworks(args: { ctx: ServiceContext }): Promise<AirtimeDto[]> {
  const { config } = args.ctx;
  return cached("airtime", config.CATALOGUE_CACHE_TTL_SECONDS, async () => {
    const rows = await bestOffers(args.ctx, "airtime");
    return rows.map((r) => ({
      id: r.id,
      network: r.network as Network,
      name: r.name,
      minKobo: config.VTU_AIRTIME_MIN_KOBO,
      maxKobo: config.VTU_AIRTIME_MAX_KOBO,
    }));
  });
}
