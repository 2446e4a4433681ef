import type { z } from "zod";

/**
 * Typed service errors. `message` is written for the person who has to act on it: what was wrong and
 * what to do. Each transport maps `kind` once (HTTP status, chat reply); anything that is not a
 * ServiceError is a bug and reaches users only as a generic apology.
 */
export type ErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unprocessable"
  | "locked"
  | "rate_limited"
  | "unavailable";

export class ServiceError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ServiceError {
  constructor(message: string, details?: Record<string, unknown>, code = "VALIDATION_ERROR") {
    super("invalid", code, message, details);
  }
}

export class AuthenticationError extends ServiceError {
  constructor(
    message = "Sign in first: send `Authorization: Bearer <token or API key>`.",
    code = "UNAUTHENTICATED",
  ) {
    super("unauthenticated", code, message);
  }
}

export class ForbiddenError extends ServiceError {
  constructor(message: string, code = "FORBIDDEN") {
    super("forbidden", code, message);
  }
}

export class NotFoundError extends ServiceError {
  constructor(what: string, code = "NOT_FOUND") {
    super("not_found", code, `${what} was not found.`);
  }
}

export class ConflictError extends ServiceError {
  constructor(message: string, code = "CONFLICT", details?: Record<string, unknown>) {
    super("conflict", code, message, details);
  }
}

export class InsufficientFundsError extends ServiceError {
  /** The message speaks to the customer unless a caller words it for someone else (an admin). */
  constructor(
    availableKobo: number,
    requiredKobo: number,
    message = "Your wallet balance is too low for this. Fund your wallet and try again.",
  ) {
    super("unprocessable", "INSUFFICIENT_FUNDS", message, { availableKobo, requiredKobo });
  }
}

export class IncorrectPinError extends ServiceError {
  constructor(attemptsLeft: number) {
    super(
      "unprocessable",
      "INCORRECT_PIN",
      attemptsLeft > 0
        ? `Incorrect PIN. ${attemptsLeft} attempt${attemptsLeft === 1 ? "" : "s"} left before your PIN is locked.`
        : "Incorrect PIN.",
      { attemptsLeft },
    );
  }
}

export class PinLockedError extends ServiceError {
  constructor(lockedUntil: Date) {
    super(
      "locked",
      "PIN_LOCKED",
      `Your PIN is locked after too many wrong attempts. Try again after ${lockedUntil.toISOString()}, or reset it with forgot-pin.`,
      { lockedUntil: lockedUntil.toISOString() },
    );
  }
}

export class RateLimitedError extends ServiceError {
  constructor(retryAfterSeconds: number) {
    super(
      "rate_limited",
      "RATE_LIMITED",
      `Too many requests. Wait ${retryAfterSeconds} seconds and try again.`,
      {
        retryAfterSeconds,
      },
    );
  }
}

/**
 * Parse a service's input with its strict schema, turning the first problem into a ValidationError
 * that names the field ("reason: say why …"), so every transport shows it the same way. `root`
 * names the input itself when the problem is not in one field. `labels` names a field the way its
 * form does ("Checks after delivery" for offsetsSeconds, whichever item is wrong); `details.field`
 * stays the field's path.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root = "input",
  labels: Record<string, string> = {},
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") || root;
  const label = labels[String(issue?.path[0] ?? root)] ?? field;
  throw new ValidationError(`${label}: ${issue?.message ?? "is invalid"}.`, { field });
}
