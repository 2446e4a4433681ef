import { ServiceError } from "../../../api/services/errors";
import { hasPin } from "../../../api/services/pins";
import { getUser, setUserPhone } from "../../../api/services/users";
import { errorText, MAIN_MENU } from "../replies";
import type { FlowContext, Reply, StepResult } from "../types";
import type { Flow } from "./flow";
import { again } from "./purchase";

const INTRO =
  "I am TADA. I buy airtime, data, electricity tokens and cable TV for any Nigerian number, meter or smartcard, paid from your TADA wallet. Fund the wallet by card or transfer, and withdraw to your bank any time.";

/**
 * /start and a first hello: greet by name, say what the bot does, then what is missing for buying:
 * the person's phone number (a shared contact on Telegram, typed elsewhere) and a transaction PIN.
 * Both are offers: "Not now" or any other request goes on as normal.
 */
export const startFlow: Flow = {
  name: "start",
  async start(fc) {
    const user = await getUser(fc.ctx, fc.userId);
    const name = fc.input.displayName ?? user.display_name;
    const hello = `Hello${name ? ` ${name}` : ""}! ${INTRO}`;
    if (!user.phone && fc.input.channel === "whatsapp") {
      // A WhatsApp chat is a phone number: use it, unless another account already has it.
      const saved = await setUserPhone({ ctx: fc.ctx, userId: fc.userId, phone: fc.input.userRef }).catch(
        () => undefined,
      );
      if (saved) {
        return { replies: [led(hello, await nextStep(fc))] };
      }
    }
    if (!user.phone) {
      return {
        replies: [
          led(hello, {
            text: "What is your phone number? It is where your receipts and own top-ups go. Tap the button to share it, or type it.",
            askContact: "Share my phone number",
            choices: [{ id: "skip", label: "Not now" }],
          }),
        ],
        next: { flow: "start", step: "phone", data: {} },
      };
    }
    return { replies: [led(hello, await nextStep(fc))] };
  },
  async handle(fc, state, answer) {
    if (answer.choice === "skip") {
      return { replies: [await nextStep(fc)] };
    }
    const typed = answer.text?.trim() ?? "";
    const phone = fc.input.contactPhone ?? (/^[+\d\s\-()]{10,18}$/.test(typed) ? typed : undefined);
    if (!phone) {
      // Not an answer to "your number?": read it as a new request.
      return undefined;
    }
    return savePhone(fc, phone, state);
  },
};

/** A shared contact, wherever the chat is: save it as the person's number. */
export async function savePhone(
  fc: FlowContext,
  phone: string,
  state = { flow: "start", step: "phone", data: {} },
): Promise<StepResult> {
  try {
    const saved = await setUserPhone({ ctx: fc.ctx, userId: fc.userId, phone });
    return { replies: [led(`Thanks, your number is ${saved.phone}.`, await nextStep(fc))] };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INVALID_PHONE") {
      return again(state, `${errorText(error)} Or tap Cancel.`);
    }
    return { replies: [led(errorText(error), await nextStep(fc))] };
  }
}

/** One message: what was said, then the question or menu that follows it. */
function led(lead: string, reply: Reply): Reply {
  return { ...reply, text: `${lead}\n\n${reply.text}` };
}

/** No PIN yet: offer to set it first (nothing can be bought without one); otherwise the menu. */
async function nextStep(fc: FlowContext): Promise<Reply> {
  if (await hasPin({ ctx: fc.ctx, userId: fc.userId })) {
    return { text: "What would you like to do?", choices: MAIN_MENU };
  }
  return {
    text: "To pay for anything you need a transaction PIN (4–6 digits). Set it up now?",
    choices: [{ id: "nav:pin", label: "Set up my PIN" }, ...MAIN_MENU.filter((c) => c.id !== "nav:pin")],
  };
}
