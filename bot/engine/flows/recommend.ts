import { type DataPlanDto, listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import {
  formatDataSize,
  type PlanReason,
  type PlanRecommendation,
  type RankedPlan,
  recommendPlans,
} from "../../../api/services/catalogue/recommend-plans";
import { formatNaira } from "../../../api/services/money";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { dataPlanHistory } from "../../../api/services/vtu/past-purchases";
import { type Lang, templates } from "../i18n";
import type { IntentOf } from "../intents/intent";
import { phraseOrDraft } from "../phrase";
import { doneReply, errorText, menuChoice } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import { dataFlow } from "./data";
import type { Flow } from "./flow";
import { pickOffered } from "./hand-off";

const T = templates("recommend", {
  forBudget: { en: (budget: string) => `within ${budget}`, pcm: (budget: string) => `wey no pass ${budget}` },
  forNeed: {
    en: (size: string) => `for about ${size} a month`,
    pcm: (size: string) => `for like ${size} for one month`,
  },
  onNetwork: { en: (network: string) => `on ${network}`, pcm: (network: string) => `for ${network}` },
  onUsualNetwork: {
    en: (network: string) => `on ${network}, the network you buy most`,
    pcm: (network: string) => `for ${network}, the network wey you dey buy pass`,
  },
  onAllNetworks: { en: () => "across all networks", pcm: () => "for all the networks" },
  header: {
    en: (what: string) => `The data plans I suggest ${what}:`,
    pcm: (what: string) => `See the data plans wey I go suggest ${what}:`,
  },
  line: {
    en: (n: number, name: string, size: string, days: number, price: string, perGb: string) =>
      `${n}. ${name}: ${size} for ${days} days, ${price} (${perGb} per GB).`,
    pcm: (n: number, name: string, size: string, days: number, price: string, perGb: string) =>
      `${n}. ${name}: ${size} for ${days} days, ${price} (${perGb} for each GB).`,
  },
  fitsBudget: { en: () => "Within your budget.", pcm: () => "E no pass your budget." },
  coversNeed: { en: () => "Enough for that use.", pcm: () => "E go reach for wetin you dey do." },
  belowNeed: {
    en: () => "Less than that use needs.",
    pcm: () => "E no go reach for everything wey you dey do.",
  },
  validityMatches: {
    en: (days: number) => `Lasts the ${days} days you asked for.`,
    pcm: (days: number) => `E go last the ${days} days wey you talk.`,
  },
  usual: {
    en: (count: number) =>
      count === 1 ? "What you bought before." : `What you usually buy (${count} times).`,
    pcm: (count: number) =>
      count === 1 ? "Na wetin you buy before." : `Na wetin you dey buy (${count} times).`,
  },
  bestValue: { en: () => "The best value per GB.", pcm: () => "E cheap pass for each GB." },
  noValidity: {
    en: (days: number) => `No plan lasts exactly ${days} days, so these last longer or shorter.`,
    pcm: (days: number) => `No plan dey wey last ${days} days exactly, so these ones last longer or shorter.`,
  },
  tapOne: { en: () => "Tap one to buy it.", pcm: () => "Tap the one wey you want buy." },
  nothingFits: {
    en: (what: string) => `No data plan fits ${what}.`,
    pcm: (what: string) => `No data plan dey ${what}.`,
  },
  cheapest: {
    en: (name: string, size: string, days: number, price: string) =>
      `The cheapest is ${name}: ${size} for ${days} days, ${price}. Tap it to buy it.`,
    pcm: (name: string, size: string, days: number, price: string) =>
      `The one wey cheap pass na ${name}: ${size} for ${days} days, ${price}. Tap am to buy am.`,
  },
  noPlans: {
    en: () => "No data plans are available right now. Please try again later.",
    pcm: () => "No data plan dey available now. Abeg try again later.",
  },
  pickOne: {
    en: () => "Tap one of the plans above, or Cancel.",
    pcm: () => "Tap one of the plans wey dey up, or Cancel.",
  },
  gone: {
    en: () => "That plan is not among the ones I suggested. Ask me again for new suggestions.",
    pcm: () => "That plan no dey among the ones wey I suggest. Ask me again make I suggest new ones.",
  },
});

/** A plan offered as a choice, kept in the state so a tap opens exactly that plan. */
type Offered = { id: string; network: Network; sizeMb: number; validityDays: number };
type RecommendData = { offered: Offered[] };

/**
 * "Which plan best for 2k? I use WhatsApp and small YouTube": the top plans from the catalogue,
 * ranked by recommendPlans, as choices. A tap opens the data flow on that plan, which ends in the
 * usual summary → Confirm → PIN. The LLM, when configured, only rewords the answer (phrase.ts).
 */
export const recommendFlow: Flow = {
  name: "recommend",
  async start(fc, intent) {
    const request = intent?.kind === "recommend" ? intent : { kind: "recommend" as const };
    try {
      return await recommend(fc, request);
    } catch (error) {
      return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
    }
  },
  async handle(fc, state, answer) {
    const data = state.data as RecommendData;
    const id = answer.choice?.startsWith("rec:") ? answer.choice.slice(4) : undefined;
    if (!id) {
      // Words are a new request ("balance", "1gb mtn"): the suggestions were only an offer.
      return answer.text ? undefined : { replies: [{ text: T.pickOne[fc.lang]() }], next: state };
    }
    const plan = data.offered?.find((p) => p.id === id);
    return plan ? openPlan(fc, plan) : { replies: [doneReply(T.gone[fc.lang](), [], fc.lang)] };
  },
};

async function recommend(fc: FlowContext, request: IntentOf<"recommend">): Promise<StepResult> {
  const [plans, history] = await Promise.all([
    catalogue(fc, request.network),
    dataPlanHistory({ ctx: fc.ctx, userId: fc.userId }),
  ]);
  const advice = recommendPlans({ plans, request, history });
  const lang = fc.lang;
  const shown = advice.plans.length > 0 ? advice.plans : advice.cheapest ? [advice.cheapest] : [];
  if (shown.length === 0) {
    return { replies: [doneReply(T.noPlans[lang](), [], lang)] };
  }
  const what = describeRequest(lang, request, advice);
  const draft =
    advice.plans.length > 0
      ? [
          T.header[lang](what),
          ...(advice.validityMissing && request.validityDays
            ? [T.noValidity[lang](request.validityDays)]
            : []),
          ...advice.plans.map((p, i) => planLine(lang, i + 1, p)),
          T.tapOne[lang](),
        ].join("\n")
      : [T.nothingFits[lang](what), cheapestLine(lang, shown[0] as RankedPlan)].join("\n");
  const text = await phraseOrDraft(fc, {
    lang,
    draft,
    plans: shown.map(({ plan }) => ({
      name: plan.name,
      network: NETWORK_NAMES[plan.network],
      size: formatDataSize(plan.sizeMb),
    })),
    customerText: fc.input.text,
  });
  const choices: Choice[] = shown.map(({ plan }) => ({
    id: `rec:${plan.id}`,
    label: `${plan.name} — ${formatNaira(plan.priceKobo)}`,
  }));
  const offered: Offered[] = shown.map(({ plan }) => ({
    id: plan.id,
    network: plan.network,
    sizeMb: plan.sizeMb,
    validityDays: plan.validityDays,
  }));
  return {
    replies: [{ text, choices: [...choices, menuChoice(lang)] }],
    next: { flow: "recommend", step: "pick", data: { offered } satisfies RecommendData },
  };
}

/** The plans of the network said, or of every network (the history may pick one of them). */
async function catalogue(fc: FlowContext, network: Network | undefined): Promise<DataPlanDto[]> {
  const networks = network ? [network] : NETWORKS;
  const lists = await Promise.all(
    networks.map((n) => listDataPlans({ ctx: fc.ctx, network: n, userId: fc.userId })),
  );
  return lists.flat();
}

/**
 * The data flow on the tapped plan: a data intent with the plan's network (as said), size and
 * validity, then the plan itself picked from the list it offers, as a tap on it would. If the
 * catalogue changed meanwhile, the customer sees the data flow's own list.
 */
async function openPlan(fc: FlowContext, plan: Offered): Promise<StepResult> {
  const started = await dataFlow.start(fc, {
    kind: "data",
    network: plan.network,
    networkSource: "said",
    sizeMb: plan.sizeMb,
    validityDays: plan.validityDays,
  });
  return (await pickOffered(fc, dataFlow, started, "plan", `plan:${plan.id}`)) ?? started;
}

function describeRequest(lang: Lang, request: IntentOf<"recommend">, advice: PlanRecommendation): string {
  const parts: string[] = [];
  if (request.budgetKobo !== undefined) {
    parts.push(T.forBudget[lang](formatNaira(request.budgetKobo)));
  }
  if (advice.needMb !== undefined) {
    parts.push(T.forNeed[lang](formatDataSize(advice.needMb)));
  }
  if (advice.network && advice.networkFrom === "history") {
    parts.push(T.onUsualNetwork[lang](NETWORK_NAMES[advice.network]));
  } else if (advice.network) {
    parts.push(T.onNetwork[lang](NETWORK_NAMES[advice.network]));
  } else {
    parts.push(T.onAllNetworks[lang]());
  }
  return parts.join(" ");
}

function planLine(lang: Lang, n: number, ranked: RankedPlan): string {
  const { plan } = ranked;
  const line = T.line[lang](
    n,
    plan.name,
    formatDataSize(plan.sizeMb),
    plan.validityDays,
    formatNaira(plan.priceKobo),
    formatNaira(ranked.pricePerGbKobo),
  );
  return [line, ...ranked.reasons.map((r) => reasonText(lang, r))].join(" ");
}

function cheapestLine(lang: Lang, ranked: RankedPlan): string {
  const { plan } = ranked;
  return T.cheapest[lang](
    plan.name,
    formatDataSize(plan.sizeMb),
    plan.validityDays,
    formatNaira(plan.priceKobo),
  );
}

function reasonText(lang: Lang, reason: PlanReason): string {
  switch (reason.kind) {
    case "fits_budget":
      return T.fitsBudget[lang]();
    case "covers_need":
      return T.coversNeed[lang]();
    case "below_need":
      return T.belowNeed[lang]();
    case "validity_matches":
      return T.validityMatches[lang](reason.days);
    case "usual":
      return T.usual[lang](reason.count);
    case "best_value":
      return T.bestValue[lang]();
  }
}
