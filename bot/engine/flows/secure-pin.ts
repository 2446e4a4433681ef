import { createPinLink } from "../../../api/services/pin-links";
import { templates } from "../i18n";
import { cancelChoice, forgotPinChoice } from "../replies";
import type { ChatChannel, Choice, FlowContext, FlowState, Reply, StepResult } from "../types";

/** The PIN step's words, shared with the gift room's own PIN step. */
export const PIN_TEXT = templates("secure-pin", {
  neverInChat: {
    en: () =>
      "Please never send your PIN in this chat: WhatsApp messages cannot be deleted, so I did not use it. If that was your real PIN, change it soon. Enter it on this page instead.",
    pcm: () =>
      "Abeg no ever send your PIN for this chat: WhatsApp message no dey delete, so I no use am. If na your real PIN, change am quick. Enter am for this page instead.",
  },
  onPage: {
    en: () => "Your PIN goes on a secure page, not in the chat. Open this link, or reply 1 to cancel.",
    pcm: () =>
      "Na for secure page you go put your PIN, no be for chat. Open this link, or reply 1 to cancel.",
  },
  tryOnPage: {
    en: (message: string) => `${message} Try again on this page.`,
    pcm: (message: string) => `${message} Try again for this page.`,
  },
  enterPin: { en: () => "Enter your PIN", pcm: () => "Enter your PIN here" },
  linkWorks: {
    en: (lead: string, minutes: number) =>
      `${lead} The link works once, for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    pcm: (lead: string, minutes: number) =>
      `${lead} The link go work only once, for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  },
  alreadyConfirmed: { en: () => "Already confirmed.", pcm: () => "You don already confirm." },
  nowPin: {
    en: () => "Already confirmed — now send your PIN.",
    pcm: () => "You don already confirm — now send your PIN.",
  },
  digits: { en: () => "A PIN is 4 to 6 digits.", pcm: () => "PIN na 4 to 6 digits." },
  sendPin: {
    en: () => "Send your 4–6 digit PIN, or Cancel.",
    pcm: () => "Send your PIN (4–6 digits), or Cancel.",
  },
});

const T = PIN_TEXT;

/**
 * The PIN step on channels where a typed PIN cannot be deleted (WhatsApp, S4): the PIN is entered
 * on a one-time web page instead, and digits typed into the chat are never used. Other channels
 * keep typing the PIN (the Telegram adapter deletes that message).
 */
export function needsPinPage(channel: ChatChannel): boolean {
  return channel === "whatsapp";
}

/**
 * A message that is only a PIN, or a current and a new PIN ("2580", "2580 9876"): what is deleted
 * when no step takes it, and never quoted back in an answer (DECISIONS §82).
 */
export function pinShaped(text: string | undefined): boolean {
  return text !== undefined && /^\s*\d{4,6}(?:\s+\d{4,6})?\s*$/.test(text);
}

export type PinAsk = { purpose: "pay" | "set_pin" | "change_pin"; title: string };

/** Steps that wait for a PIN: a purchase's "pin" step, and the set/change PIN flow. */
export function isPinStep(state: FlowState): boolean {
  return state.step === "pin" || state.flow === "pin";
}

/**
 * Ask for the PIN: typed on chats that can delete it, on a fresh one-time page on WhatsApp. `state`
 * is the PIN step being entered; its `confirmId` binds the link, so a link for one purchase can
 * never pay for another.
 */
export async function askForPin(
  fc: FlowContext,
  state: FlowState,
  ask: PinAsk,
  prompts: { typed: string; link: string; choices?: Choice[] },
): Promise<StepResult> {
  const next = { ...state, data: { ...state.data, _pinAsk: ask } };
  if (!needsPinPage(fc.input.channel)) {
    return {
      replies: [{ text: prompts.typed, choices: [...(prompts.choices ?? []), cancelChoice(fc.lang)] }],
      next,
    };
  }
  return { replies: [await pinLinkReply(fc, next, prompts.link)], next };
}

/**
 * The PIN in this answer, if it may be used. On WhatsApp a PIN typed into the chat is refused (and
 * a fresh link given): only the PIN page supplies it, flagged `pinFromSecurePage`.
 */
export async function pinFromAnswer(
  fc: FlowContext,
  state: FlowState,
  text: string | undefined,
): Promise<{ pin: string } | { refused: StepResult }> {
  if (!needsPinPage(fc.input.channel) || fc.input.pinFromSecurePage) {
    return { pin: (text ?? "").trim() };
  }
  const lead = /\d/.test(text ?? "") ? T.neverInChat[fc.lang]() : T.onPage[fc.lang]();
  return { refused: { replies: [await pinLinkReply(fc, state, lead)], next: state } };
}

/** After a wrong PIN: the message, and on WhatsApp a fresh link (the used one is gone). */
export async function retryPin(fc: FlowContext, state: FlowState, message: string): Promise<Reply[]> {
  if (!needsPinPage(fc.input.channel)) {
    return [{ text: message, choices: [forgotPinChoice(fc.lang), cancelChoice(fc.lang)] }];
  }
  return [await pinLinkReply(fc, state, T.tryOnPage[fc.lang](message))];
}

async function pinLinkReply(fc: FlowContext, state: FlowState, lead: string): Promise<Reply> {
  const ask = (state.data._pinAsk as PinAsk | undefined) ?? { purpose: "pay", title: T.enterPin[fc.lang]() };
  const confirmId = typeof state.data.confirmId === "string" ? state.data.confirmId : fc.input.messageId;
  const link = await createPinLink({
    ctx: fc.ctx,
    channel: fc.input.channel,
    userRef: fc.input.userRef,
    userId: fc.userId,
    confirmId,
    purpose: ask.purpose,
    title: ask.title,
  });
  const minutes = Math.max(1, Math.round(fc.ctx.config.PIN_LINK_TTL_SECONDS / 60));
  return {
    text: T.linkWorks[fc.lang](lead, minutes),
    link: { label: T.enterPin[fc.lang](), url: link.url },
    choices: [cancelChoice(fc.lang)],
  };
}

/**
 * Read the answer at a PIN step: the PIN to check, or the reply when the answer is not one (a
 * repeated Confirm tap, digits typed into WhatsApp, not 4–6 digits). Shared by every step that pays.
 */
export async function readPinAnswer(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
): Promise<{ pin: string } | { reply: StepResult }> {
  const ask = (text: string): StepResult => ({
    replies: [{ text, choices: [cancelChoice(fc.lang)] }],
    next: state,
  });
  if (answer.choice === "confirm") {
    return {
      reply: needsPinPage(fc.input.channel)
        ? { replies: await retryPin(fc, state, T.alreadyConfirmed[fc.lang]()), next: state }
        : ask(T.nowPin[fc.lang]()),
    };
  }
  const allowed = await pinFromAnswer(fc, state, answer.text);
  if ("refused" in allowed) {
    return { reply: allowed.refused };
  }
  const pin = allowed.pin;
  if (!/^\d{4,6}$/.test(pin)) {
    if (fc.input.pinFromSecurePage) {
      return { reply: { replies: await retryPin(fc, state, T.digits[fc.lang]()), next: state } };
    }
    return { reply: { ...ask(T.sendPin[fc.lang]()), deleteInput: pin.length > 0 } };
  }
  return { pin };
}
