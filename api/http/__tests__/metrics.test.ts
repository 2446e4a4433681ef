import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { makeTestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  registryOf,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../../test/helpers/vtu";

/** GET /metrics: Prometheus text with HTTP latency by route pattern and the scrape-time counts. */
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.destroy());

describe("/metrics", () => {
  it("reports request latency by route pattern (never raw paths with tokens) and live counts", async () => {
    const { app } = makeTestApp(tdb.db);
    await app.request("/healthz");
    await app.request("/gift/SECRET-token-that-must-not-leak-000");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /tada_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    expect(text).toMatch(/route="\/gift\/:token"/);
    expect(text).not.toContain("SECRET-token");
    expect(text).toMatch(/tada_notifications_pending 0/);
    expect(text).toMatch(/tada_gift_rooms_open 0/);
  });

  it("reports orders by state, provider outcomes and provider latency from real orders", async () => {
    const ctx = makeCtx(tdb.db);
    const harness = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, harness.vtu.providers);
    const buyer = await createBuyer(ctx, 500_000);
    for (const scenario of [undefined, undefined, "0001"]) {
      await placeOrder(ctx, harness.vtu, buyer.id, {
        service: "airtime",
        input: { network: "mtn", phone: sandboxPhone(scenario), amountKobo: 10_000, pin: TEST_PIN },
      });
    }
    await harness.drain();
    const text = await (await makeTestApp(tdb.db).app.request("/metrics")).text();
    expect(text).toMatch(/tada_vtu_orders\{state="delivered"\} 2/);
    expect(text).toMatch(/tada_vtu_orders\{state="failed"\} 1/);
    expect(text).toMatch(/tada_provider_outcomes_15m\{provider="sandbox",outcome="delivered"\} 2/);
    // Every provider call now records how long it took; the quantiles are seconds.
    const exchanges = await tdb.db.selectFrom("vtu_provider_exchanges").select("duration_ms").execute();
    expect(exchanges.length).toBeGreaterThanOrEqual(3);
    expect(exchanges.every((x) => typeof x.duration_ms === "number" && x.duration_ms >= 0)).toBe(true);
    expect(text).toMatch(/tada_provider_latency_seconds\{provider="sandbox",quantile="0.95"\} [0-9.e-]+/);
    await expectLedgerConsistent(tdb.db);
  });

  it("asks for the token when METRICS_TOKEN is set", async () => {
    const guarded = makeTestApp(tdb.db, { config: testConfig({ METRICS_TOKEN: "m3tr1cs-token" }) }).app;
    expect((await guarded.request("/metrics")).status).toBe(401);
    expect(
      (await guarded.request("/metrics", { headers: { authorization: "Bearer m3tr1cs-token" } })).status,
    ).toBe(200);
  });
});

describe("/healthz and the providers", () => {
  it("reports each provider's balance; 503 only when no provider answers", async () => {
    const ctx = makeCtx(tdb.db);
    const sandbox = sandboxRegistry(ctx);
    const healthy = makeTestApp(tdb.db, { vtu: { providers: sandbox, dispatch: async () => {} } }).app;
    const res = await healthy.request("/healthz");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { checks: { providers: Record<string, { ok: boolean; balanceKobo?: number }> } };
    };
    expect(Object.keys(body.data.checks.providers).sort()).toEqual(["sandbox", "sandbox-b"]);
    expect(body.data.checks.providers.sandbox?.ok).toBe(true);

    const first = sandbox.all()[0];
    if (!first) {
      throw new Error("no sandbox provider");
    }
    const down = {
      ...first,
      code: "down",
      balance: async () => Promise.reject(new Error("connect ECONNREFUSED")),
    };
    const broken = makeTestApp(tdb.db, {
      vtu: { providers: registryOf({ provider: down }), dispatch: async () => {} },
    }).app;
    const bad = await broken.request("/healthz");
    expect(bad.status).toBe(503);
    expect(JSON.stringify(await bad.json())).toContain("ECONNREFUSED");
  });
});
