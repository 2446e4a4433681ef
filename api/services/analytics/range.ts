import { ValidationError } from "../errors";

/** The business runs on Lagos days (Africa/Lagos, UTC+1 all year), whatever the server's zone. */
export const BUSINESS_TIME_ZONE = "Africa/Lagos";

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The longest range a report covers: a year and a day, so "the same day last year" fits. */
export const MAX_RANGE_DAYS = 366;

const lagosFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: BUSINESS_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Lagos calendar day of an instant, as 'YYYY-MM-DD'. */
export function lagosDay(at: Date): string {
  return lagosFormat.format(at);
}

/**
 * The instant a Lagos day starts (`plusDays` later): list filters run from the start of `from` to the
 * start of the day after `to`. West Africa Time is UTC+1 all year (no DST).
 */
export function lagosDayStart(day: string, plusDays = 0): Date {
  return new Date(Date.parse(`${day}T00:00:00+01:00`) + plusDays * DAY_MS);
}

/** True for a real calendar day written 'YYYY-MM-DD' (2026-02-30 is not one). */
export function isDay(value: string): boolean {
  if (!DAY.test(value)) {
    return false;
  }
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** `day` moved by `n` calendar days (calendar arithmetic on the date, not on instants). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    days.push(day);
  }
  return days;
}

export type DayRange = { from: string; to: string };

/**
 * A report's range from what a person typed: two days, `from` ≤ `to` ≤ today (Lagos), at most
 * MAX_RANGE_DAYS long. Missing ends default to the last 30 days. Errors say what to change.
 */
export function parseRange(input: { from?: string; to?: string }, today: string): DayRange {
  const from = (input.from ?? "").trim();
  const to = (input.to ?? "").trim() || today;
  for (const [name, value] of [
    ["to", to],
    ["from", from],
  ] as const) {
    if (value && !isDay(value)) {
      throw new ValidationError(
        `"${value}" is not a date: write the ${name === "from" ? "start" : "end"} day as YYYY-MM-DD, e.g. ${today}.`,
        { field: name },
      );
    }
  }
  const start = from || addDays(to, -29);
  if (to > today) {
    throw new ValidationError(
      `The range ends in the future (${to}); the last day with data is today, ${today}.`,
      {
        field: "to",
      },
    );
  }
  if (start > to) {
    throw new ValidationError(`The start day (${start}) is after the end day (${to}): swap them.`, {
      field: "from",
    });
  }
  const length = daysBetween(start, to).length;
  if (length > MAX_RANGE_DAYS) {
    throw new ValidationError(
      `That range is ${length} days; a report covers at most ${MAX_RANGE_DAYS}. Pick a later start day.`,
      { field: "from" },
    );
  }
  return { from: start, to };
}
