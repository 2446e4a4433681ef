import type { ServiceContext, Trx } from "../context";
import { withTransaction } from "../context";
import type { ProviderCatalogue, VtuProvider } from "../vtu/provider";
import type { ProviderRegistry } from "../vtu/registry";
import { invalidateCatalogueCache } from "./cache";
import { CABLE_NAMES, canonicalDataKey, DISCO_NAMES, describeDataPlan, NETWORK_NAMES } from "./normalize";

export type SyncReport = {
  provider: string;
  ok: boolean;
  products: number;
  /** Products this provider no longer lists (marked unavailable, never deleted: orders point at them). */
  withdrawn: number;
  error?: string;
};

type ProductUpsert = {
  id: string;
  service: "airtime" | "data" | "cable" | "electricity";
  network: string | null;
  biller: string | null;
  name: string;
  sizeMb: number | null;
  validityDays: number | null;
  family: string | null;
  providerProductId: string;
  providerName: string | null;
  costKobo: number | null;
  faceAmountKobo: number | null;
  discountBps: number;
};

/**
 * Pull every configured provider's catalogue into ours (the `sync-catalogue` job and `npm run
 * sync-catalogue`). One provider failing does not stop the others; its last good prices stay.
 */
export async function syncCatalogue(args: {
  ctx: ServiceContext;
  providers: ProviderRegistry;
}): Promise<SyncReport[]> {
  const reports: SyncReport[] = [];
  for (const provider of args.providers.all()) {
    reports.push(await syncProvider(args.ctx, provider));
  }
  invalidateCatalogueCache();
  return reports;
}

async function syncProvider(ctx: ServiceContext, provider: VtuProvider): Promise<SyncReport> {
  let snapshot: ProviderCatalogue;
  try {
    snapshot = await provider.catalogue();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await ctx.db
      .updateTable("vtu_providers")
      .set({ last_sync_error: message.slice(0, 500), updated_at: ctx.now() })
      .where("code", "=", provider.code)
      .execute();
    ctx.logger.warn(
      { provider: provider.code, err: message },
      "catalogue sync failed; keeping the last prices",
    );
    return { provider: provider.code, ok: false, products: 0, withdrawn: 0, error: message };
  }
  const products = toProducts(snapshot);
  const withdrawn = await withTransaction(ctx, (trx) =>
    writeProducts(trx, provider.code, products, ctx.now()),
  );
  ctx.logger.info({ provider: provider.code, products: products.length, withdrawn }, "catalogue synced");
  return { provider: provider.code, ok: true, products: products.length, withdrawn };
}

/** Our canonical products from one provider's snapshot; when two plans share a key the cheaper wins. */
export function toProducts(snapshot: ProviderCatalogue): ProductUpsert[] {
  const byId = new Map<string, ProductUpsert>();
  const keep = (p: ProductUpsert) => {
    const existing = byId.get(p.id);
    if (
      !existing ||
      (p.costKobo ?? p.faceAmountKobo ?? 0) < (existing.costKobo ?? existing.faceAmountKobo ?? 0)
    ) {
      byId.set(p.id, p);
    }
  };
  const none = { network: null, biller: null, sizeMb: null, validityDays: null, family: null };
  for (const a of snapshot.airtime) {
    keep({
      ...none,
      id: `airtime:${a.network}`,
      service: "airtime",
      network: a.network,
      name: `${NETWORK_NAMES[a.network]} airtime`,
      providerProductId: a.providerProductId,
      providerName: null,
      costKobo: null,
      faceAmountKobo: null,
      discountBps: a.discountBps,
    });
  }
  for (const d of snapshot.data) {
    keep({
      ...none,
      id: canonicalDataKey(d),
      service: "data",
      network: d.network,
      name: `${NETWORK_NAMES[d.network]} ${describeDataPlan(d)}`,
      sizeMb: d.sizeMb,
      validityDays: d.validityDays,
      family: d.family,
      providerProductId: d.providerProductId,
      providerName: d.name,
      costKobo: d.costKobo,
      faceAmountKobo: null,
      discountBps: 0,
    });
  }
  for (const c of snapshot.cable) {
    keep({
      ...none,
      id: `cable:${c.cable}:${c.slug}`,
      service: "cable",
      biller: c.cable,
      name: `${CABLE_NAMES[c.cable]} ${c.name.replace(new RegExp(`^${CABLE_NAMES[c.cable]}\\s*`, "i"), "")}`.trim(),
      providerProductId: c.providerProductId,
      providerName: c.name,
      costKobo: null,
      faceAmountKobo: c.amountKobo,
      discountBps: c.discountBps,
    });
  }
  for (const e of snapshot.electricity) {
    keep({
      ...none,
      id: `electricity:${e.disco}`,
      service: "electricity",
      biller: e.disco,
      name: DISCO_NAMES[e.disco],
      providerProductId: e.providerProductId,
      providerName: null,
      costKobo: null,
      faceAmountKobo: null,
      discountBps: e.discountBps,
    });
  }
  return [...byId.values()];
}

async function writeProducts(
  trx: Trx,
  provider: string,
  products: ProductUpsert[],
  now: Date,
): Promise<number> {
  for (const p of products) {
    await trx
      .insertInto("catalogue_products")
      .values({
        id: p.id,
        service: p.service,
        network: p.network,
        biller: p.biller,
        name: p.name,
        size_mb: p.sizeMb,
        validity_days: p.validityDays,
        family: p.family,
      })
      // The first provider to list a product names it; admins may rename or disable it later.
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    await trx
      .insertInto("provider_products")
      .values({
        provider,
        product_id: p.id,
        provider_product_id: p.providerProductId,
        provider_name: p.providerName,
        cost_kobo: p.costKobo,
        face_amount_kobo: p.faceAmountKobo,
        discount_bps: p.discountBps,
        available: true,
        synced_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["provider", "product_id"]).doUpdateSet((eb) => ({
          provider_product_id: eb.ref("excluded.provider_product_id"),
          provider_name: eb.ref("excluded.provider_name"),
          cost_kobo: eb.ref("excluded.cost_kobo"),
          face_amount_kobo: eb.ref("excluded.face_amount_kobo"),
          discount_bps: eb.ref("excluded.discount_bps"),
          available: true,
          synced_at: eb.ref("excluded.synced_at"),
        })),
      )
      .execute();
  }
  const ids = products.map((p) => p.id);
  const withdrawn = await trx
    .updateTable("provider_products")
    .set({ available: false, synced_at: now })
    .where("provider", "=", provider)
    .where("available", "=", true)
    .$if(ids.length > 0, (q) => q.where("product_id", "not in", ids))
    .executeTakeFirst();
  await trx
    .updateTable("vtu_providers")
    .set({ last_synced_at: now, last_sync_error: null, updated_at: now })
    .where("code", "=", provider)
    .execute();
  return Number(withdrawn.numUpdatedRows);
}
