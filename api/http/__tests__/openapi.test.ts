import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { makeTestApp, type TestApp } from "../../../test/helpers/http";
import { DocumentConformance } from "../../../test/helpers/openapi-conformance";
import { openApiPath } from "../openapi/define-route";

/**
 * The OpenAPI document describes every API route the app serves (and nothing it does not), and
 * checks real answers (the conformance check in test/helpers/http.ts runs on every `call()`).
 */

/** Routes that are not part of the public API, with the reason. */
const NOT_DOCUMENTED: { pattern: RegExp; why: string }[] = [
  { pattern: /^\/api\/webhooks\//, why: "vendors (Flutterwave, VTU providers) call these, not API clients" },
  { pattern: /^\/api\/telegram\/webhook$/, why: "Telegram calls it in webhook mode" },
];

let tdb: TestDatabase;
let app: TestApp;
// biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON.
let document: any;

beforeAll(async () => {
  tdb = await createTestDatabase();
  app = makeTestApp(tdb.db, { config: testConfig({ SANDBOX_MODE: "on" }) }).app;
  document = await (await app.request("/openapi.json")).json();
});
afterAll(async () => {
  await tdb.destroy();
});

/** The API routes the app really serves, as "METHOD /path/{param}". */
function servedRoutes(): string[] {
  const served = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*") || !/^\/(api|healthz)(\/|$)/.test(route.path)) {
      continue;
    }
    const path = openApiPath(route.path.replace(/\/$/, ""));
    if (NOT_DOCUMENTED.some((n) => n.pattern.test(path))) {
      continue;
    }
    served.add(`${route.method} ${path}`);
  }
  return [...served].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((m) => `${m.toUpperCase()} ${path.replace(/\/$/, "")}`),
    )
    .sort();
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document with the API's security schemes and servers", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBe("TADA VTU API");
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["adminKey", "bearer"]);
    expect(document.servers[0].description).toBe("Sandbox");
    expect(document.components.schemas.Error.required).toEqual(
      expect.arrayContaining(["success", "error", "code"]),
    );
  });

  it("describes every API route the app serves, and only those", () => {
    const served = servedRoutes();
    const documented = documentedRoutes();
    expect(
      served.filter((r) => !documented.includes(r)),
      "served but not in /openapi.json",
    ).toEqual([]);
    expect(
      documented.filter((r) => !served.includes(r)),
      "documented but not served",
    ).toEqual([]);
    expect(served.length).toBeGreaterThan(10);
  });

  it("keeps shared schemas non-null (a nullable use is written at the use, not in the component)", () => {
    // `.nullable()` on a schema with an id makes the component itself nullable: every use of it
    // would then be documented as possibly null. Write `z.union([Schema, z.null()])` instead.
    const nullable = Object.entries(document.components.schemas as Record<string, { type?: unknown }>)
      .filter(([, schema]) => Array.isArray(schema.type) && schema.type.includes("null"))
      .map(([name]) => name);
    expect(nullable).toEqual([]);
  });

  it("gives every operation a summary, tags, a success answer and the error envelope", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is read as JSON.
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, where).toEqual(expect.any(String));
        expect(operation.tags?.length, where).toBeGreaterThan(0);
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((s) => s.startsWith("2")),
          where,
        ).toBe(true);
        expect(operation.responses["500"]?.content["application/json"].schema.$ref, where).toBe(
          "#/components/schemas/Error",
        );
      }
    }
  });

  it("documents Idempotency-Key on money-moving POSTs and Idempotent-Replayed on their replays", () => {
    const buy = document.paths["/api/vtu/data"].post;
    expect(buy.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }),
      ]),
    );
    expect(buy.responses["200"].headers["Idempotent-Replayed"]).toBeDefined();
    expect(buy.responses["201"].headers["RateLimit-Remaining"]).toBeDefined();
    expect(buy.requestBody.content["application/json"].example).toMatchObject({ planId: expect.any(String) });
  });

  it("the conformance check catches an answer that does not match the document", () => {
    const check = new DocumentConformance(document);
    const good = {
      success: true,
      data: { phone: "08031234567", network: "mtn", confidence: "prefix", note: "x" },
      timestamp: "2026-12-07T09:30:00.000Z",
      requestId: "r",
    };
    expect(check.check("GET", "/api/vtu/network-guess?phone=0803", 200, good)).toEqual([]);
    expect(check.check("GET", "/api/v1/vtu/network-guess", 200, good)).toEqual([]);
    const wrong = { ...good, data: { ...good.data, confidence: "sure" } };
    expect(check.check("GET", "/api/vtu/network-guess", 200, wrong).join()).toMatch(/confidence/);
    expect(check.check("GET", "/api/vtu/network-guess", 201, good).join()).toMatch(/no 201 answer/);
    expect(check.check("GET", "/api/vtu/network-guess", 400, good).length).toBeGreaterThan(0);
  });
});

describe("/api/v1", () => {
  it("is the same API as /api", async () => {
    const v1 = await app.request("/api/v1/vtu/network-guess?phone=08031234567");
    const plain = await app.request("/api/vtu/network-guess?phone=08031234567");
    expect(v1.status).toBe(200);
    const body = (r: Response) => r.json() as Promise<{ data: unknown }>;
    expect((await body(v1)).data).toEqual((await body(plain)).data);
    expect((await app.request("/api/v1/nope")).status).toBe(404);
  });
});

describe("GET /docs", () => {
  it("serves the docs page and its assets from this origin under a strict CSP", async () => {
    const page = await app.request("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    expect(html).toMatch(/Sandbox/);
    const bundle = await app.request("/docs/assets/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    const init = await (await app.request("/docs/init.js")).text();
    expect(init).toContain('"tryItOutEnabled":true');
  });

  it("turns Try it out off in live mode", async () => {
    const live = makeTestApp(tdb.db, {
      config: testConfig({
        SANDBOX_MODE: "off",
        INLOMAX_API_KEY: "test-key-never-used",
        FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-never-used",
        FLUTTERWAVE_SECRET_HASH: "a-secret-hash-never-used",
      }),
    }).app;
    const init = await (await live.request("/docs/init.js")).text();
    expect(init).toContain('"supportedSubmitMethods":[]');
  });
});
