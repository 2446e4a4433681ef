import { hasPin, setOrChangePin } from "../../../api/services/pins";
import { CANCEL_CHOICE, doneReply, errorText, FORGOT_PIN_CHOICE } from "../replies";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { completeReset, requestReset } from "./pin-reset";
import { askForPin, pinFromAnswer, retryPin } from "./secure-pin";

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
    const text = existing
      ? "Send your current PIN and your new PIN in one message, separated by a space (e.g. 2580 7391). I will delete the message right away."
      : "Choose a 4–6 digit transaction PIN and send it. I will delete the message right away.";
    // confirmId binds a WhatsApp PIN page link to this very conversation.
    return askForPin(
      fc,
      { flow: "pin", step: existing ? "change" : "set", data: { confirmId: fc.input.messageId } },
      existing
        ? { purpose: "change_pin", title: "Change your transaction PIN" }
        : { purpose: "set_pin", title: "Choose your transaction PIN" },
      {
        typed: text,
        link: `Open this link to ${existing ? "change" : "choose"} your PIN.`,
        choices: existing ? [FORGOT_PIN_CHOICE] : [],
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
        return { replies: await retryPin(fc, state, "A PIN is 4 to 6 digits."), next: state };
      }
      return {
        replies: [
          {
            text: wanted === 2 ? "Send both PINs, e.g. 2580 7391." : "A PIN is 4 to 6 digits. Send it again.",
            choices: [CANCEL_CHOICE],
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
        replies: [doneReply("Your PIN is set. Keep it to yourself: we will never ask for it except to pay.")],
        deleteInput: true,
      };
    } catch (error) {
      return { replies: await retryPin(fc, state, errorText(error)), next: state, deleteInput: true };
    }
  },
};
