import { describe, expect, it } from "vitest";
import {
  describeRecurrence,
  formatLagosDate,
  isLagosDate,
  lagosDate,
  lagosInstant,
  nextOccurrence,
  occurrenceOnOrAfter,
  upcoming,
  weekdayOf,
} from "./recurrence";

describe("recurrence (Lagos dates)", () => {
  it("Lagos is UTC+1: 23:30 UTC is already the next Lagos day", () => {
    expect(lagosDate(new Date("2026-12-31T22:59:59Z"))).toBe("2026-12-31");
    expect(lagosDate(new Date("2026-12-31T23:00:00Z"))).toBe("2027-01-01");
    // No daylight saving: the same offset in July.
    expect(lagosDate(new Date("2026-07-01T23:00:00Z"))).toBe("2026-07-02");
    expect(lagosInstant("2026-12-07", 8).toISOString()).toBe("2026-12-07T07:00:00.000Z");
    expect(lagosInstant("2026-07-07", 0).toISOString()).toBe("2026-07-06T23:00:00.000Z");
  });

  it("monthly on the 31st is the last day of shorter months, leap years included", () => {
    const rule = { kind: "monthly", day: 31 } as const;
    expect(upcoming(rule, "2027-01-01", "2027-01-01", 5)).toEqual([
      "2027-01-31",
      "2027-02-28",
      "2027-03-31",
      "2027-04-30",
      "2027-05-31",
    ]);
    expect(upcoming(rule, "2028-01-31", "2028-01-31", 3)).toEqual(["2028-01-31", "2028-02-29", "2028-03-31"]);
    // 29 Feb in a leap year, 28 Feb otherwise; 2100 is not a leap year, 2000 was.
    const day29 = { kind: "monthly", day: 29 } as const;
    expect(occurrenceOnOrAfter(day29, "2028-02-01", "2028-02-01")).toBe("2028-02-29");
    expect(occurrenceOnOrAfter(day29, "2100-02-01", "2100-02-01")).toBe("2100-02-28");
    expect(occurrenceOnOrAfter(day29, "2000-02-01", "2000-02-01")).toBe("2000-02-29");
    // After a short month, the next run is back on the 31st.
    expect(nextOccurrence(rule, "2027-01-01", "2027-02-28")).toBe("2027-03-31");
  });

  it("monthly on the 1st, from a date past it, is next month's 1st; December rolls into January", () => {
    const rule = { kind: "monthly", day: 1 } as const;
    expect(occurrenceOnOrAfter(rule, "2026-12-07", "2026-12-07")).toBe("2027-01-01");
    expect(nextOccurrence(rule, "2026-12-07", "2027-01-01")).toBe("2027-02-01");
  });

  it("weekly, daily and every N days", () => {
    expect(weekdayOf("2026-12-07")).toBe(1); // a Monday
    const friday = { kind: "weekly", weekday: 5 } as const;
    expect(upcoming(friday, "2026-12-07", "2026-12-07", 3)).toEqual([
      "2026-12-11",
      "2026-12-18",
      "2026-12-25",
    ]);
    expect(occurrenceOnOrAfter(friday, "2026-12-11", "2026-12-11")).toBe("2026-12-11");
    expect(upcoming({ kind: "daily" }, "2026-12-30", "2026-12-30", 3)).toEqual([
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
    ]);
    const every3 = { kind: "every_n_days", days: 3 } as const;
    expect(upcoming(every3, "2028-02-27", "2028-02-27", 3)).toEqual([
      "2028-02-27",
      "2028-03-01",
      "2028-03-04",
    ]);
    // From a date between runs, the next step of the start date's rhythm.
    expect(occurrenceOnOrAfter(every3, "2026-12-01", "2026-12-05")).toBe("2026-12-07");
    // Nothing before the start date.
    expect(occurrenceOnOrAfter({ kind: "daily" }, "2027-01-10", "2026-12-07")).toBe("2027-01-10");
  });

  it("validates dates and says the rule in words", () => {
    expect(isLagosDate("2028-02-29")).toBe(true);
    expect(isLagosDate("2027-02-29")).toBe(false);
    expect(isLagosDate("2027-13-01")).toBe(false);
    expect(isLagosDate("27-01-01")).toBe(false);
    expect(describeRecurrence({ kind: "weekly", weekday: 5 })).toBe("every Friday");
    expect(describeRecurrence({ kind: "monthly", day: 1 })).toBe("every month on the 1st");
    expect(describeRecurrence({ kind: "monthly", day: 31 })).toBe(
      "every month on the 31st (or the month's last day)",
    );
    expect(formatLagosDate("2026-12-11")).toBe("Fri 11 Dec 2026");
  });

  it("gives the same answers whatever the server's time zone", async () => {
    const before = process.env.TZ;
    const results: string[][] = [];
    for (const tz of ["America/Los_Angeles", "Pacific/Kiritimati", "Africa/Lagos", "UTC"]) {
      process.env.TZ = tz;
      results.push([
        lagosDate(new Date("2026-12-31T23:30:00Z")),
        lagosInstant("2027-03-01", 8).toISOString(),
        ...upcoming({ kind: "monthly", day: 31 }, "2028-01-01", "2028-01-01", 3),
        ...upcoming({ kind: "weekly", weekday: 0 }, "2026-12-07", "2026-12-07", 2),
      ]);
    }
    process.env.TZ = before;
    for (const r of results) {
      expect(r).toEqual(results[0]);
    }
    expect(results[0]?.[0]).toBe("2027-01-01");
  });
});
