import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "../../api/services/admins";
import type { ServiceContext } from "../../api/services/context";
import { createSchedule, lagosInstant, sweepSchedules } from "../../api/services/schedules";
import { adminBrowser, adminSignIn } from "../../test/helpers/admin-browser";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../test/helpers/http";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * The panel's schedules (issue 19 §5): /admin/schedules lists every customer's schedules with the
 * paused and failing ones first, and a customer's page shows theirs.
 */
const config = testConfig();
const PASSWORD = "correct-horse-battery-9";
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;
let clock = lagosInstant("2026-12-14", 10);

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config, now: () => clock });
  harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
  await createAdmin({
    ctx,
    input: { email: "support@tada.test", name: "Sue Port", password: PASSWORD, role: "support" },
  });
}, 60_000);
afterAll(() => tdb.destroy());

const daily = (userId: string, startOn?: string) =>
  createSchedule({
    ctx,
    vtu: harness.vtu,
    userId,
    input: {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 50_000,
      recurrence: { kind: "daily" },
      pin: TEST_PIN,
      ...(startOn ? { startOn } : {}),
    },
  });

describe("admin schedules", () => {
  it("lists paused and failing schedules first, and a customer's page shows theirs", async () => {
    const fine = await createBuyer(ctx, 500_000);
    const short = await createBuyer(ctx, 1_000);
    const ok = await daily(fine.id, "2026-12-20");
    const paused = await daily(short.id);
    // Short of funds three days running: paused after three skips.
    for (const day of ["2026-12-14", "2026-12-15", "2026-12-16"]) {
      clock = lagosInstant(day, 10);
      await sweepSchedules({ ctx, vtu: harness.vtu });
      clock = lagosInstant(day, 23);
      await sweepSchedules({ ctx, vtu: harness.vtu });
    }
    const b = adminBrowser(app);
    expect((await adminSignIn(b, "support@tada.test", PASSWORD)).res.status).toBe(303);
    const page = await b.request("GET", "/admin/schedules");
    expect(page.res.status).toBe(200);
    const order = [...page.html.matchAll(/data-schedule="([^"]+)"/g)].map((m) => m[1]);
    expect(order.indexOf(paused.schedule.id)).toBeLessThan(order.indexOf(ok.schedule.id));
    expect(page.html).toContain("paused (runs skipped in a row)");
    expect(page.html).toMatch(/2026-12-16: skipped \(insufficient funds\)/);
    expect(page.html).toContain('href="/admin/schedules"');

    const customer = await b.request("GET", `/admin/users/${short.id}`);
    expect(customer.res.status).toBe(200);
    expect(customer.html).toContain(`data-schedule="${paused.schedule.id}"`);
    expect(customer.html).not.toContain(`data-schedule="${ok.schedule.id}"`);
  });
});
