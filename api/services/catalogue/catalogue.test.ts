import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type InlomaxEmulator,
  inlomaxFixtureServices,
  startInlomaxEmulator,
} from "../../../test/emulators/inlomax-emulator";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { registryOf } from "../../../test/helpers/vtu";
import { createInlomaxProvider } from "../../providers/inlomax/client";
import type { ServiceContext } from "../context";
import { registerProviders } from "../vtu/registry";
import { invalidateCatalogueCache } from "./cache";
import { listCableBouquets, listDataPlans, listDiscos } from "./listings";
import { discountedCost, sellingPrice } from "./pricing";
import { syncCatalogue } from "./sync";

let tdb: TestDatabase;
let ctx: ServiceContext;
let emulator: InlomaxEmulator;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
  // No listing cache here: every read must show what the database holds now.
  ctx = makeCtx(tdb.db, { config: testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "0" }) });
  emulator = await startInlomaxEmulator();
});
afterAll(async () => {
  await emulator?.close();
  await tdb?.destroy();
});

const providers = () =>
  registryOf({
    provider: createInlomaxProvider({
      baseUrl: emulator.url,
      apiKey: emulator.apiKey,
      purchaseTimeoutMs: 500,
      readTimeoutMs: 500,
    }),
  });

describe("pricing", () => {
  it("is cost plus margin, in integer kobo, rounding up by at most a kobo", () => {
    expect(
      sellingPrice({
        service: "data",
        costKobo: 62_000,
        faceAmountKobo: 62_000,
        rule: { marginType: "percent", marginValue: 500 },
      }),
    ).toBe(65_100);
    expect(
      sellingPrice({
        service: "data",
        costKobo: 333,
        faceAmountKobo: 333,
        rule: { marginType: "percent", marginValue: 500 },
      }),
    ).toBe(350); // 16.65 → 17
    expect(
      sellingPrice({
        service: "cable",
        costKobo: 1_881_000,
        faceAmountKobo: 1_900_000,
        rule: { marginType: "flat", marginValue: 5_000 },
      }),
    ).toBe(1_886_000);
    expect(discountedCost(50_000, 300)).toBe(48_500);
    expect(discountedCost(333, 300)).toBe(324); // 323.01 → 324
  });

  it("never sells airtime above its face value", () => {
    const rule = { marginType: "percent" as const, marginValue: 1_000 };
    expect(sellingPrice({ service: "airtime", costKobo: 48_500, faceAmountKobo: 50_000, rule })).toBe(50_000);
    expect(
      sellingPrice({
        service: "airtime",
        costKobo: 48_500,
        faceAmountKobo: 50_000,
        rule: { marginType: "flat", marginValue: 100 },
      }),
    ).toBe(48_600);
  });
});

describe("sync-catalogue against the Inlomax emulator", () => {
  it("builds canonical products with prices from the provider's costs", async () => {
    await registerProviders({ ctx, providers: providers() });
    const [report] = await syncCatalogue({ ctx, providers: providers() });
    expect(report).toMatchObject({ provider: "inlomax", ok: true, withdrawn: 0 });
    const mtn = await listDataPlans({ ctx, network: "mtn" });
    const oneGig = mtn.find((p) => p.id === "data:mtn:1024mb:30d:cg");
    // "620" naira cost + 5 % margin.
    expect(oneGig).toMatchObject({ sizeMb: 1024, validityDays: 30, family: "cg", priceKobo: 65_100 });
    expect(mtn.map((p) => p.priceKobo)).toEqual([...mtn.map((p) => p.priceKobo)].sort((a, b) => a - b));
    // Talkmore voice bundles have no data size: skipped, not sold as data.
    expect((await listDataPlans({ ctx, network: "airtel" })).some((p) => p.family === "talkmore")).toBe(
      false,
    );
    const gotv = await listCableBouquets({ ctx, provider: "gotv" });
    expect(gotv.map((b) => b.id)).toContain("cable:gotv:jinja");
    expect((await listDiscos({ ctx })).map((d) => d.disco).sort()).toEqual([
      "abuja",
      "eko",
      "ibadan",
      "ikeja",
      "kano",
      "portharcourt",
    ]);
  });

  it("a provider that stops listing a plan makes it unavailable, never deleted; its price changes follow", async () => {
    const services = inlomaxFixtureServices();
    services.dataPlans = services.dataPlans
      .filter((p) => p.serviceID !== "97")
      .map((p) => (p.serviceID === "16" ? { ...p, amount: "700" } : p));
    emulator.setServices(services);
    const [report] = await syncCatalogue({ ctx, providers: providers() });
    expect(report?.withdrawn).toBe(1);
    const mtn = await listDataPlans({ ctx, network: "mtn" });
    expect(mtn.some((p) => p.id === "data:mtn:500mb:30d:sme")).toBe(false);
    expect(mtn.find((p) => p.id === "data:mtn:1024mb:30d:cg")?.priceKobo).toBe(73_500);
    const kept = await tdb.db
      .selectFrom("catalogue_products")
      .select("id")
      .where("id", "=", "data:mtn:500mb:30d:sme")
      .executeTakeFirst();
    expect(kept).toBeDefined();
  });

  it("a failed sync keeps the last good prices and records the error", async () => {
    emulator.setPathMode("/services", "html_503");
    const [report] = await syncCatalogue({ ctx, providers: providers() });
    expect(report?.ok).toBe(false);
    expect((await listDataPlans({ ctx, network: "mtn" })).length).toBeGreaterThan(0);
    const row = await tdb.db
      .selectFrom("vtu_providers")
      .select("last_sync_error")
      .where("code", "=", "inlomax")
      .executeTakeFirstOrThrow();
    expect(row.last_sync_error).toBeTruthy();
    emulator.setPathMode("/services", undefined);
  });

  it("listings are cached for the configured time", async () => {
    invalidateCatalogueCache();
    const cachedCtx = makeCtx(tdb.db, { config: testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "60" }) });
    const before = await listDataPlans({ ctx: cachedCtx, network: "glo" });
    await tdb.db
      .updateTable("pricing_rules")
      .set({ margin_value: 1_000 })
      .where("service", "=", "data")
      .execute();
    expect(await listDataPlans({ ctx: cachedCtx, network: "glo" })).toEqual(before);
    invalidateCatalogueCache();
    const after = await listDataPlans({ ctx: cachedCtx, network: "glo" });
    expect(after[0]?.priceKobo).toBeGreaterThan(before[0]?.priceKobo ?? 0);
    await tdb.db
      .updateTable("pricing_rules")
      .set({ margin_value: 500 })
      .where("service", "=", "data")
      .execute();
  });
});
