import { NETWORKS, type Network } from "../vtu/provider";
import type { DataPlanDto } from "./listings";

/**
 * Data plan advice (issue 16, item 5): pure and deterministic, so the same catalogue, request and
 * history always give the same three plans in the same order. Everything shown to the customer is a
 * catalogue row; this module only filters and orders them and says why (DECISIONS §55).
 */

/** Words for how the data will be used (the recommend intent's `usage`). */
export const DATA_USAGE_WORDS = [
  "whatsapp",
  "social",
  "youtube",
  "streaming",
  "browsing",
  "work",
  "gaming",
] as const;
export type DataUsage = (typeof DATA_USAGE_WORDS)[number];

const GB = 1024;

/**
 * About how much data a month each use needs, in binary MB. The one table of these figures; the
 * reasons are rough rates for a phone on a Nigerian network, at the quality a phone picks on its own:
 * - whatsapp 1.5GB: chats and voice notes are small; photos, status videos and a few calls add up.
 * - browsing 2GB: news, search, the odd page with pictures.
 * - gaming 3GB: online play itself is light (~50MB an hour); updates and voice chat are not.
 * - social 4GB: Facebook, Instagram and TikTok feeds autoplay video (~0.5GB an hour of scrolling).
 * - work 5GB: email, documents and a few hours of video calls a week.
 * - youtube 10GB: about 10 hours a month of video at 480p (~1GB an hour at phone quality).
 * - streaming 15GB: films and series (Netflix, Showmax) at 1–3GB an hour.
 * Several words: the heaviest use sets the need (the lighter ones fit in its margin).
 */
export const MONTHLY_NEED_MB: Readonly<Record<DataUsage, number>> = {
  whatsapp: 1.5 * GB,
  browsing: 2 * GB,
  gaming: 3 * GB,
  social: 4 * GB,
  work: 5 * GB,
  youtube: 10 * GB,
  streaming: 15 * GB,
};

/** Days in the month the needs above are for. */
const MONTH_DAYS = 30;
export const MAX_RECOMMENDED = 3;

export type PlanRequest = {
  budgetKobo?: number;
  network?: Network;
  usage?: readonly DataUsage[];
  validityDays?: number;
};

/** One plan the customer had delivered before, with how many times (their own data orders). */
export type PlanHistoryEntry = {
  planId: string;
  network: Network;
  sizeMb: number;
  validityDays: number;
  count: number;
};

/** Why a plan is shown: each reason is a fact about the catalogue row and the request. */
export type PlanReason =
  | { kind: "fits_budget"; budgetKobo: number }
  | { kind: "covers_need"; needMb: number }
  | { kind: "below_need"; needMb: number }
  | { kind: "validity_matches"; days: number }
  | { kind: "usual"; count: number }
  | { kind: "best_value" };

export type RankedPlan = {
  plan: DataPlanDto;
  /** Integer kobo per binary GB, rounded: what 1GB of this plan costs. */
  pricePerGbKobo: number;
  reasons: PlanReason[];
};

export type PlanRecommendation = {
  /** Up to three plans, best first. Empty when nothing fits (see `cheapest`). */
  plans: RankedPlan[];
  /** The network the advice is for, and why; undefined means every network was compared. */
  network?: Network;
  networkFrom: "said" | "history" | "all";
  /** The need from the usage words (a month's, or the validity said's share), when any were said. */
  needMb?: number;
  /** A validity was asked for but no plan has it: the plans shown have other validities. */
  validityMissing: boolean;
  /** The cheapest plan considered, when nothing fits the budget (shown instead, marked as such). */
  cheapest?: RankedPlan;
};

/**
 * Rank the catalogue's data plans for a request. The rule, in order:
 * 1. Network: the one said, else the one the customer's delivered data orders use most, else all.
 * 2. Never a plan above the budget; a validity said keeps only plans with it (unless none has it).
 * 3. With usage words: plans that hold the need (a month's, or the validity said's share of it)
 *    first, the cheapest of those first; plans short of it after, the biggest first. A weekly 1GB
 *    does not hold 4GB a month: the need is for the period asked about, not the plan's.
 *    Without: what the customer usually buys first (most bought), then the rest.
 * 4. Then the lowest price per GB, then the lowest price, then the plan id.
 */
export function recommendPlans(args: {
  plans: readonly DataPlanDto[];
  request: PlanRequest;
  history?: readonly PlanHistoryEntry[];
}): PlanRecommendation {
  const { request } = args;
  const history = args.history ?? [];
  const usualCount = new Map<string, number>();
  for (const entry of history) {
    usualCount.set(entry.planId, (usualCount.get(entry.planId) ?? 0) + entry.count);
  }
  const fromHistory = request.network ? undefined : mostUsedNetwork(history);
  const network = request.network ?? fromHistory;
  const networkFrom = request.network ? "said" : fromHistory ? "history" : "all";
  const monthlyNeedMb = needFor(request.usage);
  // A validity said ("for one week") asks for that period's share of the monthly need.
  const needMb =
    monthlyNeedMb === undefined
      ? undefined
      : Math.ceil((monthlyNeedMb * Math.min(request.validityDays ?? MONTH_DAYS, MONTH_DAYS)) / MONTH_DAYS);

  const onNetwork = args.plans.filter((p) => p.sizeMb > 0 && (!network || p.network === network));
  const withValidity = request.validityDays
    ? onNetwork.filter((p) => p.validityDays === request.validityDays)
    : onNetwork;
  const validityMissing = request.validityDays !== undefined && withValidity.length === 0;
  const considered = validityMissing ? onNetwork : withValidity;
  const affordable = considered.filter(
    (p) => request.budgetKobo === undefined || p.priceKobo <= request.budgetKobo,
  );

  const rank = (plan: DataPlanDto): RankedPlan => {
    const reasons: PlanReason[] = [];
    const count = usualCount.get(plan.id) ?? 0;
    if (count > 0) {
      reasons.push({ kind: "usual", count });
    }
    if (needMb !== undefined) {
      reasons.push(covers(plan, needMb) ? { kind: "covers_need", needMb } : { kind: "below_need", needMb });
    }
    if (request.budgetKobo !== undefined && plan.priceKobo <= request.budgetKobo) {
      reasons.push({ kind: "fits_budget", budgetKobo: request.budgetKobo });
    }
    if (request.validityDays !== undefined && plan.validityDays === request.validityDays) {
      reasons.push({ kind: "validity_matches", days: plan.validityDays });
    }
    return { plan, pricePerGbKobo: pricePerGbKobo(plan), reasons };
  };
  const ranked = affordable.map(rank).sort(compareWith(needMb, usualCount));
  const best = ranked[0];
  if (best && !best.reasons.some((r) => r.kind === "usual" || r.kind === "covers_need")) {
    // Nothing more specific to say about the first plan: it is the best value of those shown.
    best.reasons.push({ kind: "best_value" });
  }
  const cheapest =
    ranked.length === 0
      ? [...considered].sort((a, b) => a.priceKobo - b.priceKobo || a.id.localeCompare(b.id)).map(rank)[0]
      : undefined;
  return {
    plans: ranked.slice(0, MAX_RECOMMENDED),
    network,
    networkFrom,
    needMb,
    validityMissing,
    cheapest,
  };
}

/** What 1GB of the plan costs, in whole kobo (rounded half up). */
export function pricePerGbKobo(plan: Pick<DataPlanDto, "priceKobo" | "sizeMb">): number {
  return Math.round((plan.priceKobo * GB) / plan.sizeMb);
}

/** The monthly need of the heaviest use said, or undefined when none was said. */
export function needFor(usage: readonly DataUsage[] | undefined): number | undefined {
  if (!usage || usage.length === 0) {
    return undefined;
  }
  return Math.max(...usage.map((u) => MONTHLY_NEED_MB[u]));
}

/** "1GB", "500MB", "1.5GB": a size as the catalogue's plan names write it. */
export function formatDataSize(sizeMb: number): string {
  if (sizeMb >= GB) {
    return `${Math.round((sizeMb / GB) * 100) / 100}GB`;
  }
  return `${sizeMb}MB`;
}

/** A plan covers the need when it holds it (the need is already for the period asked about). */
function covers(plan: DataPlanDto, needMb: number): boolean {
  return plan.sizeMb >= needMb;
}

/** The network with the most delivered data orders; a tie goes to the first in NETWORKS. */
function mostUsedNetwork(history: readonly PlanHistoryEntry[]): Network | undefined {
  let best: { network: Network; count: number } | undefined;
  for (const network of NETWORKS) {
    const count = history.filter((h) => h.network === network).reduce((sum, h) => sum + h.count, 0);
    if (count > 0 && (!best || count > best.count)) {
      best = { network, count };
    }
  }
  return best?.network;
}

function compareWith(needMb: number | undefined, usualCount: ReadonlyMap<string, number>) {
  return (a: RankedPlan, b: RankedPlan): number => {
    if (needMb !== undefined) {
      const coversA = covers(a.plan, needMb);
      const coversB = covers(b.plan, needMb);
      if (coversA !== coversB) {
        return coversA ? -1 : 1;
      }
      // Covering: the cheapest first. Short of the need: the biggest first.
      const bySize = coversA ? a.plan.priceKobo - b.plan.priceKobo : b.plan.sizeMb - a.plan.sizeMb;
      if (bySize !== 0) {
        return bySize;
      }
    } else {
      const byUsual = (usualCount.get(b.plan.id) ?? 0) - (usualCount.get(a.plan.id) ?? 0);
      if (byUsual !== 0) {
        return byUsual;
      }
    }
    return (
      a.pricePerGbKobo - b.pricePerGbKobo ||
      a.plan.priceKobo - b.plan.priceKobo ||
      (a.plan.id < b.plan.id ? -1 : a.plan.id > b.plan.id ? 1 : 0)
    );
  };
}
