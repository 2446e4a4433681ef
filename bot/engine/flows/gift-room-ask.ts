import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { getWalletBalance } from "../../../api/services/wallet";
import { CANCEL_CHOICE, doneReply, errorText } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import { drawChoices, hoursChoices, hoursLabel, lagosLabel } from "./gift-time";
import { summary as confirmSummary, question } from "./purchase";

export type GiftKind = "airtime" | "data" | "cash";
export type GiftMode = "first_come" | "random_draw" | "quiz";

/** What the gift conversation has collected (never the PIN). */
export type GiftData = {
  kind?: GiftKind;
  /** airtime: face value per gift; cash: amount per gift. */
  amountKobo?: number;
  network?: Network;
  planId?: string;
  planName?: string;
  /** The data size each person gets, as the first message said it ("1gb data to 5 people"). */
  sizeMb?: number;
  /** What one gift costs the creator: the face value, or the data plan's price. */
  giftPriceKobo?: number;
  capacity?: number;
  mode?: GiftMode;
  quizQuestion?: string;
  quizAnswers?: string[];
  /** ISO time of a random draw. */
  drawAt?: string;
  /** "" once the person skipped it. */
  message?: string;
  hours?: number;
  /** The message id of the Confirm tap: the room's idempotency key comes from it. */
  confirmId?: string;
};

export const FLOW = "gift";
const MAX_PLANS_SHOWN = 8;

export const KIND_CHOICES: Choice[] = [
  { id: "gift:airtime", label: "Airtime" },
  { id: "gift:data", label: "Data" },
  { id: "gift:cash", label: "Wallet cash" },
  { id: "gift:mine", label: "My gift rooms" },
];

export const MODE_CHOICES: Choice[] = [
  { id: "mode:first_come", label: "First come" },
  { id: "mode:random_draw", label: "Random draw" },
  { id: "mode:quiz", label: "Quiz" },
];

/** Ask for the first missing piece; with everything there, the summary. */
export async function ask(fc: FlowContext, data: GiftData): Promise<StepResult> {
  const next = (step: string, text: string, choices: Choice[] = []): StepResult =>
    question(FLOW, step, data, text, choices);
  if (!data.kind) {
    return next(
      "kind",
      "A gift room is one link you share in a group: each person who opens it gets a gift from you, " +
        "paid from your wallet. What do you want to give?",
      KIND_CHOICES,
    );
  }
  if (data.kind === "data" && !data.giftPriceKobo) {
    return askPlan(fc, data);
  }
  if (data.kind !== "data" && !data.amountKobo) {
    return next(
      "amount",
      data.kind === "airtime"
        ? "How much airtime per gift? Type an amount like 500 or 1k."
        : "How much cash per gift? Type an amount like 500 or 1k.",
    );
  }
  if (!data.capacity) {
    return typedOnly("capacity", data, "How many gifts? Type a number, like 10 (or type cancel).");
  }
  if (!data.mode) {
    return next(
      "mode",
      "How do people win?\n" +
        `• First come: the first ${data.capacity} to open the link\n` +
        `• Random draw: people join until a time you pick, then ${data.capacity} win at random\n` +
        `• Quiz: the first ${data.capacity} to answer your question correctly`,
      MODE_CHOICES,
    );
  }
  if (data.mode === "quiz" && !data.quizQuestion) {
    return next("question", "Type the quiz question (3 to 300 characters).");
  }
  if (data.mode === "quiz" && !data.quizAnswers) {
    return typedOnly(
      "answers",
      data,
      "Type the accepted answers, separated by commas (up to 10), like: Abuja, FCT. Capitals and spaces do not matter. (Or type cancel.)",
    );
  }
  if (data.mode === "random_draw" && !data.drawAt) {
    return next("draw", "When is the draw? Tap a time or type one, like 'in 30 min' or 'tomorrow 9am'.", [
      ...drawChoices(fc.ctx.now()),
    ]);
  }
  if (data.message === undefined) {
    return next("message", "Add a short message for the group (up to 280 characters), or Skip.", [
      { id: "msg:skip", label: "Skip" },
    ]);
  }
  if (!data.hours) {
    const drawAt = data.drawAt ? new Date(data.drawAt) : undefined;
    return next(
      "hours",
      "How long should the room stay open? What is not claimed by then comes back to your wallet.",
      hoursChoices(fc.ctx.now(), fc.ctx.config.GIFT_ROOM_MAX_HOURS, drawAt),
    );
  }
  return summary(fc, data);
}

/**
 * A question without buttons: on numbered channels a typed "1" picks the first choice offered, and
 * here "1" is a real answer (one gift, a quiz answer of 1), so not even Cancel is offered as a
 * number. Typing "cancel" still cancels.
 */
function typedOnly(step: string, data: GiftData, text: string): StepResult {
  return { replies: [{ text }], next: { flow: FLOW, step, data: { ...data } } };
}

async function askPlan(fc: FlowContext, data: GiftData): Promise<StepResult> {
  if (!data.network) {
    return question(
      FLOW,
      "network",
      data,
      "Which network? A data gift is one plan, so recipients need a number on that network.",
      NETWORKS.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
    );
  }
  try {
    const plans = await listDataPlans({ ctx: fc.ctx, network: data.network });
    const network = data.network;
    const plan = plans.find((p) => p.id === data.planId);
    if (plan) {
      return ask(fc, { ...data, planName: plan.name, giftPriceKobo: plan.priceKobo });
    }
    if (plans.length === 0) {
      return { replies: [doneReply(`No ${NETWORK_NAMES[network]} data plans are available right now.`)] };
    }
    // The size the first message asked for comes first; when none is sold, the nearest do.
    const wanted = data.sizeMb;
    const exact = wanted ? plans.filter((p) => p.sizeMb === wanted) : [];
    const ordered = wanted
      ? [...plans].sort(
          (a, b) => Math.abs(a.sizeMb - wanted) - Math.abs(b.sizeMb - wanted) || a.priceKobo - b.priceKobo,
        )
      : plans;
    const notSold =
      wanted && exact.length === 0
        ? `${NETWORK_NAMES[network]} has no ${wanted >= 1024 ? `${wanted / 1024}GB` : `${wanted}MB`} plan; the nearest come first. `
        : "";
    return question(
      FLOW,
      "plan",
      { ...data, planId: undefined },
      `${data.planId ? "That plan is no longer available. " : ""}${notSold}Which ${NETWORK_NAMES[network]} plan does each person get?`,
      ordered.slice(0, MAX_PLANS_SHOWN).map((p) => ({
        id: `plan:${p.id}`,
        label: `${p.name.replace(`${NETWORK_NAMES[network]} `, "")} — ${formatNaira(p.priceKobo)}`,
      })),
    );
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}

/** "₦500 airtime", "MTN 1GB 30 days data", "₦1,000 cash". */
export function giftName(data: {
  kind?: GiftKind;
  amountKobo?: number;
  planName?: string;
  network?: string | null;
}): string {
  if (data.kind === "data") {
    return data.planName ?? `${NETWORK_NAMES[data.network as Network] ?? ""} data`.trim();
  }
  return `${formatNaira(data.amountKobo ?? 0)} ${data.kind === "cash" ? "cash" : "airtime"}`;
}

const MODE_NAMES: Record<GiftMode, string> = {
  first_come: "first come",
  random_draw: "random draw",
  quiz: "quiz",
};

/** Everything back for confirmation, with the total that leaves the wallet now. */
async function summary(fc: FlowContext, data: GiftData): Promise<StepResult> {
  const capacity = data.capacity ?? 0;
  const price = data.kind === "data" ? (data.giftPriceKobo ?? 0) : (data.amountKobo ?? 0);
  const total = price * capacity;
  const withPrice = { ...data, giftPriceKobo: price };
  const lines = [`Gift room: ${capacity} × ${giftName(data)}, ${MODE_NAMES[data.mode ?? "first_come"]}.`];
  if (data.kind === "data" && data.network) {
    lines.push(`Recipients need a number on ${NETWORK_NAMES[data.network]}.`);
  }
  if (data.kind === "cash") {
    lines.push("Recipients get it in their TADA wallet.");
  }
  if (data.mode === "quiz") {
    lines.push(`Question: ${data.quizQuestion}\nAccepted answers: ${(data.quizAnswers ?? []).join(", ")}`);
  }
  if (data.drawAt) {
    lines.push(`Draw: ${lagosLabel(new Date(data.drawAt))}`);
  }
  if (data.message) {
    lines.push(`Message: ${data.message}`);
  }
  lines.push(`Open for ${hoursLabel(data.hours ?? 24)}.`);
  lines.push(
    `Total: ${capacity} × ${formatNaira(price)} = ${formatNaira(total)} moves from your wallet into the room now.` +
      (data.kind === "airtime"
        ? " Airtime is held at face value: any discount on what is sent, and every gift not claimed, comes back to your wallet when the room closes."
        : " Every gift not claimed comes back to your wallet when the room closes."),
  );
  const { availableKobo } = await getWalletBalance({ ctx: fc.ctx, userId: fc.userId });
  if (availableKobo < total) {
    lines.push(
      `You have ${formatNaira(availableKobo)} available, which is not enough. Fund your wallet first, or start again with fewer or smaller gifts.`,
    );
    return {
      replies: [
        { text: lines.join("\n"), choices: [{ id: "nav:fund", label: "Fund my wallet" }, CANCEL_CHOICE] },
      ],
      next: { flow: FLOW, step: "short", data: withPrice },
    };
  }
  lines.push("Confirm?");
  return confirmSummary(FLOW, withPrice, lines.join("\n"), `${formatNaira(total)} gift room`);
}
