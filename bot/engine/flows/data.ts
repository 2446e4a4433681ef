import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { phoneSlot, readNetwork } from "./airtime";
import { knownNetwork } from "./known-network";
import { orderPlacedText, ownPhone, phoneBeneficiary, summary } from "./purchase";
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
          text: "Which network?",
          choices: order.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
        };
      },
      async read(_fc, _data, answer) {
        const network = readNetwork(answer);
        return network ? { network } : { again: "Pick the network from the list." };
      },
    },
    {
      step: "plan",
      missing: (data) => !data.planName,
      async ask(fc, data) {
        const network = data.network as Network;
        const plans = await listDataPlans({ ctx: fc.ctx, network });
        if (data.planId) {
          const plan = plans.find((p) => p.id === data.planId);
          return plan
            ? { fill: { planName: plan.name, priceKobo: plan.priceKobo } }
            : {
                text: "That plan is no longer available. Pick another:",
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
          return { end: `No ${NETWORK_NAMES[network]} data plans are available right now.` };
        }
        const notSold =
          matching.length === 0 && (data.sizeMb || data.validityDays)
            ? `${NETWORK_NAMES[network]} has no ${requestedPlanName(data.sizeMb, data.validityDays)} plan. The nearest:`
            : undefined;
        return {
          text: notSold ?? `${NETWORK_NAMES[network]} data plans:`,
          choices: shown.map((p) => ({
            id: `plan:${p.id}`,
            label: `${p.name.replace(`${NETWORK_NAMES[network]} `, "")} — ${formatNaira(p.priceKobo)}`,
          })),
        };
      },
      async read(_fc, _data, answer) {
        const planId = chosen(answer, "plan:");
        return planId ? { planId, planName: undefined } : { again: "Pick a plan from the list." };
      },
    },
    phoneSlot<DataData>("data"),
  ],
  async summary(_fc, data) {
    return summary(
      "data",
      data,
      `${data.planName} for ${data.phone}.\nYou pay ${formatNaira(data.priceKobo ?? 0)} from your wallet. Confirm?`,
      `${shortPlanName(data.planName)} data`,
    );
  },
  order: (data, pin) =>
    data.planId && data.phone
      ? { service: "data", input: { planId: data.planId, phone: data.phone, network: data.network, pin } }
      : undefined,
  placed: (data, message, delivered) =>
    delivered
      ? `Delivered: ${shortPlanName(data.planName)} to ${data.phone}.`
      : orderPlacedText(`${data.planName} for ${data.phone}`, message),
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
