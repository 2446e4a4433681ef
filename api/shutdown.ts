import type { Logger } from "./logger";

/**
 * Whether this process has begun its orderly stop (Ctrl-C, SIGTERM). Once it has, a connection that
 * drops because the stop closed it is what a stop does, not a fault: it is logged at debug level, so
 * a stop prints no error lines. The same error while the process runs is still an error.
 */
let stopping = false;

export function beginShutdown(): void {
  stopping = true;
}

export function isShuttingDown(): boolean {
  return stopping;
}

/**
 * PostgreSQL's "terminating connection due to administrator command" (57P01), "crash shutdown"
 * (57P02), "the database system is shutting down" (57P03), a refused or reset socket, and the
 * messages pg, pg-pool and ioredis give for a connection or pool that was closed under a caller.
 */
const STOP_CODES = new Set(["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET", "EPIPE"]);
const STOP_MESSAGES =
  /Connection terminated|after calling end on the pool|is not queryable|Connection is closed|Client was closed/i;

export function isConnectionClosedError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) {
    return false;
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (typeof code === "string" && STOP_CODES.has(code)) ||
    (typeof message === "string" && STOP_MESSAGES.test(message))
  );
}

/** `level`, or debug for a closed connection while the process stops (see beginShutdown). */
export function levelDuringShutdown(error: unknown, level: "error" | "warn"): "error" | "warn" | "debug" {
  return stopping && isConnectionClosedError(error) ? "debug" : level;
}

/** Log `error` at `level` (debug when the stop caused it): for libraries' background 'error' events. */
export function logBackgroundError(
  logger: Logger,
  level: "error" | "warn",
  error: unknown,
  fields: Record<string, unknown>,
  message: string,
): void {
  logger[levelDuringShutdown(error, level)]({ ...fields, err: error }, message);
}
