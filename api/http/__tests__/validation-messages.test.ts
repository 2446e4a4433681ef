import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { uniquePhone } from "../../../test/helpers/fixtures";
import {
  call,
  expectErrorEnvelope,
  makeTestApp,
  registerAndLogin,
  type TestApp,
} from "../../../test/helpers/http";

/**
 * What a client reads when a request is refused as invalid: the field, where it was sent (body,
 * query or path) and a sentence a person can act on, never zod's own wording.
 */
let tdb: TestDatabase;
let app: TestApp;
let token: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = makeTestApp(tdb.db).app;
  token = await registerAndLogin(app, uniquePhone());
});
afterAll(async () => {
  await tdb.destroy();
});

describe("where the problem is", () => {
  it("an unknown query parameter is a query parameter, answered with the ones the route takes", async () => {
    const res = await call(app, "GET", "/api/vtu/orders?state=failed", { token });
    expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.details).toEqual([
      {
        field: "(query)",
        in: "query",
        message: "unknown parameter(s): state (this route takes: limit, cursor, service)",
      },
    ]);
    expect(res.body.error).toBe(
      "Invalid request: (query) unknown parameter(s): state (this route takes: limit, cursor, service)",
    );
    const two = await call(app, "GET", "/api/vtu/orders?status=failed&from=2026-01-01", { token });
    expect(two.body.details).toEqual([
      expect.objectContaining({
        in: "query",
        message: expect.stringMatching(/^unknown parameter\(s\): status, from /),
      }),
    ]);
  });

  it("a bad path parameter is a path parameter", async () => {
    const res = await call(app, "GET", `/api/vtu/plans/${"m".repeat(30)}`, { token });
    expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.details).toEqual([expect.objectContaining({ field: "network", in: "path" })]);
  });

  it("an unknown body field is a body field, answered with the fields the route takes", async () => {
    const res = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "correct-horse-9", role: "admin" },
    });
    expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.details).toEqual([
      {
        field: "(body)",
        in: "body",
        message: expect.stringMatching(/^unknown field\(s\): role \(this route takes: phone, password/),
      },
    ]);
  });
});

describe("what is wrong, in words", () => {
  const ZOD_WORDING = /expected|received|Invalid input|Too (big|small)|NaN/;

  async function refused(method: string, path: string, options: Parameters<typeof call>[3] = {}) {
    const res = await call(app, method, path, { token, ...options });
    expectErrorEnvelope(res, 400, "VALIDATION_ERROR");
    expect(res.body.error).not.toMatch(ZOD_WORDING);
    return res.body.details as { field: string; in: string; message: string }[];
  }

  it("a query number that is not a number, or not a whole one", async () => {
    expect(await refused("GET", "/api/vtu/orders?limit=abc")).toEqual([
      { field: "limit", in: "query", message: "must be a number" },
    ]);
    expect(await refused("GET", "/api/vtu/orders?limit=2.5")).toEqual([
      { field: "limit", in: "query", message: "must be a whole number, not 2.5" },
    ]);
    expect(await refused("GET", "/api/vtu/orders?limit=500")).toEqual([
      { field: "limit", in: "query", message: "must be at most 100" },
    ]);
    expect(await refused("GET", "/api/vtu/orders?service=gas")).toEqual([
      { field: "service", in: "query", message: "must be one of: airtime, data, cable, electricity" },
    ]);
  });

  const schedule = {
    service: "airtime",
    recipient: "08031234567",
    network: "mtn",
    amountKobo: 50_000,
    recurrence: { kind: "daily" },
    pin: "2580",
  };
  const create = (body: Record<string, unknown>, raw?: string) =>
    refused("POST", "/api/schedules", { body, raw, headers: { "idempotency-key": crypto.randomUUID() } });

  it("a date written YYYY-MM-DD that is not on the calendar is told so", async () => {
    expect(await create({ ...schedule, startOn: "2027-02-30" })).toEqual([
      { field: "startOn", in: "body", message: "is not a real date: 2027-02-30 is not on the calendar" },
    ]);
    expect(await create({ ...schedule, startOn: "2027-2-3" })).toEqual([
      { field: "startOn", in: "body", message: "must be a date written YYYY-MM-DD" },
    ]);
  });

  it("an amount past the largest whole number JSON can carry says the maximum, once", async () => {
    const raw = JSON.stringify(schedule).replace('"amountKobo":50000', '"amountKobo":9007199254740993');
    expect(await create({}, raw)).toEqual([
      { field: "amountKobo", in: "body", message: "must be at most 9007199254740991" },
    ]);
  });

  it("a missing object is required; a value of the wrong type says what it must be", async () => {
    const { recurrence: _recurrence, ...withoutRecurrence } = schedule;
    expect(await create(withoutRecurrence)).toEqual([
      { field: "recurrence", in: "body", message: "is required" },
    ]);
    expect(await create({ ...schedule, amountKobo: "50000" })).toEqual([
      { field: "amountKobo", in: "body", message: "must be a number, not a string" },
    ]);
    expect(await create({ ...schedule, recurrence: { kind: "hourly" } })).toEqual([
      {
        field: "recurrence.kind",
        in: "body",
        message: "must be one of: daily, weekly, monthly, every_n_days, before_due",
      },
    ]);
  });
});

describe("passwords", () => {
  it("a password's limit is told in bytes, since that is what bcrypt counts", async () => {
    const accented = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "é".repeat(40) }, // 40 characters, 80 bytes
    });
    expectErrorEnvelope(accented, 400, "INVALID_PASSWORD");
    expect(accented.body.error).toMatch(
      /at most 72 bytes.*accented letters \(2 bytes each\).*Yours is 80 bytes/,
    );
    const short = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "short" },
    });
    expectErrorEnvelope(short, 400, "INVALID_PASSWORD");
    expect(short.body.error).toBe("A password is at least 8 characters; yours has 5.");
    const atTheLimit = await call(app, "POST", "/api/auth/register", {
      body: { phone: uniquePhone(), password: "é".repeat(36) }, // 72 bytes
    });
    expect(atTheLimit.status, JSON.stringify(atTheLimit.body)).toBe(201);
  });
});
