import type { z } from "zod";
import { lagosDayStart } from "../analytics/range";
import { parseInput } from "../errors";

export { lagosDayStart };

/**
 * The filters of a panel list, parsed with the list's strict schema: empty fields mean "any", and a
 * wrong one is a ValidationError naming the field ("from: Invalid ISO date.").
 */
export function parseListFilters<S extends z.ZodType>(
  schema: S,
  filters: Record<string, unknown>,
): z.output<S> {
  return parseInput(
    schema,
    Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "" && v !== undefined)),
  );
}
