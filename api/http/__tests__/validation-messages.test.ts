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
