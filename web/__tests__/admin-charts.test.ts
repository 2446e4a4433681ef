import { describe, expect, it } from "vitest";
import { compactNaira, niceTicks } from "../pages/admin-charts";

describe("chart axes (issue 21 §9)", () => {
  it("counts get whole-number ticks, at most five, reaching the largest value", () => {
    for (let value = 0; value <= 2_000; value += value < 30 ? 1 : 37) {
      const { max, ticks } = niceTicks(value, 1);
      expect(ticks.every(Number.isInteger), `${value}: ${ticks}`).toBe(true);
      expect(ticks.length, `${value}`).toBeLessThanOrEqual(6);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)).toBe(max);
      expect(max).toBeGreaterThanOrEqual(Math.max(value, 1));
    }
    expect(niceTicks(1, 1).ticks).toEqual([0, 1]);
    expect(niceTicks(3, 1).ticks).toEqual([0, 1, 2, 3]);
    expect(niceTicks(7, 1).ticks).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 1).ticks).toEqual([0, 1]);
  });

  it("money (kobo) gets whole-naira ticks; a rate may step by a fraction", () => {
    for (const kobo of [1, 99, 150, 12_345, 150_000, 2_500_000, 987_654_321]) {
      const { ticks } = niceTicks(kobo, 100);
      expect(
        ticks.every((t) => Number.isInteger(t) && t % 100 === 0),
        `${kobo}: ${ticks}`,
      ).toBe(true);
    }
    expect(niceTicks(150_000, 100).ticks).toEqual([0, 50_000, 100_000, 150_000]);
    expect(niceTicks(0.8).ticks).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8]);
  });

  it("axis money reads short", () => {
    expect(compactNaira(95_000)).toBe("₦950");
    expect(compactNaira(1_250_000)).toBe("₦12.5k");
    expect(compactNaira(15_000_000)).toBe("₦150k");
    expect(compactNaira(120_000_000)).toBe("₦1.2m");
    expect(compactNaira(125_000_000)).toBe("₦1.25m");
  });
});
