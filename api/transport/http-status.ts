import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorKind, ServiceError } from "../services/errors";

const STATUS: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
};

/** The HTTP status of a service error: one mapping for the API and the server-rendered pages. */
export function httpStatusOf(error: ServiceError): ContentfulStatusCode {
  return STATUS[error.kind];
}
