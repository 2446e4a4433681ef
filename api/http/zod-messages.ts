import type { z } from "zod";

/**
 * The API's wording for a value zod refuses, in place of zod's own ("Invalid input: expected number,
 * received NaN"): what is wrong with the field and what it must be, as the end of a sentence that
 * starts with the field's name ("limit must be a whole number"). Passed as the error map of every
 * request parse (api/http/validate.ts), so a message a schema gives itself still wins; undefined
 * leaves zod's wording for an issue this does not know.
 */
export function humanMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return typeMessage(issue.expected, issue.input);
    case "too_big":
      return boundMessage("most", issue.origin, issue.maximum, issue.inclusive, issue.exact);
    case "too_small":
      return boundMessage("least", issue.origin, issue.minimum, issue.inclusive, issue.exact);
    case "invalid_format":
      return formatMessage(issue.format, issue.input);
    case "invalid_value":
      return oneOf(issue.values, issue.input);
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "invalid_union":
      // A discriminated union names the values its discriminator takes (`recurrence.kind`).
      return "options" in issue && Array.isArray(issue.options)
        ? oneOf(issue.options as readonly unknown[], issue.input)
        : "does not have any of the shapes this field takes; see the API reference";
    case "invalid_key":
      return "has a key that is not allowed";
    case "invalid_element":
      return "has a value that is not allowed";
    default:
      return undefined;
  }
}

/**
 * `.int("must be a whole number of kobo")` gives its message to zod's check that the number is a
 * safe integer too, though that issue is about size: such an issue is worded here, saying the
 * maximum, whatever message the schema gave.
 */
export function isSafeIntegerRange(issue: z.core.$ZodIssue): boolean {
  return (issue.code === "too_big" || issue.code === "too_small") && issue.origin === "int";
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  date: "a date",
  null: "null",
};

function typeMessage(expected: string, input: unknown): string {
  if (input === undefined) {
    return "is required";
  }
  const wanted = TYPE_NAMES[expected] ?? `of type ${expected}`;
  if (typeof input === "number" && Number.isNaN(input)) {
    // A query value such as `limit=abc`: its coercion to a number gave NaN.
    return `must be ${wanted}`;
  }
  if (expected === "int" && typeof input === "number") {
    return `must be ${wanted}, not ${input}`;
  }
  return `must be ${wanted}, not ${kindOf(input)}`;
}

function kindOf(input: unknown): string {
  if (input === null) {
    return "null";
  }
  if (Array.isArray(input)) {
    return "an array";
  }
  return TYPE_NAMES[typeof input] ?? typeof input;
}

function boundMessage(
  side: "most" | "least",
  origin: string,
  bound: number | bigint | Date | unknown,
  inclusive: boolean | undefined,
  exact: boolean | undefined,
): string {
  const n = bound instanceof Date ? bound.toISOString() : String(bound);
  switch (origin) {
    case "string":
      if (exact) {
        return `must be exactly ${n} characters long`;
      }
      return side === "least" && n === "1" ? "must not be empty" : `must be at ${side} ${n} characters long`;
    case "array":
    case "set":
      if (exact) {
        return `must have exactly ${n} items`;
      }
      return side === "least" && n === "1" ? "must not be empty" : `must have at ${side} ${n} items`;
    case "date":
      return side === "most" ? `must be no later than ${n}` : `must be no earlier than ${n}`;
    default:
      if (inclusive === false) {
        return side === "most" ? `must be less than ${n}` : `must be more than ${n}`;
      }
      return `must be at ${side} ${n}`;
  }
}

const DAY_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

function formatMessage(format: string, input: unknown): string {
  switch (format) {
    case "date":
      // z.iso.date() refuses a day that is not on the calendar with the same issue as a bad shape.
      return typeof input === "string" && DAY_SHAPE.test(input)
        ? `is not a real date: ${input} is not on the calendar`
        : "must be a date written YYYY-MM-DD";
    case "datetime":
      return "must be a date and time in ISO 8601 with its offset, like 2026-12-07T09:30:00Z";
    case "email":
      return "must be an email address";
    case "url":
      return "must be a URL";
    case "uuid":
    case "guid":
      return "must be a UUID";
    default:
      return "is not written the way this field expects; see the API reference";
  }
}

function oneOf(values: readonly unknown[], input: unknown): string {
  const listed = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
  if (values.length === 1) {
    return input === undefined ? `is required: ${listed}` : `must be ${listed}`;
  }
  return `${input === undefined ? "is required, " : "must be "}one of: ${listed}`;
}
