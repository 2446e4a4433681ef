import { describe, expect, it } from "vitest";
import { drawChoices, hoursChoices, lagosLabel, parseDrawTime, parseHours } from "./gift-time";

/** 17:30 in Lagos (UTC+1) on a Wednesday. */
const NOW = new Date("2026-11-25T16:30:00Z");
const at = (choice?: string, text?: string) => parseDrawTime(NOW, { choice, text })?.toISOString();

describe("gift room times (Lagos)", () => {
  it("reads the draw buttons in Lagos time", () => {
    expect(drawChoices(NOW).map((c) => c.id)).toEqual([
      "draw:m60",
      "draw:m360",
      "draw:tonight",
      "draw:tomorrow",
    ]);
    expect(at("draw:m60")).toBe("2026-11-25T17:30:00.000Z");
    expect(at("draw:tonight")).toBe("2026-11-25T19:00:00.000Z");
    expect(at("draw:tomorrow")).toBe("2026-11-26T19:00:00.000Z");
    // After 7:45pm in Lagos "tonight 8pm" is no longer offered.
    expect(drawChoices(new Date("2026-11-25T18:50:00Z")).map((c) => c.id)).not.toContain("draw:tonight");
  });

  it("reads typed times, and refuses what is unreadable or too soon", () => {
    expect(at(undefined, "in 30 min")).toBe("2026-11-25T17:00:00.000Z");
    expect(at(undefined, "2 hours")).toBe("2026-11-25T18:30:00.000Z");
    expect(at(undefined, "tomorrow 9am")).toBe("2026-11-26T08:00:00.000Z");
    expect(at(undefined, "8:30pm")).toBe("2026-11-25T19:30:00.000Z");
    // 9am today has passed: the next 9am.
    expect(at(undefined, "9am")).toBe("2026-11-26T08:00:00.000Z");
    expect(at(undefined, "today 9am")).toBeUndefined();
    expect(at(undefined, "in 2 min")).toBeUndefined();
    expect(at(undefined, "13pm")).toBeUndefined();
    expect(at(undefined, "soon")).toBeUndefined();
  });

  it("labels times in Lagos and offers only room lengths that end after the draw", () => {
    expect(lagosLabel(new Date("2026-11-25T19:00:00Z"))).toBe("Wed 25 Nov, 20:00 Lagos time");
    expect(hoursChoices(NOW, 168, undefined).map((c) => c.id)).toEqual([
      "hours:6",
      "hours:24",
      "hours:48",
      "hours:72",
      "hours:168",
    ]);
    expect(hoursChoices(NOW, 48, new Date("2026-11-26T19:00:00Z")).map((c) => c.id)).toEqual(["hours:48"]);
    expect(parseHours("12")).toBe(12);
    expect(parseHours("2 days")).toBe(48);
    expect(parseHours("0")).toBeUndefined();
    expect(parseHours("soon")).toBeUndefined();
  });
});
