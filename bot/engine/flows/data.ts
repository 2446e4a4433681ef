import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import { parseNetwork } from "./airtime";
import type { Flow } from "./flow";
import { knownNetwork } from "./known-network";
import {
  again,
  confirmStep,
  orderPlacedText,
  ownPhone,
  payWithPin,
  phoneBeneficiary,
  question,
  summary,
  tryPhone,
} from "./purchase";
import { pickedSaved, savedChoices } from "./saved";
import { explainProblems, notAPhone, withNotes } from "./written";

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
export const dataFlow: Flow = {
  name: "data",
  async start(fc, intent) {
    const data: DataData = {};
    if (intent?.kind === "data") {
      data.network = intent.networkSource === "said" ? intent.network : undefined;
      data.phone = intent.phone ?? (intent.forSelf ? await ownPhone(fc) : undefined);
      data.sizeMb = intent.sizeMb;
      data.validityDays = intent.validityDays;
      data.phoneWrittenWrong = intent.problems?.some((problem) => problem.slot === "phone") || undefined;
      return withNotes([explainProblems(fc, intent.problems)], await ask(fc, data));
    }
    return ask(fc, data);
  },
  async handle(fc, state, answer) {
    const data = state.data as DataData;
    switch (state.step) {
      case "network": {
        const network = answer.choice?.startsWith("net:")
          ? (answer.choice.slice(4) as Network)
          : parseNetwork(answer.text);
        return network ? ask(fc, { ...data, network }) : again(state, "Pick the network from the list.");
      }
      case "plan": {
        const planId = answer.choice?.startsWith("plan:") ? answer.choice.slice(5) : undefined;
        return planId ? ask(fc, { ...data, planId }) : again(state, "Pick a plan from the list.");
      }
      case "phone": {
        const saved = await pickedSaved(fc, answer.choice);
        const phone =
          saved?.recipient ?? (answer.choice === "self" ? await ownPhone(fc) : tryPhone(answer.text));
        return phone ? ask(fc, { ...data, phone }) : again(state, notAPhone(fc, answer.text));
      }
      case "confirm":
        return confirmStep(fc, state, answer);
      case "pin":
        return payWithPin(
          fc,
          state,
          answer,
          (pin) =>
            data.planId && data.phone
              ? {
                  service: "data",
                  input: { planId: data.planId, phone: data.phone, network: data.network, pin },
                }
              : undefined,
          (message, delivered) =>
            delivered
              ? `Delivered: ${shortPlanName(data.planName)} to ${data.phone}.`
              : orderPlacedText(`${data.planName} for ${data.phone}`, message),
          phoneBeneficiary("data", data.phone, data.network),
        );
      default:
        return { replies: [menuReply()] };
    }
  },
};

async function ask(fc: FlowContext, data: DataData): Promise<StepResult> {
  const next = (step: string, text: string, choices: Choice[]): StepResult =>
    question("data", step, data, text, choices);
  if (!data.network) {
    // A number this person saved, or had delivered to before, is on a network they confirmed then.
    const known = data.phone ? await knownNetwork(fc, data.phone) : undefined;
    if (known) {
      return ask(fc, { ...data, network: known });
    }
    const guess = data.phone ? guessNetwork(data.phone) : undefined;
    const order = guess?.network
      ? [guess.network, ...NETWORKS.filter((n) => n !== guess.network)]
      : [...NETWORKS];
    return next(
      "network",
      "Which network?",
      order.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
    );
  }
  try {
    const plans = await listDataPlans({ ctx: fc.ctx, network: data.network });
    if (!data.planId) {
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
        return {
          replies: [doneReply(`No ${NETWORK_NAMES[data.network]} data plans are available right now.`)],
        };
      }
      const notSold =
        matching.length === 0 && (data.sizeMb || data.validityDays)
          ? `${NETWORK_NAMES[data.network]} has no ${requestedPlanName(data.sizeMb, data.validityDays)} plan. The nearest:`
          : undefined;
      return next(
        "plan",
        notSold ?? `${NETWORK_NAMES[data.network]} data plans:`,
        shown.map((p) => ({
          id: `plan:${p.id}`,
          label: `${p.name.replace(`${NETWORK_NAMES[data.network as Network]} `, "")} — ${formatNaira(p.priceKobo)}`,
        })),
      );
    }
    const plan = plans.find((p) => p.id === data.planId);
    if (!plan) {
      return next("plan", "That plan is no longer available. Pick another:", []);
    }
    const withPlan = { ...data, planName: plan.name, priceKobo: plan.priceKobo };
    if (!data.phone) {
      const own = await ownPhone(fc);
      const saved = await savedChoices(fc, "data");
      return {
        ...next(
          "phone",
          saved.length > 0
            ? "Which number should get the data? Tap a saved one or type a new number."
            : "Which number should get the data? Type it.",
          [
            ...saved,
            ...(own && !data.phoneWrittenWrong ? [{ id: "self", label: `My number (${own})` }] : []),
          ],
        ),
        next: { flow: "data", step: "phone", data: withPlan },
      };
    }
    return summary(
      "data",
      withPlan,
      `${plan.name} for ${data.phone}.\nYou pay ${formatNaira(plan.priceKobo)} from your wallet. Confirm?`,
      `${shortPlanName(plan.name)} data`,
    );
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}

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
