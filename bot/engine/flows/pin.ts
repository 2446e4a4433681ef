import { hasPin, setOrChangePin } from "../../../api/services/pins";
import { templates } from "../i18n";
import { cancelChoice, doneReply, errorText, forgotPinChoice } from "../replies";
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
    const existing = await hasPin({ ctx: fc.ctx, userId: fc.userId });
    const text = existing ? T.askChange[fc.lang]() : T.askSet[fc.lang]();
    // confirmId binds a WhatsApp PIN page link to this very conversation.
    return askForPin(
      fc,
      { flow: "pin", step: existing ? "change" : "set", data: { confirmId: fc.input.messageId } },
      existing
        ? { purpose: "change_pin", title: T.titleChange[fc.lang]() }
        : { purpose: "set_pin", title: T.titleSet[fc.lang]() },
      {
        typed: text,
        link: existing ? T.linkChange[fc.lang]() : T.linkSet[fc.lang](),
        choices: existing ? [forgotPinChoice(fc.lang)] : [],
      },
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
