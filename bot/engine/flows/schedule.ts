import { listDataPlans } from "../../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { hasPin } from "../../../api/services/pins";
import {
  createSchedule,
  deleteSchedule,
  describeRecurrence,
  firstDueOn,
  formatLagosDate,
  lagosDate,
  listSchedules,
  pauseSchedule,
  type Recurrence,
  resumeSchedule,
  runsPerMonth,
  type ScheduleDto,
  skipNextRun,
  weekdayOf,
} from "../../../api/services/schedules";
import { quoteByAmount } from "../../../api/services/vtu";
import type { Network } from "../../../api/services/vtu/provider";
import { templates } from "../i18n";
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
      'To schedule a purchase, write it with how often, e.g. "airtime 500 for 08031234567 every day", "every Friday ₦1000 airtime for 08031234567" or "1GB MTN for 08031234567 every month on the 1st". In chat I schedule airtime and data; "my schedules" lists yours.',
    pcm: () =>
      'To arrange purchase wey go dey repeat, write am with how often, like "airtime 500 for 08031234567 every day", "every Friday ₦1000 airtime for 08031234567" or "1GB MTN for 08031234567 every month on the 1st". For chat I fit arrange airtime and data; "my schedules" go show your own.',
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
      `Done: ${what}. Next run: ${next}. I will tell you how each run goes. Reply "my schedules" to pause, skip or delete it.`,
    pcm: (what: string, next: string) =>
      `E don set: ${what}. Next run: ${next}. I go tell you how every run go. Reply "my schedules" to pause, skip or delete am.`,
  },
  none: {
    en: () => 'You have no schedules. Write one like "airtime 500 for 08031234567 every day".',
    pcm: () => 'You no get any schedule. Write one like "airtime 500 for 08031234567 every day".',
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
 * Schedules in chat (issue 19): "airtime 500 for 0803… every day" shows the schedule in words with
 * its first run and the caps it authorises, Confirm, then the PIN (the purchase flows' PIN step:
 * typed and deleted on Telegram, a one-time page on WhatsApp), then it is created. The runs are the
 * sweeper's (api/services/schedules/runs.ts); their outcomes arrive as notifications. "my schedules"
 * lists them with the next run and the last outcome, to pause, resume, skip the next run or delete.
 */
export const scheduleFlow: Flow = {
  name: "schedule",
  async start(fc, intent) {
    const said = intent?.kind === "schedule" ? intent : undefined;
    if (!said || said.mine) {
      return list(fc);
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

async function propose(fc: FlowContext, said: IntentOf<"schedule">): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  // A schedule is authorised with the PIN: without one, say so before the summary, not after it.
  if (!(await hasPin({ ctx: fc.ctx, userId: fc.userId }))) {
    return { replies: [doneReply(T.needPin[lang](), [{ id: "nav:pin", label: T.setPin[lang]() }], lang)] };
  }
  const phone = said.phone ?? (said.forSelf ? await ownPhone(fc) : undefined);
  if (!phone) {
    return end(T.needNumber[lang]());
  }
  const network = (said.network ?? guessNetwork(phone).network) as Network | undefined;
  if (!network) {
    return end(T.needNetwork[lang](phone));
  }
  const now = fc.ctx.now();
  const today = lagosDate(now);
  const recurrence = fillRecurrence(said.recurrence, today);
  const data: Record<string, unknown> = { service: said.service, phone, network, recurrence };
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
  data.priceKobo = priceKobo;
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
  return summary("schedule", data, text, `${what}, ${how}`, lang);
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
  try {
    const { schedule } = await createSchedule({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      idempotencyKey: `chat:${fc.input.channel}:${String(d.confirmId)}`,
      input: {
        service: d.service as "airtime" | "data",
        recipient: String(d.phone),
        network: d.network as Network,
        ...(d.service === "airtime" ? { amountKobo: Number(d.amountKobo) } : { planId: String(d.planId) }),
        recurrence,
        pin: read.pin,
      },
    });
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

function nextInWords(fc: FlowContext, s: ScheduleDto): string {
  if (!s.nextDueOn || s.status !== "active") {
    return T.noNext[fc.lang]();
  }
  return s.nextDueOn === lagosDate(fc.ctx.now()) ? T.today[fc.lang]() : formatLagosDate(s.nextDueOn);
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
