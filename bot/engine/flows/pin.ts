import { hasPin, setOrChangePin } from "../../../api/services/pins";
import { templates } from "../i18n";
import {
  cancelChoice,
  doneReply,
  errorText,
  forgotPinChoice,
  newSummaryId,
  summaryChoices,
  summaryTag,
} from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { completeReset, requestReset } from "./pin-reset";
import { askForPin, pinFromAnswer, retryPin } from "./secure-pin";

const T = templates("pin", {
  askChange: {
    en: () =>
      "Send your current PIN and your new PIN in one message, separated by a space (e.g. 2580 7391). I will delete the message right away.",
    pcm: () =>
      "Send your current PIN and your new PIN for one message, put space for between (like 2580 7391). I go delete the message sharp sharp.",
  },
  askSet: {
    en: () => "Choose a 4–6 digit transaction PIN and send it. I will delete the message right away.",
    pcm: () => "Choose transaction PIN wey get 4–6 digits and send am. I go delete the message sharp sharp.",
  },
  titleChange: { en: () => "Change your transaction PIN", pcm: () => "Change your transaction PIN" },
  titleSet: { en: () => "Choose your transaction PIN", pcm: () => "Choose your transaction PIN" },
  linkChange: {
    en: () => "Open this link to change your PIN.",
    pcm: () => "Open this link make you change your PIN.",
  },
  linkSet: {
    en: () => "Open this link to choose your PIN.",
    pcm: () => "Open this link make you choose your PIN.",
  },
  digits: { en: () => "A PIN is 4 to 6 digits.", pcm: () => "PIN na 4 to 6 digits." },
  sendBoth: {
    en: () => "Send both PINs, e.g. 2580 7391.",
    pcm: () => "Send the two PINs together, like 2580 7391.",
  },
  sendAgain: {
    en: () => "A PIN is 4 to 6 digits. Send it again.",
    pcm: () => "PIN na 4 to 6 digits. Send am again.",
  },
  set: {
    en: () => "Your PIN is set. Keep it to yourself: we will never ask for it except to pay.",
    pcm: () =>
      "Your PIN don set. Keep am for yourself: we no go ever ask you for am, except when you wan pay.",
  },
  resume: {
    en: (what: string) => `Now tap Confirm to pay for the ${what}, or Cancel.`,
    pcm: (what: string) => `Now tap Confirm make you pay for the ${what}, or Cancel.`,
  },
});

/**
 * Set or change the transaction PIN. The PIN arrives in one message (both PINs for a change: "1234
 * 5678"), is used at once and never stored in the chat state; the adapter deletes the message (S4).
 * On WhatsApp it is entered on a one-time page instead. "I forgot my PIN" resets it with a one-time
 * code (`pin-reset.ts`).
 */
export const pinFlow: Flow = {
  name: "pin",
  async start(fc, intent) {
    if (intent?.kind === "reset_pin") {
      return requestReset(fc);
    }
    if (!(await hasPin({ ctx: fc.ctx, userId: fc.userId }))) {
      return askToSetPin(fc);
    }
    // confirmId binds a WhatsApp PIN page link to this very conversation.
    return askForPin(
      fc,
      { flow: "pin", step: "change", data: { confirmId: fc.input.messageId } },
      { purpose: "change_pin", title: T.titleChange[fc.lang]() },
      { typed: T.askChange[fc.lang](), link: T.linkChange[fc.lang](), choices: [forgotPinChoice(fc.lang)] },
    );
  },
  async handle(fc, state, answer) {
    if (state.step === "reset") {
      return completeReset(fc, state, answer.text ?? "");
    }
    const allowed = await pinFromAnswer(fc, state, answer.text);
    if ("refused" in allowed) {
      return allowed.refused;
    }
    const digits = allowed.pin
      .trim()
      .split(/\s+/)
      .filter((p) => /^\d{4,6}$/.test(p));
    const wanted = state.step === "change" ? 2 : 1;
    if (digits.length !== wanted) {
      if (fc.input.pinFromSecurePage) {
        return { replies: await retryPin(fc, state, T.digits[fc.lang]()), next: state };
      }
      return {
        replies: [
          {
            text: wanted === 2 ? T.sendBoth[fc.lang]() : T.sendAgain[fc.lang](),
            choices: [cancelChoice(fc.lang)],
          },
        ],
        next: state,
        deleteInput: digits.length > 0,
      };
    }
    // Changing the PIN checks the current one: the same per-chat attempt limit applies (S5).
    const refused = wanted === 2 ? await refusePinAttempt(fc, state) : undefined;
    if (refused) {
      return refused;
    }
    try {
      const [first, second] = digits as [string, string?];
      await setOrChangePin({
        ctx: fc.ctx,
        userId: fc.userId,
        input: wanted === 2 ? { currentPin: first, pin: second ?? "" } : { pin: first },
      });
      const resume = state.data.resume as FlowState | undefined;
      if (wanted === 1 && resume) {
        return { ...resumePurchase(fc, resume), deleteInput: true };
      }
      return {
        replies: [doneReply(T.set[fc.lang](), [], fc.lang)],
        deleteInput: true,
      };
    } catch (error) {
      return {
        replies: await retryPin(fc, state, errorText(error, fc.lang)),
        next: state,
        deleteInput: true,
      };
    }
  },
};

/**
 * Ask for a first PIN (the set step). `resume` is a purchase confirmed before any PIN existed (its
 * state at the summary): once the PIN is set, that summary is offered again, so nothing typed is lost.
 * `lead` says why the PIN is asked for.
 */
export function askToSetPin(
  fc: FlowContext,
  options: { lead?: string; resume?: FlowState } = {},
): Promise<StepResult> {
  const lead = options.lead ? `${options.lead} ` : "";
  const data = { confirmId: fc.input.messageId, ...(options.resume ? { resume: options.resume } : {}) };
  // confirmId binds a WhatsApp PIN page link to this very conversation.
  return askForPin(
    fc,
    { flow: "pin", step: "set", data },
    { purpose: "set_pin", title: T.titleSet[fc.lang]() },
    { typed: lead + T.askSet[fc.lang](), link: lead + T.linkSet[fc.lang]() },
  );
}

/**
 * The PIN is set and a purchase was waiting for it: back to that purchase's summary, with its own
 * Confirm and Cancel. Confirm checks the wallet again and then asks for the new PIN to pay.
 */
function resumePurchase(fc: FlowContext, resume: FlowState): StepResult {
  const id = typeof resume.data.summaryId === "string" ? resume.data.summaryId : newSummaryId();
  const what = typeof resume.data.summaryOf === "string" ? resume.data.summaryOf : "purchase";
  return {
    replies: [
      {
        text: `${T.set[fc.lang]()}\n${T.resume[fc.lang](what)}`,
        choices: summaryChoices(id, fc.lang),
        tag: summaryTag(id),
      },
    ],
    next: { ...resume, step: "confirm", data: { ...resume.data, summaryId: id } },
  };
}
