import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { NETWORKS, type Network } from "../../../api/services/vtu";
import { getWalletBalance } from "../../../api/services/wallet";
import { type Lang, templates } from "../i18n";
import { cancelChoice, doneReply, errorText, fundChoice } from "../replies";
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

const T = templates("gift-room", {
  airtime: { en: () => "Airtime", pcm: () => "Airtime" },
  data: { en: () => "Data", pcm: () => "Data" },
  cash: { en: () => "Wallet cash", pcm: () => "Wallet money" },
  mine: { en: () => "My gift rooms", pcm: () => "My own gift rooms" },
  firstCome: { en: () => "First come", pcm: () => "First come, first serve" },
  randomDraw: { en: () => "Random draw", pcm: () => "Random draw (raffle)" },
  quiz: { en: () => "Quiz", pcm: () => "Quiz (question)" },
  firstComeName: { en: () => "first come", pcm: () => "first come, first serve" },
  randomDrawName: { en: () => "random draw", pcm: () => "random draw (raffle)" },
  quizName: { en: () => "quiz", pcm: () => "quiz (question)" },
  whatToGive: {
    en: () =>
      "A gift room is one link you share in a group: each person who opens it gets a gift from you, " +
      "paid from your wallet. What do you want to give?",
    pcm: () =>
      "Gift room na one link wey you go share for group: anybody wey open am go collect gift from you, " +
      "and na your wallet go pay. Wetin you wan give?",
  },
  airtimePerGift: {
    en: () => "How much airtime per gift? Type an amount like 500 or 1k.",
    pcm: () => "How much airtime for each gift? Type amount like 500 or 1k.",
  },
  cashPerGift: {
    en: () => "How much cash per gift? Type an amount like 500 or 1k.",
    pcm: () => "How much money for each gift? Type amount like 500 or 1k.",
  },
  howMany: {
    en: () => "How many gifts? Type a number, like 10 (or type cancel).",
    pcm: () => "How many gifts? Type number, like 10 (or type cancel).",
  },
  howWin: {
    en: (capacity: number) =>
      "How do people win?\n" +
      `• First come: the first ${capacity} to open the link\n` +
      `• Random draw: people join until a time you pick, then ${capacity} win at random\n` +
      `• Quiz: the first ${capacity} to answer your question correctly`,
    pcm: (capacity: number) =>
      "How people go take win?\n" +
      `• First come: the first ${capacity} people wey open the link\n` +
      `• Random draw: people go join until the time wey you pick, then ${capacity} go win by raffle\n` +
      `• Quiz: the first ${capacity} people wey answer your question correct`,
  },
  typeQuestion: {
    en: () => "Type the quiz question (3 to 300 characters).",
    pcm: () => "Type the quiz question (3 reach 300 characters).",
  },
  typeAnswers: {
    en: () =>
      "Type the accepted answers, separated by commas (up to 10), like: Abuja, FCT. Capitals and spaces do not matter. (Or type cancel.)",
    pcm: () =>
      "Type the answers wey correct, put comma for between (reach 10), like: Abuja, FCT. Capital letter and space no matter. (Or type cancel.)",
  },
  whenDraw: {
    en: () => "When is the draw? Tap a time or type one, like 'in 30 min' or 'tomorrow 9am'.",
    pcm: () => "When the draw go happen? Tap time or type am, like 'in 30 min' or 'tomorrow 9am'.",
  },
  addMessage: {
    en: () => "Add a short message for the group (up to 280 characters), or Skip.",
    pcm: () => "Add small message for the group (reach 280 characters), or Skip.",
  },
  skip: { en: () => "Skip", pcm: () => "Skip am" },
  howLong: {
    en: () => "How long should the room stay open? What is not claimed by then comes back to your wallet.",
    pcm: () =>
      "How long the room go dey open? Anything wey dem no claim by then go come back to your wallet.",
  },
  whichNetwork: {
    en: () => "Which network? A data gift is one plan, so recipients need a number on that network.",
    pcm: () =>
      "Which network? Data gift na one plan, so the people wey go collect need number for that network.",
  },
  noPlans: {
    en: (network: string) => `No ${network} data plans are available right now.`,
    pcm: (network: string) => `No ${network} data plan dey right now.`,
  },
  notSold: {
    en: (network: string, size: string) => `${network} has no ${size} plan; the nearest come first. `,
    pcm: (network: string, size: string) =>
      `${network} no get ${size} plan; the ones wey near am dey first. `,
  },
  planGone: {
    en: () => "That plan is no longer available. ",
    pcm: () => "That plan no dey again. ",
  },
  whichPlan: {
    en: (network: string) => `Which ${network} plan does each person get?`,
    pcm: (network: string) => `Which ${network} plan each person go collect?`,
  },
  summaryHead: {
    en: (capacity: number, gift: string, mode: string) => `Gift room: ${capacity} × ${gift}, ${mode}.`,
    pcm: (capacity: number, gift: string, mode: string) => `Gift room: ${capacity} × ${gift}, na ${mode}.`,
  },
  needNetwork: {
    en: (network: string) => `Recipients need a number on ${network}.`,
    pcm: (network: string) => `The people wey go collect need number for ${network}.`,
  },
  cashToWallet: {
    en: () => "Recipients get it in their TADA wallet.",
    pcm: () => "The people wey collect go see am for their TADA wallet.",
  },
  quizLines: {
    en: (question: string, answers: string) => `Question: ${question}\nAccepted answers: ${answers}`,
    pcm: (question: string, answers: string) => `Question: ${question}\nAnswers wey correct: ${answers}`,
  },
  draw: { en: (at: string) => `Draw: ${at}`, pcm: (at: string) => `Draw go happen: ${at}` },
  message: {
    en: (message: string) => `Message: ${message}`,
    pcm: (message: string) => `Message wey you write: ${message}`,
  },
  openFor: {
    en: (length: string) => `Open for ${length}.`,
    pcm: (length: string) => `E go dey open for ${length}.`,
  },
  total: {
    en: (capacity: number, price: string, total: string) =>
      `Total: ${capacity} × ${price} = ${total} moves from your wallet into the room now.`,
    pcm: (capacity: number, price: string, total: string) =>
      `Total: ${capacity} × ${price} = ${total} go comot from your wallet enter the room now.`,
  },
  airtimeBack: {
    en: () =>
      " Airtime is held at face value: any discount on what is sent, and every gift not claimed, comes back to your wallet when the room closes.",
    pcm: () =>
      " We dey hold airtime for the full price: any discount wey we get when we send am, and every gift wey dem no claim, go come back to your wallet when the room close.",
  },
  unclaimedBack: {
    en: () => " Every gift not claimed comes back to your wallet when the room closes.",
    pcm: () => " Every gift wey dem no claim go come back to your wallet when the room close.",
  },
  notEnough: {
    en: (available: string) =>
      `You have ${available} available, which is not enough. Fund your wallet first, or start again with fewer or smaller gifts.`,
    pcm: (available: string) =>
      `You get ${available} wey you fit use, e no reach. Put money for your wallet first, or start again with fewer or smaller gifts.`,
  },
  confirm: { en: () => "Confirm?", pcm: () => "Confirm?" },
  what: { en: (total: string) => `${total} gift room`, pcm: (total: string) => `${total} gift room` },
});

/** What to give: airtime, data or wallet cash, or the person's own rooms. */
export function kindChoices(lang: Lang): Choice[] {
  return [
    { id: "gift:airtime", label: T.airtime[lang]() },
    { id: "gift:data", label: T.data[lang]() },
    { id: "gift:cash", label: T.cash[lang]() },
    { id: "gift:mine", label: T.mine[lang]() },
  ];
}

/** How people win. */
export function modeChoices(lang: Lang): Choice[] {
  return [
    { id: "mode:first_come", label: T.firstCome[lang]() },
    { id: "mode:random_draw", label: T.randomDraw[lang]() },
    { id: "mode:quiz", label: T.quiz[lang]() },
  ];
}

/** Ask for the first missing piece; with everything there, the summary. */
export async function ask(fc: FlowContext, data: GiftData): Promise<StepResult> {
  const lang = fc.lang;
  const next = (step: string, text: string, choices: Choice[] = []): StepResult =>
    question(FLOW, step, data, text, choices, lang);
  if (!data.kind) {
    return next("kind", T.whatToGive[lang](), kindChoices(lang));
  }
  if (data.kind === "data" && !data.giftPriceKobo) {
    return askPlan(fc, data);
  }
  if (data.kind !== "data" && !data.amountKobo) {
    return next("amount", data.kind === "airtime" ? T.airtimePerGift[lang]() : T.cashPerGift[lang]());
  }
  if (!data.capacity) {
    return typedOnly("capacity", data, T.howMany[lang]());
  }
  if (!data.mode) {
    return next("mode", T.howWin[lang](data.capacity), modeChoices(lang));
  }
  if (data.mode === "quiz" && !data.quizQuestion) {
    return next("question", T.typeQuestion[lang]());
  }
  if (data.mode === "quiz" && !data.quizAnswers) {
    return typedOnly("answers", data, T.typeAnswers[lang]());
  }
  if (data.mode === "random_draw" && !data.drawAt) {
    return next("draw", T.whenDraw[lang](), [...drawChoices(fc.ctx.now(), lang)]);
  }
  if (data.message === undefined) {
    return next("message", T.addMessage[lang](), [{ id: "msg:skip", label: T.skip[lang]() }]);
  }
  if (!data.hours) {
    const drawAt = data.drawAt ? new Date(data.drawAt) : undefined;
    return next(
      "hours",
      T.howLong[lang](),
      hoursChoices(fc.ctx.now(), fc.ctx.config.GIFT_ROOM_MAX_HOURS, drawAt, lang),
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
      T.whichNetwork[fc.lang](),
      NETWORKS.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
      fc.lang,
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
      return { replies: [doneReply(T.noPlans[fc.lang](NETWORK_NAMES[network]), [], fc.lang)] };
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
        ? T.notSold[fc.lang](NETWORK_NAMES[network], wanted >= 1024 ? `${wanted / 1024}GB` : `${wanted}MB`)
        : "";
    return question(
      FLOW,
      "plan",
      { ...data, planId: undefined },
      `${data.planId ? T.planGone[fc.lang]() : ""}${notSold}${T.whichPlan[fc.lang](NETWORK_NAMES[network])}`,
      ordered.slice(0, MAX_PLANS_SHOWN).map((p) => ({
        id: `plan:${p.id}`,
        label: `${p.name.replace(`${NETWORK_NAMES[network]} `, "")} — ${formatNaira(p.priceKobo)}`,
      })),
      fc.lang,
    );
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
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

function modeName(mode: GiftMode, lang: Lang): string {
  return mode === "quiz"
    ? T.quizName[lang]()
    : mode === "random_draw"
      ? T.randomDrawName[lang]()
      : T.firstComeName[lang]();
}

/** Everything back for confirmation, with the total that leaves the wallet now. */
async function summary(fc: FlowContext, data: GiftData): Promise<StepResult> {
  const capacity = data.capacity ?? 0;
  const price = data.kind === "data" ? (data.giftPriceKobo ?? 0) : (data.amountKobo ?? 0);
  const total = price * capacity;
  const withPrice = { ...data, giftPriceKobo: price };
  const lang = fc.lang;
  const lines = [T.summaryHead[lang](capacity, giftName(data), modeName(data.mode ?? "first_come", lang))];
  if (data.kind === "data" && data.network) {
    lines.push(T.needNetwork[lang](NETWORK_NAMES[data.network]));
  }
  if (data.kind === "cash") {
    lines.push(T.cashToWallet[lang]());
  }
  if (data.mode === "quiz") {
    lines.push(T.quizLines[lang](data.quizQuestion ?? "", (data.quizAnswers ?? []).join(", ")));
  }
  if (data.drawAt) {
    lines.push(T.draw[lang](lagosLabel(new Date(data.drawAt), lang)));
  }
  if (data.message) {
    lines.push(T.message[lang](data.message));
  }
  lines.push(T.openFor[lang](hoursLabel(data.hours ?? 24, lang)));
  lines.push(
    T.total[lang](capacity, formatNaira(price), formatNaira(total)) +
      (data.kind === "airtime" ? T.airtimeBack[lang]() : T.unclaimedBack[lang]()),
  );
  const { availableKobo } = await getWalletBalance({ ctx: fc.ctx, userId: fc.userId });
  if (availableKobo < total) {
    lines.push(T.notEnough[lang](formatNaira(availableKobo)));
    return {
      replies: [{ text: lines.join("\n"), choices: [fundChoice(lang), cancelChoice(lang)] }],
      next: { flow: FLOW, step: "short", data: withPrice },
    };
  }
  lines.push(T.confirm[lang]());
  return confirmSummary(FLOW, withPrice, lines.join("\n"), T.what[lang](formatNaira(total)), lang);
}
