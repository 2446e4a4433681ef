import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../db/database";
import { captureLogger, makeCtx } from "../../../test/helpers/context";
import { countingDb } from "../../../test/helpers/counting-db";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser } from "../../../test/helpers/fixtures";
import { until } from "../../../test/helpers/until";
import { sandboxRegistry, seedCatalogue } from "../../../test/helpers/vtu";
import type { ServiceContext } from "../context";
import { PgListener } from "../pg-listener";
import { tierPricingFor } from "../rewards/tiers";
import { CATALOGUE_CHANGED_CHANNEL, CatalogueCache, TIER_CHANGED_CHANNEL } from "./order-cache";

let tdb: TestDatabase;
let ctx: ServiceContext;
/** The same database through a Kysely that counts the statements it sends. */
let counted: Kysely<Database>;
let statements: () => number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
  await seedCatalogue(ctx, sandboxRegistry(ctx));
  const counting = countingDb(tdb.url);
  counted = counting.db;
  statements = counting.statements;
});
afterAll(async () => {
  await counted.destroy();
  await tdb.destroy();
});

async function startCache() {
  const listener = await new PgListener(tdb.url, captureLogger().logger, [CATALOGUE_CHANGED_CHANNEL]).start();
  return { listener, cache: new CatalogueCache(listener) };
}

describe("the order path's catalogue cache", () => {
  it("keeps a buyer's tier until their tier or the tier rules change (anyone's commit)", async () => {
    const listener = await new PgListener(tdb.url, captureLogger().logger, [
      CATALOGUE_CHANGED_CHANNEL,
      TIER_CHANGED_CHANNEL,
    ]).start();
    const cache = new CatalogueCache(listener);
    try {
      const buyer = await createTestUser(tdb.db);
      expect((await tierPricingFor(cache, counted, buyer.id)).code).toBe("regular");
      const before = statements();
      expect((await tierPricingFor(cache, counted, buyer.id)).code).toBe("regular");
      expect(statements()).toBe(before);
      await sql`UPDATE users SET tier = 'reseller' WHERE id = ${buyer.id}`.execute(tdb.db);
      await until(async () => (await tierPricingFor(cache, counted, buyer.id)).code === "reseller", 2_000);
      // A rule change forgets every buyer's tier: the next read goes to the database again.
      await tierPricingFor(cache, counted, buyer.id);
      await sql`UPDATE customer_tiers SET name = name`.execute(tdb.db);
      await until(async () => {
        const reads = statements();
        await tierPricingFor(cache, counted, buyer.id);
        return statements() > reads;
      }, 2_000);
    } finally {
      await listener.close();
    }
  });

  it("reads the tier every time when its changes cannot be heard", async () => {
    const { listener, cache } = await startCache();
    try {
      const buyer = await createTestUser(tdb.db);
      await tierPricingFor(cache, counted, buyer.id);
      const before = statements();
      await tierPricingFor(cache, counted, buyer.id);
      expect(statements()).toBe(before + 1);
    } finally {
      await listener.close();
    }
  });

  it("answers the second read of an order's offers and rule from memory", async () => {
    const { listener, cache } = await startCache();
    try {
      const first = await cache.offers(counted, "airtime:mtn");
      await cache.rule(counted, "airtime");
      const before = statements();
      expect(await cache.offers(counted, "airtime:mtn")).toEqual(first);
      expect((await cache.rule(counted, "airtime")).marginType).toBeDefined();
      expect(statements()).toBe(before);
    } finally {
      await listener.close();
    }
  });

  it("forgets on commit of a price change made by anyone, and then reads the new price", async () => {
    const { listener, cache } = await startCache();
    try {
      const before = await cache.rule(counted, "data");
      const changed = before.marginValue + 7;
      // Another process's admin edit: a plain statement on another connection.
      await sql`UPDATE pricing_rules SET margin_value = ${changed} WHERE service = 'data'`.execute(tdb.db);
      await until(async () => (await cache.rule(counted, "data")).marginValue === changed, 2_000);
      // A provider taken out of the failover order changes the offers too.
      const offers = (await cache.offers(counted, "airtime:glo")).offers.map((o) => o.provider);
      expect(offers.length).toBeGreaterThan(0);
      await sql`UPDATE vtu_providers SET enabled = false WHERE code = ${offers[0]}`.execute(tdb.db);
      await until(
        async () =>
          !(await cache.offers(counted, "airtime:glo")).offers.some((o) => o.provider === offers[0]),
        2_000,
      );
      await sql`UPDATE vtu_providers SET enabled = true WHERE code = ${offers[0]}`.execute(tdb.db);
      await sql`UPDATE pricing_rules SET margin_value = ${before.marginValue} WHERE service = 'data'`.execute(
        tdb.db,
      );
    } finally {
      await listener.close();
    }
  });

  it("keeps a copy across a float update (it prices nothing)", async () => {
    const { listener, cache } = await startCache();
    try {
      await cache.offers(counted, "airtime:mtn");
      await sql`UPDATE vtu_providers SET float_kobo = coalesce(float_kobo, 0) + 1`.execute(tdb.db);
      // Give a notification, had there been one, time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = statements();
      await cache.offers(counted, "airtime:mtn");
      expect(statements()).toBe(before);
    } finally {
      await listener.close();
    }
  });

  it("reads the database every time while nobody listens", async () => {
    const { listener, cache } = await startCache();
    await listener.close();
    expect(listener.listening).toBe(false);
    await cache.rule(counted, "cable");
    const before = statements();
    await cache.rule(counted, "cable");
    expect(statements()).toBe(before + 1);
  });
});
