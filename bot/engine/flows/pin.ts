import { hasPin, setOrChangePin } from "../../../api/services/pins";
import { CANCEL_CHOICE, errorText, FORGOT_PIN_CHOICE, menuReply } from "../replies";
import type { Flow } from "./flow";
import { refusePinAttempt } from "./pin-guard";
import { completeReset, requestReset } from "./pin-reset";

/**
 * Set or change the transaction PIN. The PIN arrives in one message (both PINs for a change: "1234
 * 5678"), is used at once and never stored in the chat state; the adapter deletes the message (S4).
 * "I forgot my PIN" (or "forgot pin") resets it with a one-time code instead (`pin-reset.ts`).
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
    return {
      replies: [{ text, choices: existing ? [FORGOT_PIN_CHOICE, CANCEL_CHOICE] : [CANCEL_CHOICE] }],
      next: { flow: "pin", step: existing ? "change" : "set", data: {} },
    };
  },
  async handle(fc, state, answer) {
    if (state.step === "reset") {
      return completeReset(fc, state, answer.text ?? "");
    }
    const digits = (answer.text ?? "")
      .trim()
      .split(/\s+/)
      .filter((p) => /^\d{4,6}$/.test(p));
    const wanted = state.step === "change" ? 2 : 1;
    if (digits.length !== wanted) {
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
        replies: [menuReply("Your PIN is set. Keep it to yourself: we will never ask for it except to pay.")],
        deleteInput: true,
      };
    } catch (error) {
      return {
        replies: [{ text: errorText(error), choices: [CANCEL_CHOICE] }],
        next: state,
        deleteInput: true,
      };
    }
  },
};
