import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError, type z } from "zod";
import { ServiceError } from "../services/errors";
import { httpStatusOf } from "../transport/http-status";
import { fail } from "./envelope";
import { humanMessage, isSafeIntegerRange } from "./zod-messages";

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

/** Where a validated value came from: clients fix a query parameter differently from a body field. */
export type InputPart = "body" | "query" | "path";

/** One problem as clients get it in `details`: the field, where it was sent, what is wrong with it. */
export type FieldProblem = { field: string; in: InputPart; message: string };

/**
 * Zod issues as `[{ field, in, message }]`, the shape clients get in `details`. `accepted` names what
 * the route takes at the top level, so an unknown name is answered with the names it could have been.
 */
export function zodDetails(
  error: ZodError,
  where: InputPart = "body",
  accepted?: readonly string[],
): FieldProblem[] {
  const details = error.issues.flatMap((issue) => detailsOf(issue, [], where, accepted));
  // Two checks can say the same of one field (`.int()`'s safe range and `.max(MAX_SAFE_INTEGER)`).
  return details.filter(
    (d, i) => details.findIndex((o) => o.field === d.field && o.message === d.message) === i,
  );
}

/** What a problem with the whole part (not one field) is called: "(body)", "(query)", "(path)". */
const WHOLE: Record<InputPart, string> = { body: "(body)", query: "(query)", path: "(path)" };
const UNKNOWN: Record<InputPart, string> = {
  body: "unknown field(s)",
  query: "unknown parameter(s)",
  path: "unknown path parameter(s)",
};

function detailsOf(
  issue: z.core.$ZodIssue,
  parent: PropertyKey[],
  where: InputPart,
  accepted: readonly string[] | undefined,
): FieldProblem[] {
  const path = [...parent, ...issue.path];
  const meant = issue.code === "invalid_union" ? optionMeant(issue.errors) : undefined;
  if (meant) {
    return meant.flatMap((inner) => detailsOf(inner, path, where, accepted));
  }
  return [
    {
      field: path.map(String).join(".") || WHOLE[where],
      in: where,
      message:
        issue.code === "unrecognized_keys"
          ? `${UNKNOWN[where]}: ${issue.keys.join(", ")}${
              path.length === 0 && accepted?.length ? ` (this route takes: ${accepted.join(", ")})` : ""
            }`
          : isSafeIntegerRange(issue)
            ? (humanMessage(issue as z.core.$ZodRawIssue) ?? issue.message)
            : issue.message,
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
