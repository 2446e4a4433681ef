import type { Context } from "hono";
import { z } from "zod";
import { HttpError, type InputPart, zodDetails } from "./errors";
import { humanMessage } from "./zod-messages";

/**
 * Read a JSON body and parse it with a strict zod schema. Clear 415/400 errors for the wrong
 * content type, unparseable JSON, unknown fields and invalid values.
 */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with `Content-Type: application/json`.",
    );
  }
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new HttpError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
  return parseWith(schema, raw, "body");
}

/**
 * The Idempotency-Key header every money-moving POST needs; `what` finishes the sentence "so a
 * retried request …" (e.g. "can never buy twice").
 */
export function idempotencyKey(c: Context, what: string): string {
  const key = optionalIdempotencyKey(c);
  if (key === undefined) {
    throw new HttpError(
      400,
      "IDEMPOTENCY_KEY_REQUIRED",
      `Send an \`Idempotency-Key\` header (e.g. a UUID) so a retried request ${what}.`,
    );
  }
  return key;
}

/** 1–255 visible ASCII characters: a UUID fits, and the key is stored under a UNIQUE index. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header when sent (checked), for routes where it is optional. */
export function optionalIdempotencyKey(c: Context): string | undefined {
  const key = c.req.header("idempotency-key");
  if (key === undefined || key === "") {
    return undefined;
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(
      400,
      "INVALID_IDEMPOTENCY_KEY",
      `The Idempotency-Key header must be 1–255 visible ASCII characters, such as a UUID (got ${key.length} characters${
        /^[\x21-\x7e]*$/.test(key) ? "" : ", some of them spaces, control characters or non-ASCII"
      }).`,
      { field: "Idempotency-Key", in: "header" },
    );
  }
  return key;
}

export function queryParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), "query");
}

/** The route's path parameters (`/orders/:id` → `{ id }`), refused as path parameters. */
export function pathParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.param(), "path");
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown, where: InputPart): z.output<S> {
  const parsed = schema.safeParse(raw, { error: humanMessage });
  if (!parsed.success) {
    // The names an object schema takes, for "unknown parameter(s): state (this route takes: …)".
    const accepted = schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
    const details = zodDetails(parsed.error, where, accepted);
    throw new HttpError(
      400,
      "VALIDATION_ERROR",
      `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join("; ")}`,
      details,
    );
  }
  return parsed.data;
}
