/**
 * Calendar days in Lagos (UTC+1 all year, no daylight saving) as "YYYY-MM-DD" strings: the cable due
 * dates providers return and the reminders counted from them (DECISIONS §66).
 */

const LAGOS_OFFSET_MS = 60 * 60 * 1000;

/** The Lagos calendar day of an instant. */
export function lagosDate(at: Date): string {
  return new Date(at.getTime() + LAGOS_OFFSET_MS).toISOString().slice(0, 10);
}

/** A calendar day moved by `days` (negative: back). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both calendar days). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * A provider's due date as a Lagos calendar day: "2026-12-10", "2026-12-10T00:00:00", "2026-12-10
 * 23:59:59" (a date without a zone is taken as written: it is the biller's own calendar day), or
 * anything else `Date` reads (an instant with a zone is turned into its Lagos day). Undefined when empty or unreadable (no due date is better than
 * a wrong one).
 */
export function dueDateOf(value: string | null | undefined): string | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(text);
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
  if (iso && !zoned) {
    const date = `${iso[1]}-${iso[2]}-${iso[3]}`;
    return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? undefined : date;
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : lagosDate(new Date(parsed));
}
