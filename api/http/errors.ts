import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError, type z } from "zod";
import { ServiceError } from "../services/errors";
import { httpStatusOf } from "../transport/http-status";
import { fail } from "./envelope";

/** Raised by the transport itself (bad JSON, wrong content type, body too large). */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Zod issues as `[{ field, message }]`, the shape clients get in `details`. */
export function zodDetails(error: ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) => detailsOf(issue, []));
}

function detailsOf(issue: z.core.$ZodIssue, parent: PropertyKey[]): { field: string; message: string }[] {
  const path = [...parent, ...issue.path];
  const meant = issue.code === "invalid_union" ? optionMeant(issue.errors) : undefined;
  if (meant) {
    return meant.flatMap((inner) => detailsOf(inner, path));
  }
  return [
    {
      field: path.map(String).join(".") || "(body)",
      message:
        issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
    },
  ];
}

/**
 * A value that is one of several object shapes (a schedule written out, or copied from an order)
 * and fits none: the problems of the shape it meant, so the answer names fields rather than saying
 * "Invalid input". That is the first shape that knows every field sent, else the one with the fewest
 * problems. A value of the wrong type for every option (not an object at all) stays one issue.
 */
function optionMeant(options: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const atRoot = (issues: z.core.$ZodIssue[], code: string) =>
    issues.some((i) => i.path.length === 0 && i.code === code);
  const shaped = options.filter((issues) => issues.length > 0 && !atRoot(issues, "invalid_type"));
  return (
    shaped.find((issues) => !atRoot(issues, "unrecognized_keys")) ??
    shaped.reduce<z.core.$ZodIssue[] | undefined>(
      (best, issues) => (best === undefined || issues.length < best.length ? issues : best),
      undefined,
    )
  );
}

/** The single place where errors become HTTP responses. Unknown errors are logged, never echoed. */
export function handleError(error: Error, c: Context) {
  if (error instanceof ServiceError) {
    if (error.kind === "rate_limited" && typeof error.details?.retryAfterSeconds === "number") {
      c.header("Retry-After", String(error.details.retryAfterSeconds));
    }
    return fail(c, httpStatusOf(error), error.code, error.message, error.details);
  }
  if (error instanceof HttpError) {
    return fail(c, error.status, error.code, error.message, error.details);
  }
  if (error instanceof ZodError) {
    const details = zodDetails(error);
    return fail(
      c,
      400,
      "VALIDATION_ERROR",
      `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join("; ")}`,
      details,
    );
  }
  if (error instanceof HTTPException) {
    return fail(
      c,
      error.status as ContentfulStatusCode,
      `HTTP_${error.status}`,
      error.message || "Request failed.",
    );
  }
  c.get("logger")?.error({ err: error }, "unhandled error");
  return fail(
    c,
    500,
    "INTERNAL_ERROR",
    "Something went wrong on our side. Try again; if it keeps happening, contact support with the requestId.",
  );
}
