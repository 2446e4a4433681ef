import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import { call, expectErrorEnvelope, makeTestApp, type TestApp } from "../../../test/helpers/http";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import { makeVtu, sandboxPhone, sandboxRegistry, seedCatalogue, TEST_PIN } from "../../../test/helpers/vtu";
import type { ServiceContext } from "../../services/context";
import { sweepSchedules } from "../../services/schedules";

/**
 * Schedules over HTTP (issue 19): create with the PIN and an Idempotency-Key (a replay returns the
 * first), list, one with its runs, change with the PIN, pause/resume/skip-next, delete; the sandbox
 * run-now hook buys the next run once.
 */
const PASSWORD = "correct-horse-9";
const config = testConfig({ VTU_RESPONSE_WAIT_MS: "0", AUTH_RATE_LIMIT_PER_MINUTE: "1000" });

let tdb: TestDatabase;
let ctx: ServiceContext;
let app: TestApp;
let harness: ReturnType<typeof makeVtu>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config });
  const providers = sandboxRegistry(ctx);
  await seedCatalogue(ctx, providers);
  harness = makeVtu(ctx, providers);
  app = makeTestApp(tdb.db, { config, vtu: harness.vtu }).app;
});
afterAll(async () => {
  await harness?.drain();
  await tdb?.destroy();
});

async function customer(): Promise<{ token: string; userId: string }> {
  const phone = uniquePhone();
  expect(
    (await call(app, "POST", "/api/auth/register", { body: { phone, password: PASSWORD } })).status,
  ).toBe(201);
  const login = await call(app, "POST", "/api/auth/login", { body: { phone, password: PASSWORD } });
  const token = login.body.data.token as string;
  expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: TEST_PIN } })).status).toBe(200);
  const me = await call(app, "GET", "/api/auth/me", { token });
  return { token, userId: me.body.data.id as string };
}

describe("schedules over the API", () => {
  it("create, replay, list, get, change, pause, resume, skip, run now, delete", async () => {
    const who = await customer();
    await call(app, "POST", "/api/sandbox/fund", { token: who.token, body: { amountKobo: 500_000 } });
    const body = {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 50_000,
      recurrence: { kind: "weekly", weekday: "friday" },
      pin: TEST_PIN,
    };
    expectErrorEnvelope(
      await call(app, "POST", "/api/schedules", { token: who.token, body }),
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
    );
    expectErrorEnvelope(
      await call(app, "POST", "/api/schedules", {
        token: who.token,
        headers: { "idempotency-key": "s-0" },
        body: { ...body, pin: "0000" },
      }),
      422,
      "INCORRECT_PIN",
    );
    const created = await call(app, "POST", "/api/schedules", {
      token: who.token,
      headers: { "idempotency-key": "s-1" },
      body,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const schedule = created.body.data.schedule;
    expect(schedule).toMatchObject({ status: "active", recurrence: { kind: "weekly", weekday: 5 } });
    const replay = await call(app, "POST", "/api/schedules", {
      token: who.token,
      headers: { "idempotency-key": "s-1" },
      body,
    });
    expect(replay.status).toBe(200);
    expect(replay.body.data.schedule.id).toBe(schedule.id);
    // The same key with another body is refused, as purchases refuse it.
    expectErrorEnvelope(
      await call(app, "POST", "/api/schedules", {
        token: who.token,
        headers: { "idempotency-key": "s-1" },
        body: { ...body, recurrence: { kind: "daily" } },
      }),
      409,
      "IDEMPOTENCY_KEY_REUSED",
    );

    const list = await call(app, "GET", "/api/schedules", { token: who.token });
    expect(list.body.data).toMatchObject({ items: [{ id: schedule.id }], nextCursor: null });

    const changed = await call(app, "PATCH", `/api/schedules/${schedule.id}`, {
      token: who.token,
      body: { amountKobo: 60_000, pin: TEST_PIN },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.data.schedule.amountKobo).toBe(60_000);
    // A late retry of the creating request still replays: compared with the request, not the row.
    const late = await call(app, "POST", "/api/schedules", {
      token: who.token,
      headers: { "idempotency-key": "s-1" },
      body,
    });
    expect(late.status).toBe(200);
    expect(late.body.data.schedule).toMatchObject({ id: schedule.id, amountKobo: 60_000 });

    expect(
      (await call(app, "POST", `/api/schedules/${schedule.id}/pause`, { token: who.token })).body.data
        .schedule.status,
    ).toBe("paused");
    expect(
      (await call(app, "POST", `/api/schedules/${schedule.id}/resume`, { token: who.token })).body.data
        .schedule.status,
    ).toBe("active");
    const skipped = await call(app, "POST", `/api/schedules/${schedule.id}/skip-next`, { token: who.token });
    expect(skipped.body.data.schedule.nextDueOn > schedule.nextDueOn).toBe(true);

    const ran = await call(app, "POST", `/api/sandbox/schedules/${schedule.id}/run-now`, {
      token: who.token,
    });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body.data.swept.placed).toBe(1);
    await harness.drain();
    await sweepSchedules({ ctx, vtu: harness.vtu });
    const one = await call(app, "GET", `/api/schedules/${schedule.id}`, { token: who.token });
    expect(one.body.data.schedule.runs.map((r: { state: string }) => r.state)).toEqual([
      "delivered",
      "skipped",
    ]);

    // Another customer cannot see or touch it.
    const other = await customer();
    expectErrorEnvelope(
      await call(app, "GET", `/api/schedules/${schedule.id}`, { token: other.token }),
      404,
      "SCHEDULE_NOT_FOUND",
    );
    expectErrorEnvelope(
      await call(app, "DELETE", `/api/schedules/${schedule.id}`, { token: other.token }),
      404,
      "SCHEDULE_NOT_FOUND",
    );

    expect((await call(app, "DELETE", `/api/schedules/${schedule.id}`, { token: who.token })).status).toBe(
      200,
    );
    expect((await call(app, "GET", "/api/schedules", { token: who.token })).body.data.items).toEqual([]);
    await expectLedgerConsistent(tdb.db);
  });

  it("pages the list with nextCursor, and names the wrong field whichever body shape was meant", async () => {
    const who = await customer();
    const body = {
      service: "airtime",
      recipient: sandboxPhone(),
      network: "mtn",
      amountKobo: 20_000,
      recurrence: { kind: "daily" },
      pin: TEST_PIN,
    };
    const ids: string[] = [];
    for (const key of ["p-1", "p-2", "p-3"]) {
      const made = await call(app, "POST", "/api/schedules", {
        token: who.token,
        headers: { "idempotency-key": key },
        body,
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      expect(made.body.data.priceKobo).toBeGreaterThan(0);
      expect(made.body.data.priceKobo).toBeLessThanOrEqual(20_000);
      ids.push(made.body.data.schedule.id);
    }
    const first = await call(app, "GET", "/api/schedules?limit=2", { token: who.token });
    expect(first.body.data.items.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.data.nextCursor).toBe(ids[1]);
    const second = await call(app, "GET", `/api/schedules?limit=2&cursor=${first.body.data.nextCursor}`, {
      token: who.token,
    });
    expect(second.body.data).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expectErrorEnvelope(
      await call(app, "GET", "/api/schedules?cursor=ord_1", { token: who.token }),
      400,
      "VALIDATION_ERROR",
    );

    // The body is a purchase written out or one copied from an order: the answer speaks of the
    // shape the body meant, field by field, not "Invalid input".
    const refused = async (payload: unknown) => {
      const res = await call(app, "POST", "/api/schedules", {
        token: who.token,
        headers: { "idempotency-key": `bad-${Math.random()}` },
        body: payload,
      });
      expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
      return (res.body.details as { field: string; message: string }[]).map((d) => d.field);
    };
    const { pin: _pin, ...withoutPin } = body;
    expect(await refused(withoutPin)).toEqual(["pin"]);
    expect(await refused({ ...body, network: "mtm" })).toEqual(["network"]);
    expect(await refused({})).toEqual(["service", "recipient", "recurrence", "pin"]);
    expect(await refused({ fromOrderId: "ord_x", recurrence: { kind: "daily" } })).toEqual(["pin"]);
    const named = await call(app, "POST", "/api/schedules", {
      token: who.token,
      headers: { "idempotency-key": "bad-named" },
      body: { fromOrderId: "ord_x", recurrence: { kind: "daily" }, pin: TEST_PIN, amountKobo: 1 },
    });
    expect(named.body.error).toMatch(/unknown field\(s\): amountKobo/);
    expect((await call(app, "GET", "/api/schedules", { token: who.token })).body.data.items).toHaveLength(3);
  });
});
