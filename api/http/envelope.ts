import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The one response format of the API:
 *   { success: true,  data, message?, timestamp, requestId }
 *   { success: false, error, code, details?, timestamp, requestId }
 */
export type SuccessEnvelope<T> = {
  success: true;
  data: T;
  message?: string;
  timestamp: string;
  requestId: string;
};
export type ErrorEnvelope = {
  success: false;
  error: string;
  code: string;
  details?: unknown;
  timestamp: string;
  requestId: string;
};

export function ok<T>(
  c: Context,
  data: T,
  options: { status?: ContentfulStatusCode; message?: string } = {},
) {
  const body: SuccessEnvelope<T> = {
    success: true,
    data,
    ...(options.message ? { message: options.message } : {}),
    timestamp: new Date().toISOString(),
    requestId: c.get("requestId") ?? "unknown",
  };
  return c.json(body, options.status ?? 200);
}

export function fail(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  error: string,
  details?: unknown,
) {
  const body: ErrorEnvelope = {
    success: false,
    error,
    code,
    ...(details === undefined ? {} : { details }),
    timestamp: new Date().toISOString(),
    requestId: c.get("requestId") ?? "unknown",
  };
  return c.json(body, status);
}
