import { z } from "zod";

/**
 * The API's one response format (api/http/envelope.ts) as schemas, so the OpenAPI document
 * describes exactly what `ok()` and `fail()` write.
 */
export function successEnvelope<S extends z.ZodType>(data: S) {
  return z.object({
    success: z.literal(true),
    data,
    message: z.string().optional().meta({ description: "A sentence for a person, when there is one." }),
    timestamp: z.iso.datetime({ offset: true }),
    requestId: z.string().meta({ description: "Quote it when you contact support." }),
  });
}

export const ErrorEnvelope = z
  .object({
    success: z.literal(false),
    error: z.string().meta({ description: "What was wrong and what to do, for a person." }),
    code: z.string().meta({ description: "A stable code to branch on.", example: "VALIDATION_ERROR" }),
    details: z.unknown().optional().meta({
      description:
        "More about the error: for VALIDATION_ERROR a list of { field, in, message }, `in` being body, query or path.",
    }),
    timestamp: z.iso.datetime({ offset: true }),
    requestId: z.string(),
  })
  .meta({ id: "Error", description: "Every error has this shape; branch on `code`." });

/** A page of a list: every list route answers with `items` and the cursor of the next page. */
export function page<S extends z.ZodType>(item: S) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` to get the next page; null on the last page." }),
  });
}

/** Integer kobo (₦1 = 100 kobo): every amount in the API. */
export const Kobo = z.number().int().meta({ description: "Amount in kobo (₦1 = 100 kobo).", example: 50000 });

/** An ISO 8601 time with its offset, as every time in the API is written. */
export const IsoTime = z.iso.datetime({ offset: true }).meta({ example: "2026-12-07T09:30:00.000Z" });

/**
 * A whole list in the list shape plus the array under the name it had before v1, marked deprecated
 * (DECISIONS §73): `{ items, nextCursor: null, <legacy>: items }`.
 */
export function listWithLegacyName<S extends z.ZodType, K extends string>(item: S, legacy: K) {
  return page(item).extend({
    [legacy]: z.array(item).meta({
      deprecated: true,
      description: "Same as `items`; kept for clients written before v1. Removed in v2.",
    }),
  } as Record<K, z.ZodArray<S>>);
}

/** The value a listWithLegacyName schema describes. */
export function listed<T, K extends string>(items: T[], legacy: K) {
  return { items, nextCursor: null, [legacy]: items } as { items: T[]; nextCursor: null } & Record<K, T[]>;
}

/** The query of a paged list: `limit` (1–100, 20 unless given) and the `cursor` a page gave. */
export function pageQuery(cursor: z.ZodType<string>) {
  return z.strictObject({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "At most 100; 20 unless given." }),
    cursor: cursor.optional(),
  });
}
