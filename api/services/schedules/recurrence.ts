/**
 * Recurrence in Lagos dates (Africa/Lagos: UTC+1 all year, no daylight saving). Dates are
 * 'YYYY-MM-DD' strings and all arithmetic is done on UTC calendar values, never on the server's
 * local zone, so a server in any TZ computes the same dates.
 */

export type Recurrence =
  | { kind: "daily" }
  | { kind: "weekly"; weekday: number }
  | { kind: "monthly"; day: number }
  | { kind: "every_n_days"; days: number };

/**
 * Cable auto-renew (DECISIONS §67): not a calendar rule but the card's due date, `daysBefore` days
 * ahead of it. Its dates come from the card (api/services/schedules/auto-renew.ts), never from here.
 */
export type BeforeDue = { kind: "before_due"; daysBefore: number };

/** What a schedule's recurrence can be: a calendar rule, or days before a cable card's due date. */
export type ScheduleRecurrence = Recurrence | BeforeDue;

/** Lagos is UTC+1 with no DST. */
const LAGOS_OFFSET_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;

/** Is this a real calendar date written as YYYY-MM-DD? */
export function isLagosDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) {
    return false;
  }
  return toIso(fromIso(value)) === value;
}

/** Days since 1970-01-01 of a YYYY-MM-DD date (UTC calendar arithmetic). */
function fromIso(date: string): number {
  const m = DATE.exec(date);
  if (!m) {
    throw new RangeError(`not a date: ${date}`);
  }
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
}

function toIso(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** The Lagos calendar date at an instant. */
export function lagosDate(instant: Date): string {
  return new Date(instant.getTime() + LAGOS_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Lagos date's hour (0–23) begins. */
export function lagosInstant(date: string, hour = 0): Date {
  return new Date(fromIso(date) * DAY_MS + hour * 3_600_000 - LAGOS_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  return toIso(fromIso(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((fromIso(date) + 4) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The first day of the date's month, 'YYYY-MM-01'. */
export function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** The first day of the next month. */
export function nextMonthStart(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

/** The monthly due date in the month of `date`: the day, or the month's last day when shorter. */
function monthlyDateIn(date: string, day: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Math.min(day, daysInMonth(y, m));
  return `${date.slice(0, 7)}-${String(d).padStart(2, "0")}`;
}

/**
 * The first due date on or after `from` of a recurrence that starts on `start` (no date before
 * `start` is ever due).
 */
export function occurrenceOnOrAfter(rule: Recurrence, start: string, from: string): string {
  const at = from < start ? start : from;
  switch (rule.kind) {
    case "daily":
      return at;
    case "weekly":
      return addDays(at, (rule.weekday - weekdayOf(at) + 7) % 7);
    case "monthly": {
      const here = monthlyDateIn(at, rule.day);
      return here >= at ? here : monthlyDateIn(nextMonthStart(at), rule.day);
    }
    case "every_n_days": {
      const since = fromIso(at) - fromIso(start);
      const steps = Math.ceil(since / rule.days);
      return addDays(start, steps * rule.days);
    }
  }
}

/** The due date after `date`. */
export function nextOccurrence(rule: Recurrence, start: string, date: string): string {
  return occurrenceOnOrAfter(rule, start, addDays(date, 1));
}

/** The next `count` due dates on or after `from` (for showing a schedule). */
export function upcoming(rule: Recurrence, start: string, from: string, count: number): string[] {
  const out: string[] = [];
  let date = occurrenceOnOrAfter(rule, start, from);
  for (let i = 0; i < count; i++) {
    out.push(date);
    date = nextOccurrence(rule, start, date);
  }
  return out;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) {
    return `${n}th`;
  }
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

/**
 * "every day", "every Friday", "every month on the 31st (or the month's last day)", "every 3 days",
 * "2 days before each due date".
 */
export function describeRecurrence(rule: ScheduleRecurrence): string {
  switch (rule.kind) {
    case "before_due":
      return rule.daysBefore === 0
        ? "on each due date"
        : `${rule.daysBefore} day${rule.daysBefore === 1 ? "" : "s"} before each due date`;
    case "daily":
      return "every day";
    case "weekly": {
      const name = WEEKDAYS[rule.weekday] ?? "day";
      return `every ${name[0]?.toUpperCase()}${name.slice(1)}`;
    }
    case "monthly":
      return rule.day > 28
        ? `every month on the ${ordinal(rule.day)} (or the month's last day)`
        : `every month on the ${ordinal(rule.day)}`;
    case "every_n_days":
      return `every ${rule.days} days`;
  }
}

/** "Fri 11 Dec 2026" for a Lagos date (computed from the date, not the local zone). */
export function formatLagosDate(date: string): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${days[weekdayOf(date)]} ${Number(date.slice(8, 10))} ${months[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}
