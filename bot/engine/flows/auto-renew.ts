import { CABLE_NAMES } from "../../../api/services/catalogue/normalize";
import { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { hasPin } from "../../../api/services/pins";
import {
  createSchedule,
  describeRecurrence,
  formatLagosDate,
  lagosDate,
  previewAutoRenew,
} from "../../../api/services/schedules";
import type { CableProvider } from "../../../api/services/vtu/provider";
import { templates } from "../i18n";
import { doneReply, errorText, forgotPinChoice } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { again, summary } from "./purchase";
import { askForPin, readPinAnswer, retryPin } from "./secure-pin";

const T = templates("autoRenew", {
  howTo: {
    en: () =>
      'Auto-renew is set up from a cable renewal reminder: tap "Auto-renew" on it. Reply "my schedules" to see the ones you have.',
    pcm: () =>
      'You fit set auto-renew from the cable reminder wey I send: tap "Auto-renew" for there. Reply "my schedules" to see the ones wey you get.',
  },
  needPin: {
    en: () =>
      "Auto-renew pays with your standing authorisation, given with your transaction PIN. Set your PIN first.",
    pcm: () =>
      "Auto-renew dey pay with the permission wey you give with your transaction PIN. Set your PIN first.",
  },
  setPin: { en: () => "Set up my PIN", pcm: () => "Make I set my PIN" },
  notYours: {
    en: () => "I could not find that card among yours, so nothing was set up.",
    pcm: () => "I no see that card among your own, so I no set anything.",
  },
  noDueDate: {
    en: (card: string) =>
      `I do not know when card ${card}'s subscription ends (the provider did not say), so I cannot time auto-renew. Renew it once here — I count its due date from that payment — then set up auto-renew.`,
    pcm: (card: string) =>
      `I no know when card ${card} subscription go finish (the provider no talk), so I no fit time auto-renew. Renew am once here — I go count the due date from that payment — then set auto-renew.`,
  },
  already: {
    en: (what: string, next: string) =>
      `${what} is already on auto-renew. Next renewal: ${next}. Reply "my schedules" to pause or delete it.`,
    pcm: (what: string, next: string) =>
      `${what} don already dey on auto-renew. Next renewal: ${next}. Reply "my schedules" to pause or delete am.`,
  },
  summary: {
    en: (what: string, how: string, first: string, due: string, price: string, monthly: string) =>
      `Auto-renew: ${what}.\nI renew it ${how}, from your wallet without asking again. First renewal: ${first} (the card is due ${due}).\nEach renewal costs ${price} now: you authorise up to ${price} a renewal and ${monthly} a month. If the price goes above that, I pause it and ask you.\nConfirm with your PIN.`,
    pcm: (what: string, how: string, first: string, due: string, price: string, monthly: string) =>
      `Auto-renew: ${what}.\nI go renew am ${how}, from your wallet and I no go ask again. First renewal: ${first} (the card due ${due}).\nEvery renewal na ${price} now: you allow reach ${price} for one renewal and ${monthly} for one month. If price pass that one, I go pause am and ask you.\nConfirm with your PIN.`,
  },
  today: { en: () => "today", pcm: () => "dis today" },
  chooseAction: {
    en: (what: string) => `Auto-renew for ${what}: Confirm or Cancel?`,
    pcm: (what: string) => `Auto-renew for ${what}: you wan Confirm or Cancel?`,
  },
  pinTitle: {
    en: (what: string) => `Authorise auto-renew: ${what}`,
    pcm: (what: string) => `Allow auto-renew: ${what}`,
  },
  pinTyped: {
    en: () => "Send your transaction PIN to authorise auto-renew. I will delete it right away.",
    pcm: () => "Send your transaction PIN make you allow auto-renew. I go delete am sharp sharp.",
  },
  pinLink: {
    en: () => "To authorise auto-renew, open this link to enter your PIN.",
    pcm: () => "To allow auto-renew, open this link put your PIN.",
  },
  created: {
    en: (what: string, next: string) =>
      `Done: ${what}. Next renewal: ${next}. I will tell you how each renewal goes. Reply "my schedules" to pause or delete it.`,
    pcm: (what: string, next: string) =>
      `E don set: ${what}. Next renewal: ${next}. I go tell you how every renewal go. Reply "my schedules" to pause or delete am.`,
  },
  noNext: {
    en: () => "when the card's next due date is known",
    pcm: () => "when we know the card next due date",
  },
});

function dayInWords(fc: FlowContext, date: string | null): string {
  if (!date) {
    return T.noNext[fc.lang]();
  }
  return date <= lagosDate(fc.ctx.now()) ? T.today[fc.lang]() : formatLagosDate(date);
}

/**
 * Cable auto-renew from a renewal reminder's "Auto-renew" tap (`rmd:auto:<card>`, DECISIONS §67):
 * the summary (bouquet, price, how many days before each due date, the first renewal, the caps) →
 * Confirm → the PIN (the schedule flow's PIN step) → an auto-renew schedule (api/services/schedules,
 * recurrence `before_due`), answered with its next renewal date. Only the person's own card.
 */
export const autoRenewFlow: Flow = {
  name: "auto_renew",
  async start(fc) {
    return { replies: [doneReply(T.howTo[fc.lang](), [], fc.lang)] };
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
    return undefined;
  },
};

/** The summary for one of the person's cards (or why it cannot be set up). */
export async function proposeAutoRenew(fc: FlowContext, cardId: number): Promise<StepResult> {
  const lang = fc.lang;
  const end = (text: string): StepResult => ({ replies: [doneReply(text, [], lang)] });
  if (!(await hasPin({ ctx: fc.ctx, userId: fc.userId }))) {
    return { replies: [doneReply(T.needPin[lang](), [{ id: "nav:pin", label: T.setPin[lang]() }], lang)] };
  }
  const preview = await previewAutoRenew({ ctx: fc.ctx, vtu: fc.deps.vtu, userId: fc.userId, cardId });
  if (!preview) {
    return end(T.notYours[lang]());
  }
  const tv = CABLE_NAMES[preview.provider as CableProvider] ?? preview.provider;
  const what = `${tv} ${preview.bouquet ?? ""} on card ${preview.smartcard}`.replace(/\s+/g, " ");
  if (preview.existing) {
    return end(T.already[lang](what, dayInWords(fc, preview.existing.nextDueOn)));
  }
  if (!preview.dueDate || !preview.firstRunOn) {
    return end(T.noDueDate[lang](preview.smartcard));
  }
  const named = preview.customerName ? `${what} (${preview.customerName})` : what;
  const text = T.summary[lang](
    named,
    describeRecurrence({ kind: "before_due", daysBefore: preview.daysBefore }),
    dayInWords(fc, preview.firstRunOn),
    formatLagosDate(preview.dueDate),
    formatNaira(preview.priceKobo),
    formatNaira(preview.monthlyCapKobo),
  );
  return summary(
    "auto_renew",
    { cardId: preview.cardId, provider: preview.provider, smartcard: preview.smartcard },
    text,
    what,
    lang,
  );
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
  try {
    const { schedule } = await createSchedule({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      idempotencyKey: `chat:${fc.input.channel}:${String(d.confirmId)}`,
      input: {
        service: "cable",
        recipient: String(d.smartcard),
        cableProvider: d.provider as CableProvider,
        recurrence: { kind: "before_due" },
        pin: read.pin,
      },
    });
    const next = schedule.status === "active" ? dayInWords(fc, schedule.nextDueOn) : T.noNext[lang]();
    return {
      replies: [doneReply(T.created[lang](schedule.description, next), [], lang)],
      deleteInput: true,
    };
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
