import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { phoneSlot, readNetwork } from "./airtime";
import { knownNetwork } from "./known-network";
import { orderPlacedText, ownPhone, PURCHASE_TEXT, phoneBeneficiary, summary } from "./purchase";
import { chosen, purchaseFlow } from "./slots";
import { explainProblems } from "./written";

type DataData = {
  network?: Network;
  planId?: string;
  planName?: string;
  priceKobo?: number;
  phone?: string;
  /** From the first message ("2gb mtn"): used to pre-select a plan. */
  sizeMb?: number;
  validityDays?: number;
  confirmId?: string;
  /** The first message wrote a number that is not a phone: "My number" is not offered in its place. */
  phoneWrittenWrong?: boolean;
};

const MAX_PLANS_SHOWN = 8;

const T = templates("data", {
  whichNetwork: { en: () => "Which network?", pcm: () => "Which network e be?" },
  planGone: {
    en: () => "That plan is no longer available. Pick another:",
    pcm: () => "That plan no dey again. Choose another one:",
  },
  noPlans: {
    en: (network: string) => `No ${network} data plans are available right now.`,
    pcm: (network: string) => `No ${network} data plan dey right now.`,
  },
  notSold: {
    en: (network: string, plan: string) => `${network} has no ${plan} plan. The nearest:`,
    pcm: (network: string, plan: string) => `${network} no get ${plan} plan. The ones wey near am:`,
  },
  plans: {
    en: (network: string) => `${network} data plans:`,
    pcm: (network: string) => `${network} data plan dem:`,
  },
  summary: {
    en: (plan: string, phone: string, price: string) =>
      `${plan} for ${phone}.\nYou pay ${price} from your wallet. Confirm?`,
    pcm: (plan: string, phone: string, price: string) =>
      `${plan} for ${phone}.\nYou go pay ${price} from your wallet. Confirm?`,
  },
  delivered: {
    en: (plan: string, phone: string) => `Delivered: ${plan} to ${phone}.`,
    pcm: (plan: string, phone: string) => `E don land: ${plan} for ${phone}.`,
  },
  /** What was ordered: a plan's name and a number. */
  placed: {
    en: (plan: string, phone: string) => `${plan} for ${phone}`,
    pcm: (plan: string, phone: string) => `${plan} for ${phone}`,
  },
});

/** network → plan (from the live catalogue, with prices) → number → confirm → PIN → order. */
export const dataFlow = purchaseFlow<DataData>({
  name: "data",
  async fromIntent(fc, intent) {
    if (intent.kind !== "data") {
      return { data: {} };
    }
    return {
      data: {
        network: intent.networkSource === "said" ? intent.network : undefined,
        phone: intent.phone ?? (intent.forSelf ? await ownPhone(fc) : undefined),
        sizeMb: intent.sizeMb,
        validityDays: intent.validityDays,
        phoneWrittenWrong: intent.problems?.some((problem) => problem.slot === "phone") || undefined,
      },
      notes: [explainProblems(fc, intent.problems)],
    };
  },
  slots: [
    {
      step: "network",
      missing: (data) => !data.network,
      async ask(fc, data) {
        // A number this person saved, or had delivered to before, is on a network they confirmed then.
        const known = data.phone ? await knownNetwork(fc, data.phone) : undefined;
        if (known) {
          return { fill: { network: known } };
        }
        const guess = data.phone ? guessNetwork(data.phone) : undefined;
        const order = guess?.network
          ? [guess.network, ...NETWORKS.filter((n) => n !== guess.network)]
          : [...NETWORKS];
        return {
          text: T.whichNetwork[fc.lang](),
          choices: order.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
        };
      },
      async read(fc, _data, answer) {
        const network = readNetwork(answer);
        return network ? { network } : { again: PURCHASE_TEXT.pickNetwork[fc.lang]() };
      },
    },
    {
      step: "plan",
      missing: (data) => !data.planName,
      async ask(fc, data) {
        const network = data.network as Network;
        const plans = await listDataPlans({ ctx: fc.ctx, network, userId: fc.userId });
        if (data.planId) {
          const plan = plans.find((p) => p.id === data.planId);
          return plan
            ? { fill: { planName: plan.name, priceKobo: plan.priceKobo } }
            : {
                text: T.planGone[fc.lang](),
                data: { ...data, planId: undefined },
              };
        }
        const matching = plans.filter(
          (p) =>
            (!data.sizeMb || p.sizeMb === data.sizeMb) &&
            (!data.validityDays || p.validityDays === data.validityDays),
        );
        // A size that is not sold is said so, and the nearest plans come first (issue 16).
        const requested = data.sizeMb;
        const shown = (
          matching.length > 0
            ? matching
            : requested
              ? [...plans].sort(
                  (a, b) =>
                    Math.abs(a.sizeMb - requested) - Math.abs(b.sizeMb - requested) ||
                    a.priceKobo - b.priceKobo,
                )
              : plans
        ).slice(0, MAX_PLANS_SHOWN);
        if (shown.length === 0) {
          return { end: T.noPlans[fc.lang](NETWORK_NAMES[network]) };
        }
        const notSold =
          matching.length === 0 && (data.sizeMb || data.validityDays)
            ? T.notSold[fc.lang](NETWORK_NAMES[network], requestedPlanName(data.sizeMb, data.validityDays))
            : undefined;
        return {
          text: notSold ?? T.plans[fc.lang](NETWORK_NAMES[network]),
          choices: shown.map((p) => ({
            id: `plan:${p.id}`,
            label: `${p.name.replace(`${NETWORK_NAMES[network]} `, "")} — ${formatNaira(p.priceKobo)}`,
          })),
        };
      },
      async read(fc, _data, answer) {
        const planId = chosen(answer, "plan:");
        return planId ? { planId, planName: undefined } : { again: PURCHASE_TEXT.pickPlan[fc.lang]() };
      },
    },
    phoneSlot<DataData>("data"),
  ],
  async summary(fc, data) {
    return summary(
      "data",
      data,
      T.summary[fc.lang](data.planName ?? "", data.phone ?? "", formatNaira(data.priceKobo ?? 0)),
      `${shortPlanName(data.planName)} data`,
      fc.lang,
    );
  },
  order: (data, pin) =>
    data.planId && data.phone
      ? { service: "data", input: { planId: data.planId, phone: data.phone, network: data.network, pin } }
      : undefined,
  placed: (data, message, delivered, lang) =>
    delivered
      ? T.delivered[lang](shortPlanName(data.planName), data.phone ?? "")
      : orderPlacedText(lang, T.placed[lang](data.planName ?? "", data.phone ?? ""), message),
  beneficiary: (data) => phoneBeneficiary("data", data.phone, data.network),
});

/** "10GB", "1GB 30-day", "7-day": the plan the customer asked for, in words. */
function requestedPlanName(sizeMb: number | undefined, validityDays: number | undefined): string {
  const size = sizeMb
    ? sizeMb >= 1024 && sizeMb % 512 === 0
      ? `${sizeMb / 1024}GB`
      : `${sizeMb}MB`
    : undefined;
  const days = validityDays ? `${validityDays}-day` : undefined;
  return [size, days].filter(Boolean).join(" ");
}

/** "MTN 1GB · 30 days · SME" → "MTN 1GB (30 days)": the plan as a delivery names it. */
export function shortPlanName(name: string | undefined): string {
  const [what, days] = (name ?? "data").split(" · ");
  return days ? `${what} (${days})` : (what ?? "data");
}
