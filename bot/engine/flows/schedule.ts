import { listCableBouquets, listDataPlans } from "../../../api/services/catalogue/listings";
import {
  bouquetSlug,
  CABLE_NAMES,
  DISCO_NAMES,
  NETWORK_NAMES,
} from "../../../api/services/catalogue/normalize";
import { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { hasPin } from "../../../api/services/pins";
import {
  capsAfterChange,
  changeSchedule,
  createSchedule,
  createScheduleFromOrder,
  deleteSchedule,
  describeRecurrence,
  firstDueOn,
  formatLagosDate,
  getSchedule,
  lagosDate,
  listSchedules,
  pauseSchedule,
  priceSchedule,
  type Recurrence,
  resumeSchedule,
  runsPerMonth,
  type ScheduleDto,
  skipNextRun,
  weekdayOf,
} from "../../../api/services/schedules";
import { quoteByAmount, verifyAccount } from "../../../api/services/vtu";
import {
  findOwnPurchase,
  lastDeliveredPurchase,
  type PastPurchase,
} from "../../../api/services/vtu/past-purchases";
import type { CableProvider, Disco, MeterType, Network } from "../../../api/services/vtu/provider";
import { templates } from "../i18n";
import { readAmount } from "../intents/extract";
import type { IntentOf } from "../intents/intent";
import { cancelChoice, doneReply, errorText, forgotPinChoice } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { again, ownPhone, summary } from "./purchase";
import { scheduleWebLine } from "./schedule-web";
import { askForPin, readPinAnswer, retryPin } from "./secure-pin";

const T = templates("schedule", {
  howTo: {
    en: () =>
      'To schedule a purchase, write it with how often, e.g. "airtime 500 for 08031234567 every day", "1GB MTN for 08031234567 every month on the 1st", "pay ₦5000 IKEDC prepaid 45123456789 every month on the 1st", "renew DStv 1234567890 every month on the 25th" or "repeat my last order every month". "my schedules" lists yours.',
    pcm: () =>
      'To arrange purchase wey go dey repeat, write am with how often, like "airtime 500 for 08031234567 every day", "1GB MTN for 08031234567 every month on the 1st", "pay ₦5000 IKEDC prepaid 45123456789 every month on the 1st", "renew DStv 1234567890 every month on the 25th" or "repeat my last order every month". "my schedules" go show your own.',
  },
  needDisco: {
    en: () =>
      'Which electricity company? Write it again with the DisCo, e.g. "pay ₦5000 IKEDC prepaid 45123456789 every month on the 1st".',
    pcm: () =>
      'Which light company? Write am again with the DisCo, like "pay ₦5000 IKEDC prepaid 45123456789 every month on the 1st".',
  },
  needMeterType: {
    en: () =>
      'Prepaid or postpaid? Write it again with the meter type, e.g. "pay ₦5000 IKEDC prepaid 45123456789 every month".',
    pcm: () =>
      'Prepaid or postpaid? Write am again with the meter type, like "pay ₦5000 IKEDC prepaid 45123456789 every month".',
  },
  needMeter: {
    en: () =>
      'Which meter? Write it again with the meter number, e.g. "pay ₦5000 IKEDC prepaid 45123456789 every month".',
    pcm: () =>
      'Which meter? Write am again with the meter number, like "pay ₦5000 IKEDC prepaid 45123456789 every month".',
  },
  needBillAmount: {
    en: () =>
      'How much each time? Write it again with the amount, e.g. "pay ₦5000 IKEDC prepaid 45123456789 every month".',
    pcm: () =>
      'How much every time? Write am again with the amount, like "pay ₦5000 IKEDC prepaid 45123456789 every month".',
  },
  needTv: {
    en: () =>
      'Which TV? Write it again with DStv, GOtv or StarTimes, e.g. "renew DStv 1234567890 every month on the 25th".',
    pcm: () =>
      'Which TV? Write am again with DStv, GOtv or StarTimes, like "renew DStv 1234567890 every month on the 25th".',
  },
  needCard: {
    en: () =>
      'Which card? Write it again with the smartcard / IUC number, e.g. "renew DStv 1234567890 every month on the 25th".',
    pcm: () =>
      'Which card? Write am again with the smartcard / IUC number, like "renew DStv 1234567890 every month on the 25th".',
  },
  notVerified: {
    en: (reason: string) => `I could not verify that number, so nothing was scheduled: ${reason}`,
    pcm: (reason: string) => `I no fit confirm that number, so I no arrange anything: ${reason}`,
  },
  noBouquet: {
    en: (card: string) =>
      `I could not tell which bouquet card ${card} is on, so I cannot renew it on a schedule. Renew it once with "dstv ${card}", then try again.`,
    pcm: (card: string) =>
      `I no fit know which bouquet dey card ${card}, so I no fit arrange renewal for am. Renew am once with "dstv ${card}", then try again.`,
  },
  nothingToRepeat: {
    en: () => "You have no delivered order yet, so there is nothing to put on a schedule.",
    pcm: () => "You never get any order wey don land, so nothing dey to arrange.",
  },
  howOften: {
    en: (what: string) => `How often should I buy ${what}?`,
    pcm: (what: string) => `How often make I dey buy ${what}?`,
  },
  daily: { en: () => "Every day", pcm: () => "Day by day" },
  weeklyOn: { en: (day: string) => `Every ${day}`, pcm: (day: string) => `${day} ${day}` },
  monthlyOn: {
    en: (day: string) => `Every month on the ${day}`,
    pcm: (day: string) => `Every month, day ${day}`,
  },
  changeAmount: { en: () => "Change amount", pcm: () => "Change the amount" },
  noSuchSchedule: {
    en: (n: number) => `You have no schedule number ${n}. Reply "my schedules" to see them.`,
    pcm: (n: number) => `You no get schedule number ${n}. Reply "my schedules" make you see them.`,
  },
  noAmountSchedule: {
    en: () =>
      'You have no airtime or electricity schedule to change. Data and cable schedules have no amount: their plan sets the price. Reply "my schedules" to see yours.',
    pcm: () =>
      'You no get airtime or electricity schedule wey I fit change. Data and cable schedule no get amount: na their plan set the price. Reply "my schedules" make you see your own.',
  },
  noAmount: {
    en: (what: string) =>
      `${what} has no amount to change: its plan sets the price. Delete it and write a new one for another plan.`,
    pcm: (what: string) =>
      `${what} no get amount wey I fit change: na the plan set the price. Delete am and write new one for another plan.`,
  },
  endedNoChange: {
    en: (what: string) => `${what} has ended, so there is nothing to change. Write a new schedule instead.`,
    pcm: (what: string) => `${what} don end, so nothing dey to change. Write new schedule instead.`,
  },
  whichToChange: {
    en: () => "Which schedule should I change? Pick one.",
    pcm: () => "Which schedule make I change? Pick one.",
  },
  changeN: { en: (n: number) => `Change ${n}`, pcm: (n: number) => `Change number ${n}` },
  askAmount: {
    en: (what: string, now: string) => `${what} buys ${now} each time now. Type the new amount, e.g. 700.`,
    pcm: (what: string, now: string) =>
      `${what} dey buy ${now} every time now. Type the new amount, like 700.`,
  },
  amountAgain: {
    en: () => "Type the new amount in naira, e.g. 700, or Cancel.",
    pcm: () => "Type the new amount for naira, like 700, or Cancel.",
  },
  changeSummary: {
    en: (what: string, from: string, to: string, price: string, cap: string, monthly: string) =>
      `Change ${what}: ${from} → ${to} each time.\nEach run will cost ${price}: you authorise up to ${cap} a run and ${monthly} a month.\nConfirm with your PIN.`,
    pcm: (what: string, from: string, to: string, price: string, cap: string, monthly: string) =>
      `Change ${what}: ${from} → ${to} every time.\nEvery run go cost ${price}: you allow reach ${cap} for one run and ${monthly} for one month.\nConfirm with your PIN.`,
  },
  changed: {
    en: (what: string, next: string) => `Changed: ${what}. Next run: ${next}.`,
    pcm: (what: string, next: string) => `E don change: ${what}. Next run: ${next}.`,
  },
  needNumber: {
    en: () =>
      'Which number? Write the schedule again with the phone number, e.g. "airtime 500 for 08031234567 every day".',
    pcm: () =>
      'Which number? Write am again with the phone number, like "airtime 500 for 08031234567 every day".',
  },
  needAmount: {
    en: () =>
      'How much airtime each time? Write it again with the amount, e.g. "airtime 500 for 08031234567 every day".',
    pcm: () =>
      'How much airtime every time? Write am again with the amount, like "airtime 500 for 08031234567 every day".',
  },
  needSize: {
    en: () =>
      'Which data size? Write it again with the size, e.g. "1GB MTN for 08031234567 every month on the 1st".',
    pcm: () =>
      'Which data size? Write am again with the size, like "1GB MTN for 08031234567 every month on the 1st".',
  },
  needNetwork: {
    en: (phone: string) =>
      `I cannot tell the network of ${phone}. Write the schedule again with the network (MTN, Airtel, Glo or 9mobile).`,
    pcm: (phone: string) =>
      `I no sabi the network of ${phone}. Write am again with the network (MTN, Airtel, Glo or 9mobile).`,
  },
  needPin: {
    en: () =>
      "A schedule buys with your standing authorisation, given with your transaction PIN. Set your PIN first.",
    pcm: () =>
      "Schedule dey buy with the permission wey you give with your transaction PIN. Set your PIN first.",
  },
  setPin: { en: () => "Set up my PIN", pcm: () => "Make I set my PIN" },
  noPlan: {
    en: (network: string, size: string) => `${network} has no ${size} plan right now. Try another size.`,
    pcm: (network: string, size: string) => `${network} no get ${size} plan now. Try another size.`,
  },
  summary: {
    en: (what: string, how: string, first: string, price: string, cap: string, monthly: string) =>
      `Schedule: ${what}, ${how}.\nFirst run: ${first}.\nEach run costs ${price} now, paid from your wallet without asking again: you authorise up to ${cap} a run and ${monthly} a month. If the price goes above that, I pause it and ask you.\nConfirm with your PIN.`,
    pcm: (what: string, how: string, first: string, price: string, cap: string, monthly: string) =>
      `Schedule: ${what}, ${how}.\nFirst one go run: ${first}.\nEvery run na ${price} now, from your wallet and I no go ask again: you allow reach ${cap} for one run and ${monthly} for one month. If price pass that one, I go pause am and ask you.\nConfirm with your PIN.`,
  },
  today: {
    en: () => "today, right after you confirm",
    pcm: () => "today, as you confirm finish",
  },
  /** After the confirmation: "right after you confirm" would be a step the customer already took. */
  todayConfirmed: {
    en: () => "today",
    pcm: () => "today",
  },
  pinTitle: {
    en: (what: string) => `Authorise: ${what}`,
    pcm: (what: string) => `Allow this schedule: ${what}`,
  },
  pinTyped: {
    en: () => "Send your transaction PIN to authorise this schedule. I will delete it right away.",
    pcm: () => "Send your transaction PIN make you allow this schedule. I go delete am sharp sharp.",
  },
  pinLink: {
    en: () => "To authorise this schedule, open this link to enter your PIN.",
    pcm: () => "To allow this schedule, open this link put your PIN.",
  },
  created: {
    en: (what: string, next: string) =>
      `Done: ${what}. Next run: ${next}. I will tell you how each run goes. Reply "my schedules" to pause, skip, change or delete it.`,
    pcm: (what: string, next: string) =>
      `E don set: ${what}. Next run: ${next}. I go tell you how every run go. Reply "my schedules" to pause, skip, change or delete am.`,
  },
  none: {
    en: () =>
      'You have no schedules. Write one like "airtime 500 for 08031234567 every day", or "repeat my last order every month".',
    pcm: () =>
      'You no get any schedule. Write one like "airtime 500 for 08031234567 every day", or "repeat my last order every month".',
  },
  listHead: { en: () => "Your schedules:", pcm: () => "See your schedules:" },
  line: {
    en: (n: number, what: string, status: string, next: string, last: string) =>
      `${n}. ${what} — ${status}; next: ${next}; last: ${last}`,
    pcm: (n: number, what: string, status: string, next: string, last: string) =>
      `${n}. ${what} — ${status}; next one: ${next}; last one: ${last}`,
  },
  pickOne: { en: () => "Pick one to manage it.", pcm: () => "Pick one make you manage am." },
  manage: { en: (n: number) => `Manage ${n}`, pcm: (n: number) => `Manage number ${n}` },
  active: { en: () => "active", pcm: () => "e dey run" },
  paused: { en: (why: string) => `paused (${why})`, pcm: (why: string) => `e don pause (${why})` },
  ended: { en: () => "ended", pcm: () => "e don end" },
  byYou: { en: () => "by you", pcm: () => "na you pause am" },
  priceRose: { en: () => "price above your cap", pcm: () => "price pass your limit" },
  monthCap: { en: () => "monthly cap reached", pcm: () => "monthly limit don reach" },
  skips: { en: () => "skipped runs", pcm: () => "e skip many times" },
  never: { en: () => "none yet", pcm: () => "nothing yet" },
  noNext: { en: () => "none", pcm: () => "nothing" },
  chooseAction: {
    en: (what: string) => `${what}. What should I do?`,
    pcm: (what: string) => `${what}. Wetin make I do?`,
  },
  pause: { en: () => "Pause", pcm: () => "Pause am" },
  resume: { en: () => "Resume", pcm: () => "Start am again" },
  skip: { en: () => "Skip next run", pcm: () => "Skip the next one" },
  remove: { en: () => "Delete", pcm: () => "Delete am" },
  didPause: { en: (what: string) => `Paused: ${what}.`, pcm: (what: string) => `I don pause: ${what}.` },
  didResume: {
    en: (what: string, next: string) => `Resumed: ${what}. Next run: ${next}.`,
    pcm: (what: string, next: string) => `E don start again: ${what}. Next run: ${next}.`,
  },
  didSkip: {
    en: (what: string, next: string) => `Skipped the next run of ${what}. Next run: ${next}.`,
    pcm: (what: string, next: string) => `I don skip the next run of ${what}. Next one: ${next}.`,
  },
  didDelete: { en: (what: string) => `Deleted: ${what}.`, pcm: (what: string) => `I don delete: ${what}.` },
});

const MAX_LISTED = 5;

/**
 * Schedules in chat (issue 19): "airtime 500 for 0803… every day" (also data, "pay ₦5000 IKEDC
 * prepaid 4512… every month" and "renew DStv 1234567890 every month", the meter or card verified
 * first, and "repeat my last order every month") shows the schedule in words with its first run and
 * the caps it authorises, Confirm, then the PIN (the purchase flows' PIN step: typed and deleted on
 * Telegram, a one-time page on WhatsApp), then it is created. The runs are the sweeper's
 * (api/services/schedules/runs.ts); their outcomes arrive as notifications. "my schedules" lists them
 * with the next run and the last outcome, to pause, resume, skip the next run, change the amount or
 * delete; "change schedule 2 to ₦700" changes an amount directly (Confirm and PIN again).
 */
export const scheduleFlow: Flow = {
  name: "schedule",
  async start(fc, intent) {
    const said = intent?.kind === "schedule" ? intent : undefined;
    if (!said || said.mine) {
      return list(fc);
    }
    if (said.action === "change_amount") {
      return startChange(fc, said);
    }
    if (said.fromLastOrder) {
      return fromLastOrder(fc, said);
    }
    return said.service ? propose(fc, said) : howTo(fc);
  },
  async handle(fc, state, answer) {
    if (state.step === "confirm") {
      if (answer.choice !== "confirm") {
        return again(state, T.chooseAction[fc.lang](String(state.data.summaryOf ?? "")), fc.lang);
      }
      return askForPin(
        fc,
        { ...state, step: "pin", data: { ...state.data, confirmId: fc.input.messageId } },
        { purpose: "pay", title: T.pinTitle[fc.lang](String(state.data.summaryOf ?? "")) },
        { typed: T.pinTyped[fc.lang](), link: T.pinLink[fc.lang]() },
      );
    }
    if (state.step === "pin") {
      return authorise(fc, state, answer);
    }
    if (state.step === "list" && answer.choice?.startsWith("sch:")) {
      return actions(fc, answer.choice.slice(4));
    }
    if (state.step === "manage" && answer.choice) {
      return act(fc, String(state.data.scheduleId ?? ""), answer.choice);
    }
    if (state.step === "often" && answer.choice?.startsWith("often:")) {
      return oftenPicked(fc, state, answer.choice.slice(6));
    }
    if (state.step === "pickChange" && answer.choice?.startsWith("amt:")) {
      const amountKobo = state.data.amountKobo === undefined ? undefined : Number(state.data.amountKobo);
      return changeOne(fc, answer.choice.slice(4), amountKobo);
    }
    if (state.step === "amount" && answer.text !== undefined) {
      const read = readAmount(answer.text);
      if (!read?.amountKobo) {
        return again(state, T.amountAgain[fc.lang](), fc.lang);
      }
      return changeOne(fc, String(state.data.scheduleId ?? ""), read.amountKobo);
    }
    return undefined;
  },
};

/** "every month" alone, or a recurring request for something chat does not schedule: how to write one. */
async function howTo(fc: FlowContext): Promise<StepResult> {
  return { replies: [doneReply(T.howTo[fc.lang](), [], fc.lang)] };
}

function fillRecurrence(said: IntentOf<"schedule">["recurrence"], today: string): Recurrence {
  switch (said?.kind) {
    case "weekly":
      return { kind: "weekly", weekday: said.weekday ?? weekdayOf(today) };
    case "monthly":
      return { kind: "monthly", day: said.day ?? Number(today.slice(8, 10)) };
    case "every_n_days":
      return { kind: "every_n_days", days: said.days };
    default:
      return { kind: "daily" };
  }
}

/** A schedule is authorised with the PIN: without one, say so before the summary, not after it. */
async function pinMissing(fc: FlowContext): Promise<StepResult | undefined> {
  if (await hasPin({ ctx: fc.ctx, userId: fc.userId })) {
    return undefined;
  }
  const lang = fc.lang;
  return { replies: [doneReply(T.needPin[lang](), [{ id: "nav:pin", label: T.setPin[lang]() }], lang)] };
}

/** The summary every new schedule ends at: what, how often, the first run, the price and the caps. */
function scheduleSummary(
  fc: FlowContext,
  data: Record<string, unknown>,
  what: string,
  recurrence: Recurrence,
  priceKobo: number,
): StepResult {
  const lang = fc.lang;
  const now = fc.ctx.now();
  const today = lagosDate(now);
  const first = firstDueOn(recurrence, today, now);
  const how = describeRecurrence(recurrence);
  const text = T.summary[lang](
    what,
    how,
    first === today ? T.today[lang]() : formatLagosDate(first),
    formatNaira(priceKobo),
    formatNaira(priceKobo),
    formatNaira(priceKobo * runsPerMonth(recurrence)),
  );
  return summary("schedule", { ...data, recurrence, priceKobo }, text, `${what}, ${how}`, lang);
}

async function propose(fc: FlowContext, said: IntentOf<"schedule">): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  const noPin = await pinMissing(fc);
  if (noPin) {
    return noPin;
  }
  const recurrence = fillRecurrence(said.recurrence, lagosDate(fc.ctx.now()));
  if (said.service === "electricity" || said.service === "cable") {
    try {
      return said.service === "electricity"
        ? await proposeElectricity(fc, said, recurrence)
        : await proposeCable(fc, said, recurrence);
    } catch (error) {
      return end(errorText(error, lang));
    }
  }
  const phone = said.phone ?? (said.forSelf ? await ownPhone(fc) : undefined);
  if (!phone) {
    return end(T.needNumber[lang]());
  }
  const network = (said.network ?? guessNetwork(phone).network) as Network | undefined;
  if (!network) {
    return end(T.needNetwork[lang](phone));
  }
  const data: Record<string, unknown> = { service: said.service, phone, network };
  let what: string;
  if (said.service === "airtime") {
    if (!said.amountKobo) {
      return end(T.needAmount[lang]());
    }
    data.amountKobo = said.amountKobo;
    what = `${NETWORK_NAMES[network]} airtime ${formatNaira(said.amountKobo)} for ${phone}`;
  } else {
    if (!said.sizeMb) {
      return end(T.needSize[lang]());
    }
    const plans = (await listDataPlans({ ctx: fc.ctx, network, userId: fc.userId })).filter(
      (p) => p.sizeMb === said.sizeMb && (!said.validityDays || p.validityDays === said.validityDays),
    );
    // The plan whose validity best fits how often it is bought (a monthly schedule: a 30-day plan).
    const period =
      recurrence.kind === "every_n_days"
        ? recurrence.days
        : { daily: 1, weekly: 7, monthly: 30 }[recurrence.kind];
    const plan = [...plans].sort(
      (a, b) =>
        Math.abs(a.validityDays - period) - Math.abs(b.validityDays - period) || a.priceKobo - b.priceKobo,
    )[0];
    if (!plan) {
      const size = said.sizeMb >= 1024 ? `${said.sizeMb / 1024}GB` : `${said.sizeMb}MB`;
      return end(T.noPlan[lang](NETWORK_NAMES[network], size));
    }
    data.planId = plan.id;
    data.priceKobo = plan.priceKobo;
    what = `${plan.name} for ${phone}`;
  }
  // The price now (the same check the schedule's creation makes): a quote, not a purchase.
  const priceKobo =
    said.service === "airtime"
      ? await airtimePrice(fc, network, Number(data.amountKobo))
      : Number(data.priceKobo);
  return scheduleSummary(fc, data, what, recurrence, priceKobo);
}

/**
 * "pay ₦5000 IKEDC prepaid 4512… every month on the 1st": the meter is verified (as the electricity
 * flow verifies it, before any summary) and its owner's name shown with the price of one run.
 */
async function proposeElectricity(
  fc: FlowContext,
  said: IntentOf<"schedule">,
  recurrence: Recurrence,
): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  if (!said.disco) {
    return end(T.needDisco[lang]());
  }
  if (!said.meterType) {
    return end(T.needMeterType[lang]());
  }
  if (!said.meterNumber) {
    return end(T.needMeter[lang]());
  }
  if (!said.amountKobo) {
    return end(T.needBillAmount[lang]());
  }
  const disco = said.disco as Disco;
  const meterType = said.meterType as MeterType;
  let customerName: string;
  try {
    const account = await verifyAccount({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      input: { kind: "meter", disco, meterType, number: said.meterNumber },
    });
    customerName = account.customerName;
  } catch (error) {
    return end(T.notVerified[lang](errorText(error, lang)));
  }
  const quote = await quoteByAmount({
    ctx: fc.ctx,
    service: "electricity",
    productId: `electricity:${disco}`,
    amountKobo: said.amountKobo,
    userId: fc.userId,
  });
  const what = `${DISCO_NAMES[disco]} ${meterType} electricity ${formatNaira(said.amountKobo)} for meter ${said.meterNumber} (${customerName})`;
  return scheduleSummary(
    fc,
    { service: "electricity", disco, meterType, meterNumber: said.meterNumber, amountKobo: said.amountKobo },
    what,
    recurrence,
    quote.priceKobo,
  );
}

/**
 * "renew DStv 1234567890 every month on the 25th": the card is verified (as the cable flow verifies
 * it) and the bouquet on it is what each run renews, at its price now.
 */
async function proposeCable(
  fc: FlowContext,
  said: IntentOf<"schedule">,
  recurrence: Recurrence,
): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  if (!said.provider) {
    return end(T.needTv[lang]());
  }
  if (!said.smartcard) {
    return end(T.needCard[lang]());
  }
  const provider = said.provider as CableProvider;
  let account: Awaited<ReturnType<typeof verifyAccount>>;
  try {
    account = await verifyAccount({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      input: { kind: "smartcard", provider, number: said.smartcard },
    });
  } catch (error) {
    return end(T.notVerified[lang](errorText(error, lang)));
  }
  const currentId = account.currentBouquet
    ? `cable:${provider}:${bouquetSlug(provider, account.currentBouquet)}`
    : undefined;
  const bouquet = currentId
    ? (await listCableBouquets({ ctx: fc.ctx, provider, userId: fc.userId })).find((b) => b.id === currentId)
    : undefined;
  if (!bouquet) {
    return end(T.noBouquet[lang](said.smartcard));
  }
  const what = `${CABLE_NAMES[provider]} ${bouquet.name} renewal for card ${said.smartcard} (${account.customerName})`;
  return scheduleSummary(
    fc,
    { service: "cable", provider, smartcard: said.smartcard },
    what,
    recurrence,
    bouquet.priceKobo,
  );
}

/** An order in words, for a schedule made from it. */
function orderInWords(order: PastPurchase): string {
  switch (order.service) {
    case "airtime":
      return `${order.network ? NETWORK_NAMES[order.network] : ""} airtime ${formatNaira(order.faceAmountKobo)} for ${order.recipient}`.trim();
    case "electricity":
      return `${order.productName} ${formatNaira(order.faceAmountKobo)} for meter ${order.recipient}`;
    case "cable":
      return `${CABLE_NAMES[order.biller as CableProvider] ?? order.productName} renewal for card ${order.recipient}`;
    default:
      return `${order.productName} for ${order.recipient}`;
  }
}

/**
 * "repeat my last order every month", "buy this again every Friday": the last delivered order,
 * copied as the API's `fromOrderId` copies it. Without how often ("schedule my last order"), one
 * question with three choices (every day, every <today's weekday>, every month on today's date).
 */
async function fromLastOrder(fc: FlowContext, said: IntentOf<"schedule">): Promise<StepResult> {
  const lang = fc.lang;
  const noPin = await pinMissing(fc);
  if (noPin) {
    return noPin;
  }
  const order = await lastDeliveredPurchase({ ctx: fc.ctx, userId: fc.userId });
  if (!order) {
    return { replies: [doneReply(T.nothingToRepeat[lang](), [], lang)] };
  }
  const today = lagosDate(fc.ctx.now());
  if (!said.recurrence) {
    const weekday = describeRecurrence({ kind: "weekly", weekday: weekdayOf(today) }).replace(/^every /, "");
    const day = Number(today.slice(8, 10));
    return {
      replies: [
        {
          text: T.howOften[lang](orderInWords(order)),
          choices: [
            { id: "often:daily", label: T.daily[lang]() },
            { id: "often:weekly", label: T.weeklyOn[lang](weekday) },
            { id: "often:monthly", label: T.monthlyOn[lang](ordinal(day)) },
            cancelChoice(lang),
          ],
        },
      ],
      next: { flow: "schedule", step: "often", data: { fromOrderId: order.id } },
    };
  }
  return proposeFromOrder(fc, order, fillRecurrence(said.recurrence, today));
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] ?? "th");
  return `${n}${suffix}`;
}

async function oftenPicked(
  fc: FlowContext,
  state: FlowState,
  often: string,
): Promise<StepResult | undefined> {
  const order = await findOwnPurchase({
    ctx: fc.ctx,
    userId: fc.userId,
    orderId: String(state.data.fromOrderId ?? ""),
  });
  if (!order || !["daily", "weekly", "monthly"].includes(often)) {
    return undefined;
  }
  const recurrence = fillRecurrence(
    { kind: often as "daily" | "weekly" | "monthly" },
    lagosDate(fc.ctx.now()),
  );
  return proposeFromOrder(fc, order, recurrence);
}

async function proposeFromOrder(
  fc: FlowContext,
  order: PastPurchase,
  recurrence: Recurrence,
): Promise<StepResult> {
  try {
    // The price the schedule's creation will check (a cable card is verified by it).
    const priceKobo = await priceSchedule(fc.ctx, fc.deps.vtu, fc.userId, {
      service: order.service as "airtime" | "data" | "electricity" | "cable",
      recipient: order.recipient,
      network: order.network,
      amount_kobo: order.faceAmountKobo,
      plan_id: order.productId,
      disco: order.biller,
      meter_type: order.meterType,
      cable_provider: order.biller,
      contact_phone: null,
    });
    return scheduleSummary(fc, { fromOrderId: order.id }, orderInWords(order), recurrence, priceKobo);
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}

async function airtimePrice(fc: FlowContext, network: Network, amountKobo: number): Promise<number> {
  const quote = await quoteByAmount({
    ctx: fc.ctx,
    service: "airtime",
    productId: `airtime:${network}`,
    amountKobo,
    userId: fc.userId,
  });
  return quote.priceKobo;
}

async function authorise(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
): Promise<StepResult> {
  const lang = fc.lang;
  const read = await readPinAnswer(fc, state, answer);
  if ("reply" in read) {
    return read.reply;
  }
  const refused = await refusePinAttempt(fc, state);
  if (refused) {
    return refused;
  }
  const d = state.data;
  const recurrence = d.recurrence as Recurrence;
  const base = {
    ctx: fc.ctx,
    vtu: fc.deps.vtu,
    userId: fc.userId,
    idempotencyKey: `chat:${fc.input.channel}:${String(d.confirmId)}`,
  };
  try {
    if (d.mode === "change") {
      const changed = await changeSchedule({
        ...base,
        scheduleId: String(d.scheduleId),
        input: { amountKobo: Number(d.amountKobo), pin: read.pin },
      });
      return {
        replies: [doneReply(T.changed[lang](changed.description, nextInWords(fc, changed)), [], lang)],
        deleteInput: true,
      };
    }
    const { schedule } = d.fromOrderId
      ? await createScheduleFromOrder({
          ...base,
          input: { fromOrderId: String(d.fromOrderId), recurrence, pin: read.pin },
        })
      : await createSchedule({ ...base, input: { ...whatToCreate(d), recurrence, pin: read.pin } });
    const next = nextInWords(fc, schedule);
    return { replies: [doneReply(T.created[lang](schedule.description, next), [], lang)], deleteInput: true };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return { replies: await retryPin(fc, state, errorText(error, lang)), next: state, deleteInput: true };
    }
    const locked = error instanceof ServiceError && error.code === "PIN_LOCKED";
    return {
      replies: [doneReply(errorText(error, lang), locked ? [forgotPinChoice(lang)] : [], lang)],
      deleteInput: true,
    };
  }
}

/** What the summary showed, as the schedule's creation takes it. */
function whatToCreate(d: Record<string, unknown>) {
  switch (d.service) {
    case "electricity":
      return {
        service: "electricity" as const,
        recipient: String(d.meterNumber),
        disco: d.disco as Disco,
        meterType: d.meterType as MeterType,
        amountKobo: Number(d.amountKobo),
      };
    case "cable":
      return {
        service: "cable" as const,
        recipient: String(d.smartcard),
        cableProvider: d.provider as CableProvider,
      };
    case "airtime":
      return {
        service: "airtime" as const,
        recipient: String(d.phone),
        network: d.network as Network,
        amountKobo: Number(d.amountKobo),
      };
    default:
      return {
        service: "data" as const,
        recipient: String(d.phone),
        network: d.network as Network,
        planId: String(d.planId),
      };
  }
}

function nextInWords(fc: FlowContext, s: ScheduleDto): string {
  if (!s.nextDueOn || s.status !== "active") {
    return T.noNext[fc.lang]();
  }
  return s.nextDueOn === lagosDate(fc.ctx.now()) ? T.todayConfirmed[fc.lang]() : formatLagosDate(s.nextDueOn);
}

function statusInWords(fc: FlowContext, s: ScheduleDto): string {
  const lang = fc.lang;
  if (s.status === "active") {
    return T.active[lang]();
  }
  if (s.status === "ended") {
    return T.ended[lang]();
  }
  const why = {
    customer: T.byYou[lang](),
    price_above_cap: T.priceRose[lang](),
    monthly_cap: T.monthCap[lang](),
    skipped_runs: T.skips[lang](),
  }[s.pauseReason ?? "customer"];
  return T.paused[lang](why);
}

function lastInWords(fc: FlowContext, s: ScheduleDto): string {
  if (!s.lastRun) {
    return T.never[fc.lang]();
  }
  const outcome =
    s.lastRun.outcome && s.lastRun.state === "skipped"
      ? `skipped (${s.lastRun.outcome.replaceAll("_", " ")})`
      : s.lastRun.state.replaceAll("_", " ");
  return `${outcome}, ${formatLagosDate(s.lastRun.dueOn)}`;
}

async function list(fc: FlowContext): Promise<StepResult> {
  const lang = fc.lang;
  const { items } = await listSchedules({ ctx: fc.ctx, userId: fc.userId, limit: MAX_LISTED });
  if (items.length === 0) {
    return { replies: [doneReply(`${T.none[lang]()}\n${await scheduleWebLine(fc, true)}`, [], lang)] };
  }
  const lines = items.map((s, i) =>
    T.line[lang](i + 1, s.description, statusInWords(fc, s), nextInWords(fc, s), lastInWords(fc, s)),
  );
  const choices = items.map((s, i) => ({ id: `sch:${s.id}`, label: T.manage[lang](i + 1) }));
  return {
    replies: [
      {
        text: [T.listHead[lang](), ...lines, "", await scheduleWebLine(fc), T.pickOne[lang]()].join("\n"),
        choices: [...choices, cancelChoice(lang)],
      },
    ],
    next: { flow: "schedule", step: "list", data: {} },
  };
}

async function actions(fc: FlowContext, scheduleId: string): Promise<StepResult> {
  const lang = fc.lang;
  const { items } = await listSchedules({ ctx: fc.ctx, userId: fc.userId, limit: 100 });
  const s = items.find((item) => item.id === scheduleId);
  if (!s) {
    return list(fc);
  }
  const choices = [
    s.status === "active" ? { id: "pause", label: T.pause[lang]() } : undefined,
    s.status === "paused" ? { id: "resume", label: T.resume[lang]() } : undefined,
    s.status === "active" || s.status === "paused" ? { id: "skip", label: T.skip[lang]() } : undefined,
    hasAmount(s) && s.status !== "ended" ? { id: "amount", label: T.changeAmount[lang]() } : undefined,
    { id: "delete", label: T.remove[lang]() },
    cancelChoice(lang),
  ].filter((c) => c !== undefined);
  return {
    replies: [{ text: T.chooseAction[lang](`${s.description} — ${statusInWords(fc, s)}`), choices }],
    next: { flow: "schedule", step: "manage", data: { scheduleId } },
  };
}

async function act(fc: FlowContext, scheduleId: string, choice: string): Promise<StepResult | undefined> {
  const lang = fc.lang;
  const args = { ctx: fc.ctx, userId: fc.userId, scheduleId };
  try {
    switch (choice) {
      case "pause": {
        const s = await pauseSchedule(args);
        return { replies: [doneReply(T.didPause[lang](s.description), [], lang)] };
      }
      case "resume": {
        const s = await resumeSchedule(args);
        return { replies: [doneReply(T.didResume[lang](s.description, nextInWords(fc, s)), [], lang)] };
      }
      case "skip": {
        const s = await skipNextRun(args);
        return { replies: [doneReply(T.didSkip[lang](s.description, nextInWords(fc, s)), [], lang)] };
      }
      case "amount":
        return await changeOne(fc, scheduleId, undefined);
      case "delete": {
        const s = await listSchedules({ ctx: fc.ctx, userId: fc.userId, limit: 100 });
        const what = s.items.find((item) => item.id === scheduleId)?.description ?? scheduleId;
        await deleteSchedule(args);
        return { replies: [doneReply(T.didDelete[lang](what), [], lang)] };
      }
      default:
        return undefined;
    }
  } catch (error) {
    return { replies: [doneReply(errorText(error, lang), [], lang)] };
  }
}

/** Airtime and electricity schedules buy an amount; data and cable ones a plan or bouquet. */
function hasAmount(s: ScheduleDto): boolean {
  return (s.service === "airtime" || s.service === "electricity") && s.amountKobo !== null;
}

/**
 * "change schedule 2 to ₦700" (2: its place in "my schedules"), "change my airtime schedule amount to
 * 700" (the one airtime schedule), or "change my schedule amount" (pick it): a new amount, shown with
 * the price and caps it authorises, then Confirm and the PIN (changeSchedule's new authorisation).
 */
async function startChange(fc: FlowContext, said: IntentOf<"schedule">): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  const noPin = await pinMissing(fc);
  if (noPin) {
    return noPin;
  }
  const { items } = await listSchedules({ ctx: fc.ctx, userId: fc.userId, limit: 100 });
  if (said.position !== undefined) {
    const s = items[said.position - 1];
    return s ? changeOne(fc, s.id, said.amountKobo) : end(T.noSuchSchedule[lang](said.position));
  }
  const open = items.filter((s) => s.status !== "ended");
  const ofService = said.service ? open.filter((s) => s.service === said.service) : open.filter(hasAmount);
  const first = ofService[0];
  if (!first) {
    return end(T.noAmountSchedule[lang]());
  }
  if (ofService.length === 1) {
    return changeOne(fc, first.id, said.amountKobo);
  }
  const lines = ofService
    .slice(0, MAX_LISTED)
    .map((s) =>
      T.line[lang](
        items.indexOf(s) + 1,
        s.description,
        statusInWords(fc, s),
        nextInWords(fc, s),
        lastInWords(fc, s),
      ),
    );
  return {
    replies: [
      {
        text: [T.whichToChange[lang](), ...lines].join("\n"),
        choices: [
          ...ofService
            .slice(0, MAX_LISTED)
            .map((s) => ({ id: `amt:${s.id}`, label: T.changeN[lang](items.indexOf(s) + 1) })),
          cancelChoice(lang),
        ],
      },
    ],
    next: {
      flow: "schedule",
      step: "pickChange",
      data: said.amountKobo === undefined ? {} : { amountKobo: said.amountKobo },
    },
  };
}

/** One schedule's new amount: asked for when not given, then the summary to confirm. */
async function changeOne(
  fc: FlowContext,
  scheduleId: string,
  amountKobo: number | undefined,
): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  try {
    const s = await getSchedule({ ctx: fc.ctx, userId: fc.userId, scheduleId, runs: 1 });
    if (!hasAmount(s)) {
      return end(T.noAmount[lang](s.description));
    }
    if (s.status === "ended") {
      return end(T.endedNoChange[lang](s.description));
    }
    if (amountKobo === undefined) {
      return {
        replies: [
          {
            text: T.askAmount[lang](s.description, formatNaira(s.amountKobo ?? 0)),
            choices: [cancelChoice(lang)],
          },
        ],
        next: { flow: "schedule", step: "amount", data: { scheduleId } },
      };
    }
    // The price and caps changeSchedule will record (capsAfterChange: one rule for both).
    const priceKobo = await priceSchedule(fc.ctx, fc.deps.vtu, fc.userId, {
      service: s.service,
      recipient: s.recipient,
      network: s.network,
      amount_kobo: amountKobo,
      plan_id: s.planId,
      disco: s.disco,
      meter_type: s.meterType as MeterType | null,
      cable_provider: s.cableProvider,
      contact_phone: null,
    });
    const { perRunCap: cap, monthlyCap: monthly } = capsAfterChange({
      current: s,
      priceKobo,
      amountChanged: true,
      given: {},
    });
    const text = T.changeSummary[lang](
      s.description,
      formatNaira(s.amountKobo ?? 0),
      formatNaira(amountKobo),
      formatNaira(priceKobo),
      formatNaira(cap),
      formatNaira(monthly),
    );
    return summary(
      "schedule",
      { mode: "change", scheduleId, amountKobo },
      text,
      `${s.description}: ${formatNaira(amountKobo)}`,
      lang,
    );
  } catch (error) {
    return end(errorText(error, lang));
  }
}
