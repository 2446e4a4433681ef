import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogger, makeCtx } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import type { ServiceContext } from "../../services/context";
import { SlowResponses } from "../slow-responses";

let tdb: TestDatabase;
let ctx: ServiceContext;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
});
afterAll(async () => {
  await tdb.destroy();
});

async function alerts() {
  return tdb.db
    .selectFrom("admin_alerts")
    .select(["key", "count", "body"])
    .where("kind", "=", "slow_response")
    .where("resolved_at", "is", null)
    .orderBy("key")
    .execute();
}

describe("slow-response alerts under a storm", () => {
  it("writes one alert per route per interval, counting every slow response", async () => {
    const slow = new SlowResponses(captureLogger().logger, 200);
    for (let i = 0; i < 50; i++) {
      slow.record(ctx, "POST", "/api/gift-rooms/:code/claim", 5 + i / 10);
    }
    for (let i = 0; i < 3; i++) {
      slow.record(ctx, "GET", "/api/vtu/orders", 6);
    }
    // Nothing written while the storm goes on: the requests do not wait on (or queue behind) alerts.
    expect(await alerts()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const rows = await alerts();
    expect(rows.map((r) => [r.key, r.count])).toEqual([
      ["slow_response:GET /api/vtu/orders", 3],
      ["slow_response:POST /api/gift-rooms/:code/claim", 50],
    ]);
    expect(rows[1]?.body).toContain("50 responses took over 5 s, the slowest 9.9 s");

    // The next interval adds to the open alert.
    slow.record(ctx, "GET", "/api/vtu/orders", 7);
    await slow.flush();
    expect((await alerts()).find((r) => r.key === "slow_response:GET /api/vtu/orders")?.count).toBe(4);
  });
});
