import { describe, expect, it } from "vitest";
import type { Network } from "../vtu/provider";
import type { DataPlanDto } from "./listings";
import {
  formatDataSize,
  MONTHLY_NEED_MB,
  needFor,
  type PlanHistoryEntry,
  pricePerGbKobo,
  recommendPlans,
} from "./recommend-plans";

const plan = (
  network: Network,
  sizeMb: number,
  days: number,
  family: string,
  naira: number,
): DataPlanDto => ({
  id: `data:${network}:${sizeMb}mb:${days}d:${family}`,
  network,
  name: `${network.toUpperCase()} ${formatDataSize(sizeMb)} · ${days} days · ${family.toUpperCase()}`,
  sizeMb,
  validityDays: days,
  family,
  priceKobo: naira * 100,
});

/** Like the sandbox catalogue, with a margin on top. */
const CATALOGUE: DataPlanDto[] = [
  plan("mtn", 500, 30, "sme", 400),
  plan("mtn", 1024, 30, "sme", 650),
  plan("mtn", 2048, 30, "sme", 1300),
  plan("mtn", 5120, 30, "sme", 3200),
  plan("mtn", 1024, 7, "gifting", 800),
  plan("mtn", 10240, 30, "cg", 6000),
  plan("airtel", 1024, 30, "cg", 660),
  plan("airtel", 2048, 30, "cg", 1320),
  plan("airtel", 10240, 30, "gifting", 6200),
  plan("glo", 1024, 30, "cg", 470),
  plan("glo", 2048, 30, "cg", 920),
  plan("glo", 5120, 30, "cg", 2300),
];

const ids = (r: ReturnType<typeof recommendPlans>) => r.plans.map((p) => p.plan.id);
const history = (id: string, count: number): PlanHistoryEntry => {
  const p = CATALOGUE.find((c) => c.id === id) as DataPlanDto;
  return { planId: p.id, network: p.network, sizeMb: p.sizeMb, validityDays: p.validityDays, count };
};

describe("recommendPlans", () => {
  it("never shows a plan above the budget, and shows the best value per GB first", () => {
    const r = recommendPlans({ plans: CATALOGUE, request: { budgetKobo: 150_000, network: "mtn" } });
    expect(r.plans.every((p) => p.plan.priceKobo <= 150_000)).toBe(true);
    // ₦650/GB, ₦650/GB (the cheaper first), ₦800/GB; the 500MB plan is ₦819.20/GB.
    expect(ids(r)).toEqual([
      "data:mtn:1024mb:30d:sme",
      "data:mtn:2048mb:30d:sme",
      "data:mtn:1024mb:7d:gifting",
    ]);
    expect(r.plans[0]?.pricePerGbKobo).toBe(65_000);
    expect(r.plans[0]?.reasons).toEqual([
      { kind: "fits_budget", budgetKobo: 150_000 },
      { kind: "best_value" },
    ]);
    expect(r.networkFrom).toBe("said");
  });

  it("usage words set a monthly need: the cheapest plan covering it first, then the biggest short of it", () => {
    const r = recommendPlans({
      plans: CATALOGUE,
      request: { network: "mtn", usage: ["whatsapp", "social"] },
    });
    expect(r.needMb).toBe(4096); // social, the heavier of the two
    // Holding 4GB: 5GB ₦3,200, 10GB ₦6,000; then the biggest short of it: 2GB.
    expect(ids(r)).toEqual(["data:mtn:5120mb:30d:sme", "data:mtn:10240mb:30d:cg", "data:mtn:2048mb:30d:sme"]);
    expect(r.plans[0]?.reasons).toContainEqual({ kind: "covers_need", needMb: 4096 });
  });

  it("with a budget too small for the need, the biggest plans within it, marked short of the need", () => {
    const r = recommendPlans({
      plans: CATALOGUE,
      request: { network: "mtn", usage: ["youtube"], budgetKobo: 200_000 },
    });
    // Nothing within ₦2,000 holds 10GB: the biggest first, then (same size) the better value per GB.
    expect(ids(r)).toEqual([
      "data:mtn:2048mb:30d:sme",
      "data:mtn:1024mb:30d:sme",
      "data:mtn:1024mb:7d:gifting",
    ]);
    expect(r.plans.every((p) => p.reasons.some((x) => x.kind === "below_need"))).toBe(true);
  });

  it("without a network said, uses the network the customer buys most, and their usual plan first", () => {
    const r = recommendPlans({
      plans: CATALOGUE,
      request: {},
      history: [history("data:airtel:2048mb:30d:cg", 3), history("data:mtn:1024mb:30d:sme", 1)],
    });
    expect(r.network).toBe("airtel");
    expect(r.networkFrom).toBe("history");
    expect(ids(r)[0]).toBe("data:airtel:2048mb:30d:cg");
    expect(r.plans[0]?.reasons).toContainEqual({ kind: "usual", count: 3 });
  });

  it("without a network or history, compares every network by price per GB", () => {
    const r = recommendPlans({ plans: CATALOGUE, request: { budgetKobo: 100_000 } });
    expect(r.networkFrom).toBe("all");
    expect(r.network).toBeUndefined();
    expect(ids(r)).toEqual(["data:glo:2048mb:30d:cg", "data:glo:1024mb:30d:cg", "data:mtn:1024mb:30d:sme"]);
  });

  it("a validity said asks for that period's share of the need", () => {
    const r = recommendPlans({
      plans: CATALOGUE,
      request: { network: "mtn", usage: ["social"], validityDays: 7 },
    });
    expect(r.needMb).toBe(956); // 4GB × 7/30
    expect(ids(r)).toEqual(["data:mtn:1024mb:7d:gifting"]);
    expect(r.plans[0]?.reasons).toContainEqual({ kind: "covers_need", needMb: 956 });
  });

  it("a validity said keeps only plans with it; none with it keeps all and says so", () => {
    const weekly = recommendPlans({ plans: CATALOGUE, request: { network: "mtn", validityDays: 7 } });
    expect(ids(weekly)).toEqual(["data:mtn:1024mb:7d:gifting"]);
    expect(weekly.plans[0]?.reasons).toContainEqual({ kind: "validity_matches", days: 7 });
    const daily = recommendPlans({ plans: CATALOGUE, request: { network: "glo", validityDays: 1 } });
    expect(daily.validityMissing).toBe(true);
    expect(ids(daily)).toHaveLength(3);
  });

  it("a budget below the cheapest plan shows nothing, and the cheapest as the alternative", () => {
    const r = recommendPlans({ plans: CATALOGUE, request: { network: "mtn", budgetKobo: 20_000 } });
    expect(r.plans).toEqual([]);
    expect(r.cheapest?.plan.id).toBe("data:mtn:500mb:30d:sme");
  });

  it("is deterministic: ties go to the lower price, then the plan id, whatever the input order", () => {
    const twins = [
      { ...plan("mtn", 1024, 30, "sme", 650), id: "b" },
      { ...plan("mtn", 1024, 30, "cg", 650), id: "a" },
      plan("mtn", 2048, 30, "sme", 1300),
    ];
    const forward = recommendPlans({ plans: twins, request: { network: "mtn" } });
    const backward = recommendPlans({ plans: [...twins].reverse(), request: { network: "mtn" } });
    expect(ids(forward)).toEqual(["a", "b", "data:mtn:2048mb:30d:sme"]);
    expect(ids(backward)).toEqual(ids(forward));
  });

  it("prices per GB in whole kobo and sizes as plan names write them", () => {
    expect(pricePerGbKobo({ priceKobo: 40_000, sizeMb: 500 })).toBe(81_920);
    expect(formatDataSize(1536)).toBe("1.5GB");
    expect(formatDataSize(500)).toBe("500MB");
    expect(needFor(undefined)).toBeUndefined();
    expect(needFor(["streaming", "whatsapp"])).toBe(MONTHLY_NEED_MB.streaming);
  });
});
