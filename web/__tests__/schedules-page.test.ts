import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import { listDataPlans } from "../../api/services/catalogue/listings";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { purgeExpiredCredentials } from "../../api/services/maintenance";
import { createScheduleLink } from "../../api/services/schedule-links";
import { createSchedule, getSchedule, lagosInstant } from "../../api/services/schedules";
import { createHttpApp } from "../../scripts/runtime/http";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { call } from "../../test/helpers/http";
import { expectNoPin } from "../../test/helpers/sentinel";
import {
  createBuyer,
  makeVtu,
  sandboxPhone,
  sandboxRegistry,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";

/**
 * The "My schedules" page at the HTTP level, on a real database with a clock the test moves: the
 * CSRF token is bound to the browser's cookie and the link, a link works for its own customer's
 * schedules only, until it expires or a newer one is made, and the token never reaches the logs.
 */
let tdb: TestDatabase;
let ctx: ServiceContext;
let app: ReturnType<typeof createHttpApp>;
let harness: ReturnType<typeof makeVtu>;
const captured = captureLogger();
let clock = lagosInstant("2026-12-14", 10);

beforeAll(async () => {
  tdb = await createTestDatabase();
  const config = testConfig({ CATALOGUE_CACHE_TTL_SECONDS: "0", PUBLIC_BASE_URL: "http://tada.test" });
  ctx = makeCtx(tdb.db, { config, logger: captured.logger, now: () => clock });
  const registry = sandboxRegistry(ctx);
  await seedCatalogue(ctx, registry);
  harness = makeVtu(ctx, registry);
  app = createHttpApp({
    db: tdb.db,
    config,
    logger: captured.logger,
    vtu: harness.vtu,
    payments: {
      gateway: createPaymentGateway({ config, db: tdb.db }),
      webhookSecretHash: webhookSecretHash(config),
      dispatch: async () => {},
    },
    jobs: { kind: "postgres", check: async () => {} },
    now: () => clock,
  });
});
afterAll(async () => {
  await tdb?.destroy();
});

async function dailyAirtime(userId: string) {
  const { schedule } = await createSchedule({
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
    },
  });
  return schedule;
}

/** Open the page as a browser does: the path, the cookie it sets and the form's CSRF token. */
async function open(url: string, cookie?: string) {
  const path = new URL(url).pathname;
  const res = await app.request(path, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const setCookie = res.headers.get("set-cookie");
  return {
    res,
    html,
    path,
    cookie: cookie ?? setCookie?.split(";")[0] ?? "",
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "",
  };
}

function post(path: string, fields: Record<string, string>, cookie?: string) {
  return app.request(path, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("My schedules page over HTTP", () => {
  it("refuses a form without this browser's CSRF token, and changes nothing", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    const schedule = await dailyAirtime(buyer.id);
    const link = await createScheduleLink({ ctx, userId: buyer.id });
    const page = await open(link.url);
    expect(page.res.status).toBe(200);
    expect(page.res.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(page.res.headers.get("cache-control")).toBe("no-store");
    expect(page.cookie).toMatch(/^tada_sched=/);
    expect(page.csrf).not.toBe("");
    const pause = `${page.path}/${schedule.id}/pause`;

    // No token, a wrong token, the right token without the cookie, another browser's cookie.
    for (const [fields, cookie] of [
      [{}, page.cookie],
      [{ csrf: "x".repeat(43) }, page.cookie],
      [{ csrf: page.csrf }, undefined],
      [{ csrf: page.csrf }, `tada_sched=${"A".repeat(32)}`],
    ] as const) {
      const res = await post(pause, fields, cookie);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/could not be accepted/);
    }
    expect((await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).status).toBe("active");

    // Delete asks for the ticked box, on the server too (a browser that ignores `required`).
    const unticked = await post(`${page.path}/${schedule.id}/delete`, { csrf: page.csrf }, page.cookie);
    expect(unticked.status).toBe(400);
    expect(await unticked.text()).toMatch(/id="confirm-sch_[^"]+"[^>]*aria-invalid="true"[^>]*autofocus/);

    // The same form from the page itself goes through.
    const ok = await post(pause, { csrf: page.csrf }, page.cookie);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe(`${page.path}?done=paused`);
    expect((await getSchedule({ ctx, userId: buyer.id, scheduleId: schedule.id })).status).toBe("paused");
  });

  it("acts only on the link's own customer's schedules", async () => {
    const alice = await createBuyer(ctx, 500_000);
    const bob = await createBuyer(ctx, 500_000);
    const bobs = await dailyAirtime(bob.id);
    const page = await open((await createScheduleLink({ ctx, userId: alice.id })).url);
    expect(page.html).not.toContain(bobs.id);
    for (const verb of ["pause", "skip", "delete"]) {
      const res = await post(
        `${page.path}/${bobs.id}/${verb}`,
        { csrf: page.csrf, confirm: "yes" },
        page.cookie,
      );
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/not one of yours/);
    }
    const still = await getSchedule({ ctx, userId: bob.id, scheduleId: bobs.id });
    expect(still.status).toBe("active");
    expect(still.runs).toEqual([]);
  });

  it("works many times until it expires; only the newest link works", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    const first = await createScheduleLink({ ctx, userId: buyer.id });
    expect((await open(first.url)).res.status).toBe(200);
    expect((await open(first.url)).res.status).toBe(200);
    const second = await createScheduleLink({ ctx, userId: buyer.id });
    const old = await open(first.url);
    expect(old.res.status).toBe(410);
    expect(old.html).toMatch(/This link has expired/);
    const page = await open(second.url);
    expect(page.res.status).toBe(200);
    // A customer suspended after the link was sent cannot use it.
    await tdb.db.updateTable("users").set({ status: "suspended" }).where("id", "=", buyer.id).execute();
    expect((await open(second.url)).res.status).toBe(410);
    await tdb.db.updateTable("users").set({ status: "active" }).where("id", "=", buyer.id).execute();
    expect((await open(second.url)).res.status).toBe(200);

    clock = new Date(clock.getTime() + ctx.config.SCHEDULE_LINK_TTL_MINUTES * 60_000 + 1000);
    expect((await open(second.url)).res.status).toBe(410);
    // A form from the page opened before it expired is refused as expired too.
    const late = await post(`${page.path}/new`, { csrf: page.csrf, pin: TEST_PIN }, page.cookie);
    expect(late.status).toBe(410);
    expect(
      await tdb.db.selectFrom("schedules").where("user_id", "=", buyer.id).selectAll().execute(),
    ).toEqual([]);
    expect(captured.text()).not.toContain(new URL(second.url).pathname.split("/").pop());
    expect(captured.text()).toContain("/schedules/[REDACTED]");

    // A day after they expired, the maintenance job deletes them.
    const tomorrow = { ...ctx, now: () => new Date(clock.getTime() + 86_400_000 + 1000) };
    expect((await purgeExpiredCredentials({ ctx: tomorrow })).scheduleLinks).toBeGreaterThanOrEqual(2);
    expect(
      await tdb.db.selectFrom("schedule_links").where("user_id", "=", buyer.id).selectAll().execute(),
    ).toEqual([]);
  });

  it("counts a wrong PIN with the same limiter as everywhere, and never shows the PIN", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    const page = await open((await createScheduleLink({ ctx, userId: buyer.id })).url);
    const form = {
      csrf: page.csrf,
      service: "airtime",
      network: "mtn",
      phone: sandboxPhone(),
      amount: "500",
      how: "daily",
      startOn: "",
      pin: "9371",
    };
    const res = await post(`${page.path}/new`, form, page.cookie);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/Incorrect PIN\. \d attempts? left/);
    expect(html).toMatch(/id="new-pin"[^>]*aria-invalid="true"/);
    expect(html).toContain(form.phone);
    expectNoPin(html, "9371");
    const pins = await tdb.db
      .selectFrom("user_pins")
      .select("failed_attempts")
      .where("user_id", "=", buyer.id)
      .executeTakeFirstOrThrow();
    expect(pins.failed_attempts).toBe(1);
    expect(
      await tdb.db.selectFrom("schedules").where("user_id", "=", buyer.id).selectAll().execute(),
    ).toEqual([]);
  });

  it("creates a weekly data schedule, and refuses a plan of another network on its field", async () => {
    const buyer = await createBuyer(ctx, 500_000);
    const page = await open((await createScheduleLink({ ctx, userId: buyer.id })).url);
    const [mtn] = await listDataPlans({ ctx, network: "mtn" });
    const [airtel] = await listDataPlans({ ctx, network: "airtel" });
    if (!mtn || !airtel) {
      throw new Error("the sandbox catalogue has no MTN or Airtel plans");
    }
    expect(page.html).toContain(`value="${mtn.id}"`);
    const form = {
      csrf: page.csrf,
      service: "data",
      network: "mtn",
      phone: sandboxPhone(),
      plan: airtel.id,
      how: "weekly",
      weekday: "friday",
      startOn: "2026-12-15",
      endOn: "2027-03-31",
      monthlyCap: "50,000",
      pin: TEST_PIN,
    };
    const wrong = await post(`${page.path}/new`, form, page.cookie);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/id="new-plan"[^>]*aria-invalid="true"/);
    const made = await post(`${page.path}/new`, { ...form, plan: mtn.id }, page.cookie);
    expect(made.status).toBe(303);
    const [row] = await tdb.db.selectFrom("schedules").selectAll().where("user_id", "=", buyer.id).execute();
    expect(row).toMatchObject({
      service: "data",
      network: "mtn",
      plan_id: mtn.id,
      recurrence: "weekly",
      weekday: 5,
      start_on: "2026-12-15",
      end_on: "2027-03-31",
      next_due_on: "2026-12-18",
      monthly_cap_kobo: 5_000_000,
    });
    const listed = await open(`http://tada.test${page.path}`, page.cookie);
    expect(listed.html).toMatch(/MTN data \(.*\) for 0803\*\*\*\d{4}, every Friday/);
    expect(listed.html).toContain("Fri 18 Dec 2026, from 08:00 Lagos time");
  });

  it("gives a link through the API", async () => {
    const reg = await call(app, "POST", "/api/auth/register", {
      body: { phone: "08035550101", password: "correct-horse-9" },
    });
    expect(reg.status).toBe(201);
    const login = await call(app, "POST", "/api/auth/login", {
      body: { phone: "08035550101", password: "correct-horse-9" },
    });
    const token = login.body.data.token as string;
    const res = await call(app, "POST", "/api/schedules/link", { token });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data.url).toMatch(/^http:\/\/tada\.test\/schedules\/skl_/);
    expect(Date.parse(res.body.data.expiresAt)).toBe(
      clock.getTime() + ctx.config.SCHEDULE_LINK_TTL_MINUTES * 60_000,
    );
    const page = await open(res.body.data.url);
    expect(page.res.status).toBe(200);
    expect(page.html).toMatch(/no schedules yet/);
    expect((await call(app, "POST", "/api/schedules/link", {})).status).toBe(401);
  });
});
