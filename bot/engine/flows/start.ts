import { ServiceError } from "../../../api/services/errors";
import { hasPin } from "../../../api/services/pins";
import { getUser, setUserPhone } from "../../../api/services/users";
import { templates } from "../i18n";
import { findBadPhones, findPhones } from "../intents/extract";
import { parseIntent } from "../intents/grammar";
import { errorText, mainMenu } from "../replies";
import type { FlowContext, Reply, StepResult } from "../types";
import type { Flow } from "./flow";
import { again } from "./purchase";
import { applyCode, codeNotUsedText } from "./referral";
import { explainProblems } from "./written";

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
  noNumber: {
    en: () => "I could not find a phone number in that. Type your number like 08031234567, or tap Not now.",
    pcm: () =>
      "I no see phone number for wetin you write. Type your number like 08031234567, or press No be now.",
  },
  twoNumbers: {
    en: () => "I see more than one number there. Type just your own, like 08031234567, or tap Not now.",
    pcm: () => "I see pass one number for there. Type only your own, like 08031234567, or press No be now.",
  },
  orNotNow: {
    en: (problem: string) => `${problem} Or tap Not now.`,
    pcm: (problem: string) => `${problem} Or press No be now.`,
  },
  hi: { en: () => "Hello!", pcm: () => "How far!" },
  welcome: { en: () => "You're welcome!", pcm: () => "No wahala!" },
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
 * Both are offers: "Not now" or any other request goes on as normal. A person with no number on
 * file is asked again at their next hello (`askPhoneAgain`).
 */
export const startFlow: Flow = {
  name: "start",
  async start(fc) {
    const user = await getUser(fc.ctx, fc.userId);
    const name = fc.input.displayName ?? user.display_name;
    const referred = await deepLinkReferral(fc);
    const hello = [T.hello[fc.lang](name ?? ""), referred].filter(Boolean).join("\n\n");
    if (await needsPhone(fc, user.phone)) {
      return askPhone(fc, hello);
    }
    return { replies: [led(hello, await nextStep(fc))] };
  },
  async handle(fc, state, answer) {
    if (answer.choice === "skip") {
      return { replies: [await nextStep(fc)] };
    }
    if (fc.input.contactPhone) {
      return savePhone(fc, fc.input.contactPhone, state);
    }
    const typed = answer.text?.trim() ?? "";
    if (!typed) {
      return undefined;
    }
    // A number anywhere in the words ("my number na 0816… abeg") is the answer. Digits that are not
    // a whole number, or a hello or a thank-you, are answered and the question asked again. Other
    // words are stepped aside from: they may be a request (read by the grammar, then the model),
    // and when nothing understands them either, `notUnderstood` asks the question again with the
    // step kept. So the question is never dropped by a reply it cannot read.
    const said = parseIntent(typed).kind;
    if (!ANSWER_KINDS.has(said)) {
      // Another request ("airtime 500 for 0803…"): its number is never taken for the person's own.
      return undefined;
    }
    const phones = [...new Set(findPhones(typed).map((found) => found.phone))];
    if (phones.length === 1 && phones[0]) {
      return savePhone(fc, phones[0], state);
    }
    if (phones.length > 1) {
      return { replies: [phoneQuestion(fc, T.twoNumbers[fc.lang]())], next: state };
    }
    const bad = explainProblems(
      fc,
      findBadPhones(typed, []).map((found) => found.problem),
    );
    if (bad) {
      return { replies: [phoneQuestion(fc, T.orNotNow[fc.lang](bad))], next: state };
    }
    if (said === "greeting" || said === "thanks") {
      return { ...askPhone(fc, said === "greeting" ? T.hi[fc.lang]() : T.welcome[fc.lang]()), next: state };
    }
    return undefined;
  },
  notUnderstood(fc, state) {
    return state.step === "phone"
      ? { replies: [phoneQuestion(fc, T.noNumber[fc.lang]())], next: state }
      : undefined;
  },
};

/**
 * What the grammar reads in an answer to "your number?": nothing it knows (a number in words), or a
 * hello or thanks. Every other kind is a request of its own.
 */
const ANSWER_KINDS = new Set(["unknown", "greeting", "thanks"]);

/**
 * Whether the person's own number is still missing. On WhatsApp the chat is a phone number: it is
 * saved as theirs, unless another account already has it (then they are asked, like elsewhere).
 */
async function needsPhone(fc: FlowContext, phone: string | null): Promise<boolean> {
  if (phone) {
    return false;
  }
  if (fc.input.channel === "whatsapp") {
    const saved = await setUserPhone({ ctx: fc.ctx, userId: fc.userId, phone: fc.input.userRef }).catch(
      () => undefined,
    );
    return saved === undefined;
  }
  return true;
}

/** "What is your phone number?" with the share button and "Not now", after `lead`. */
function askPhone(fc: FlowContext, lead: string): StepResult {
  return {
    replies: [led(lead, phoneQuestion(fc, T.askPhone[fc.lang]()))],
    next: { flow: "start", step: "phone", data: {} },
  };
}

function phoneQuestion(fc: FlowContext, text: string): Reply {
  return { text, askContact: T.sharePhone[fc.lang](), choices: [{ id: "skip", label: T.notNow[fc.lang]() }] };
}

/**
 * A returning person's hello, when they have no number on file (they tapped "Not now", or went on
 * to something else at the question): the question again, after `hello`. Undefined when the number
 * is there (on WhatsApp, saved now from the chat), and the hello goes on as usual.
 */
export async function askPhoneAgain(
  fc: FlowContext,
  phone: string | null,
  hello: string,
): Promise<StepResult | undefined> {
  return (await needsPhone(fc, phone)) ? askPhone(fc, hello) : undefined;
}

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
