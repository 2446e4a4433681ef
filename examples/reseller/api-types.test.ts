import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { API_TYPES_FILE, generateApiTypes } from "../../scripts/api-types";

it("the example client's types are what the API's OpenAPI document generates (run `npm run api:types`)", async () => {
  const committed = readFileSync(API_TYPES_FILE, "utf8");
  const generated = await generateApiTypes();
  expect(committed === generated, "examples/reseller/api-types.ts is stale: run `npm run api:types`").toBe(
    true,
  );
  expect(generated).toContain('"/api/vtu/data"');
});
