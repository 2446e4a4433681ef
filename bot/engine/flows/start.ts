import { ServiceError } from "../../../api/services/errors";
import { hasPin } from "../../../api/services/pins";
import { getUser, setUserPhone } from "../../../api/services/users";
import { templates } from "../i18n";
import { errorText, mainMenu } from "../replies";
import type { FlowContext, Reply, StepResult } from "../types";
import type { Flow } from "./flow";
import { again } from "./purchase";
import { applyCode, codeNotUsedText } from "./referral";

const T = templates("start", {
  hello: {
    en: (name: string) =>
      `Hello${name ? ` ${name}` : ""}! I am TADA. I buy airtime, data, electricity tokens and cable TV for any Nigerian number, meter or smartcard, paid from your TADA wallet. Fund the wallet by card or transfer, and withdraw to your bank any time.`,
    pcm: (name: string) =>
      `How far${name ? ` ${name}` : ""}! Na me be TADA. I dey buy airtime, data, electricity token and cable TV for any Naija number, meter or smartcard, from your TADA wallet. Fund the wallet with card or transfer, and comot money go your bank anytime.`,
  },
  askPhone: {
    en: () =>
      "What is your phone number? It is where your receipts and own top-ups go. Tap the button to share it, or type it.",
    pcm: () =>
      "Wetin be your phone number? Na there your receipts and your own top-up go dey go. Press the button to share am, or type am.",
  },
  sharePhone: { en: () => "Share my phone number", pcm: () => "Send my phone number" },
  notNow: { en: () => "Not now", pcm: () => "No be now" },
  thanksNumber: {
    en: (phone: string) => `Thanks, your number is ${phone}.`,
    pcm: (phone: string) => `Thank you, your number na ${phone}.`,
  },
  orCancel: {
    en: (problem: string) => `${problem} Or tap Cancel.`,
    pcm: (problem: string) => `${problem} Or press Cancel.`,
  },
  whatNext: { en: () => "What would you like to do?", pcm: () => "Wetin you wan do?" },
  setPin: {
    en: () => "To pay for anything you need a transaction PIN (4–6 digits). Set it up now?",
    pcm: () => "To pay for anything, you need transaction PIN (4–6 digits). Make we set am now?",
  },
  setPinChoice: { en: () => "Set up my PIN", pcm: () => "Set my PIN now" },
});

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
    const referred = await deepLinkReferral(fc);
    const hello = [T.hello[fc.lang](name ?? ""), referred].filter(Boolean).join("\n\n");
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
            text: T.askPhone[fc.lang](),
            askContact: T.sharePhone[fc.lang](),
            choices: [{ id: "skip", label: T.notNow[fc.lang]() }],
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

/** Telegram's deep link `t.me/<bot>?start=ref_<code>` arrives as "/start ref_<code>". */
const START_REFERRAL = /^\/start(?:@\w+)?\s+ref_([A-Za-z0-9-]{4,24})\s*$/i;

/**
 * A person who came through a friend's Telegram link: the friend's code is applied, and the
 * greeting says so (or, briefly, why it was not: their own code, one given already, too late).
 */
async function deepLinkReferral(fc: FlowContext): Promise<string | undefined> {
  const code = START_REFERRAL.exec(fc.input.text?.trim() ?? "")?.[1];
  if (!code) {
    return undefined;
  }
  const outcome = await applyCode(fc, code);
  return outcome.applied ? outcome.text : codeNotUsedText(fc, outcome.text);
}

/** A shared contact, wherever the chat is: save it as the person's number. */
export async function savePhone(
  fc: FlowContext,
  phone: string,
  state = { flow: "start", step: "phone", data: {} },
): Promise<StepResult> {
  try {
    const saved = await setUserPhone({ ctx: fc.ctx, userId: fc.userId, phone });
    return { replies: [led(T.thanksNumber[fc.lang](saved.phone), await nextStep(fc))] };
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INVALID_PHONE") {
      return again(state, T.orCancel[fc.lang](errorText(error, fc.lang)));
    }
    return { replies: [led(errorText(error, fc.lang), await nextStep(fc))] };
  }
}

/** One message: what was said, then the question or menu that follows it. */
function led(lead: string, reply: Reply): Reply {
  return { ...reply, text: `${lead}\n\n${reply.text}` };
}

/** No PIN yet: offer to set it first (nothing can be bought without one); otherwise the menu. */
async function nextStep(fc: FlowContext): Promise<Reply> {
  if (await hasPin({ ctx: fc.ctx, userId: fc.userId })) {
    return { text: T.whatNext[fc.lang](), choices: mainMenu(fc.lang) };
  }
  return {
    text: T.setPin[fc.lang](),
    choices: [
      { id: "nav:pin", label: T.setPinChoice[fc.lang]() },
      ...mainMenu(fc.lang).filter((c) => c.id !== "nav:pin"),
    ],
  };
}
