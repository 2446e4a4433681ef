import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";
import type { ServiceContext } from "./context";
import { RateLimitedError } from "./errors";
import {
  purgeRateLimitCounters,
  takeGiftClaimSlots,
  takeMoneyActionSlot,
  takePinAttemptSlot,
} from "./rate-limits";

let tdb: TestDatabase;
let clock: Date;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 20 });
  clock = new Date("2026-11-25T10:00:05Z");
  ctx = makeCtx(tdb.db, {
    config: testConfig({
      MONEY_ACTIONS_PER_MINUTE: "5",
      VTU_MAX_OPEN_ORDERS_PER_USER: "2",
      PIN_ATTEMPTS_PER_MINUTE: "3",
    }),
    now: () => clock,
  });
});
afterAll(() => tdb.destroy());

describe("S5: per-user money-action limit", () => {
  it("allows the configured number per minute, concurrently too, then says how long to wait", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => takeMoneyActionSlot(ctx, "usr_a")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    const refused = results.find((r) => r.status === "rejected");
    expect(refused?.status === "rejected" && refused.reason).toBeInstanceOf(RateLimitedError);
    expect(refused?.status === "rejected" && refused.reason.details).toEqual({ retryAfterSeconds: 55 });
    // Another user is not affected; the next minute starts afresh.
    await takeMoneyActionSlot(ctx, "usr_b");
    clock = new Date("2026-11-25T10:01:00Z");
    await takeMoneyActionSlot(ctx, "usr_a");
  });

  it("counts PIN attempts apart from money actions, concurrently too", async () => {
    clock = new Date("2026-11-25T11:00:10Z");
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => takePinAttemptSlot(ctx, "usr_p")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    // The same user's money actions have their own count.
    await takeMoneyActionSlot(ctx, "usr_p");
  });

  it("old windows are purged", async () => {
    clock = new Date("2026-11-25T12:00:00Z");
    expect(await purgeRateLimitCounters(ctx)).toBeGreaterThanOrEqual(2);
  });
});

describe("S12: gift claims per address and per device", () => {
  it("counts both limits in one statement and refuses when either is reached", async () => {
    clock = new Date("2026-11-25T13:00:00Z");
    const gifts = makeCtx(tdb.db, {
      config: testConfig({ GIFT_CLAIMS_PER_MINUTE_PER_IP: "4", GIFT_CLAIMS_PER_MINUTE_PER_DEVICE: "2" }),
      now: () => clock,
    });
    const claim = (deviceHash: string) => takeGiftClaimSlots(gifts, { ip: "203.0.113.9", deviceHash });
    await claim("dev-a");
    await claim("dev-a");
    await expect(claim("dev-a")).rejects.toBeInstanceOf(RateLimitedError); // the device's limit
    await claim("dev-b"); // the address's 4th
    await expect(claim("dev-c")).rejects.toBeInstanceOf(RateLimitedError); // the address's limit
    // Another address is not affected.
    await takeGiftClaimSlots(gifts, { ip: "198.51.100.7", deviceHash: "dev-d" });
  });

  it("spreads an address's count over rows (claims from one address rarely wait on one row), limit exact", async () => {
    clock = new Date("2026-11-25T14:00:00Z");
    const gifts = makeCtx(tdb.db, {
      config: testConfig({ GIFT_CLAIMS_PER_MINUTE_PER_IP: "40", GIFT_CLAIMS_PER_MINUTE_PER_DEVICE: "5" }),
      now: () => clock,
    });
    const claim = (i: number) => takeGiftClaimSlots(gifts, { ip: "192.0.2.44", deviceHash: `spread-${i}` });
    for (let i = 0; i < 40; i++) {
      await claim(i);
    }
    await expect(claim(40)).rejects.toBeInstanceOf(RateLimitedError);
    const rows = await tdb.db
      .selectFrom("rate_limit_counters")
      .select(["key", "count"])
      .where("key", "like", "gift-ip:192.0.2.44#%")
      .execute();
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.length).toBeLessThanOrEqual(8);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(41);
  });
});

describe("S14: cap on unresolved orders per user", () => {
  it("refuses a third order while two are still pending, with nothing held for it", async () => {
    const h = makeVtu(ctx, sandboxRegistry(ctx));
    await seedCatalogue(ctx, h.vtu.providers);
    const user = await createBuyer(ctx, 1_000_000);
    const buy = () =>
      placeOrder(ctx, h.vtu, user.id, {
        service: "airtime",
        input: { network: "mtn", phone: sandboxPhone("0002"), amountKobo: 10_000, pin: TEST_PIN },
      });
    await buy();
    await buy();
    await h.drain(); // both pending at the sandbox
    await expect(buy()).rejects.toMatchObject({ code: "TOO_MANY_OPEN_ORDERS" });
    const holds = await tdb.db.selectFrom("holds").select("id").where("status", "=", "pending").execute();
    expect(holds).toHaveLength(2);
  });
});
