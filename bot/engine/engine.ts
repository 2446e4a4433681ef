import { findOrCreateUserByIdentity } from "../../api/services/users";
import { airtimeFlow } from "./flows/airtime";
import { balanceFlow } from "./flows/balance";
import { cableFlow } from "./flows/cable";
import { dataFlow } from "./flows/data";
import { electricityFlow } from "./flows/electricity";
import type { Flow } from "./flows/flow";
import { fundFlow } from "./flows/fund";
import { giftRoomFlow } from "./flows/gift-room";
import { helpFlow } from "./flows/help";
import { historyFlow } from "./flows/history";
import { linkFlow } from "./flows/link";
import { pinFlow } from "./flows/pin";
import { requestReset } from "./flows/pin-reset";
import { receiptFlow } from "./flows/receipt";
import { saveOfferFlow } from "./flows/saved";
import { isPinStep } from "./flows/secure-pin";
import { startFlow as onboarding, savePhone } from "./flows/start";
import { withdrawFlow } from "./flows/withdraw";
import { normalizeChatInput } from "./input";
import { parseIntent } from "./intents/grammar";
import type { Intent } from "./intents/intent";
import { errorText, FORGOT_PIN_CHOICE, MAIN_MENU, menuReply, pickChoice } from "./replies";
import { claimInput, loadSession, saveSession } from "./session";
import type { ChatInput, ChatOutput, EngineDeps, FlowContext, FlowState, StepResult } from "./types";

const FLOWS: Record<string, Flow> = {
  airtime: airtimeFlow,
  balance: balanceFlow,
  cable: cableFlow,
  data: dataFlow,
  electricity: electricityFlow,
  fund: fundFlow,
  gift: giftRoomFlow,
  history: historyFlow,
  pin: pinFlow,
  help: helpFlow,
  receipt: receiptFlow,
  withdraw: withdrawFlow,
  link: linkFlow,
  save: saveOfferFlow,
  start: onboarding,
};

/** Which flow an understood message opens; kinds without a chat flow yet get the menu. */
const FLOW_FOR_INTENT: Partial<Record<Intent["kind"], string>> = {
  airtime: "airtime",
  balance: "balance",
  cable: "cable",
  data: "data",
  electricity: "electricity",
  fund: "fund",
  history: "history",
  change_pin: "pin",
  reset_pin: "pin",
  help: "help",
  receipt: "receipt",
  withdraw: "withdraw",
  link_account: "link",
  gift_room: "gift",
};

/**
 * The channel-neutral chat engine: one input in, replies out. Each input is handled once (its
 * message id is recorded first), the person is created on first contact, and the conversation state
 * lives in PostgreSQL, so a restart mid-flow loses nothing. Every message gets an answer.
 */
export async function handleChatInput(deps: EngineDeps, raw: ChatInput): Promise<ChatOutput> {
  const input = normalizeChatInput(raw);
  const ctx = deps.ctx();
  if (!(await claimInput(ctx, input))) {
    return { replies: [], deleteInput: false, duplicate: true };
  }
  const { user, created } = await findOrCreateUserByIdentity({
    ctx,
    input: { channel: input.channel, externalId: input.userRef, displayName: input.displayName },
  });
  const fc: FlowContext = { deps, ctx, input, userId: user.id, firstContact: created };
  // Optimistic locking: if another process moved this chat on meanwhile, decide again on its state.
  // Re-running is safe: purchases are keyed by the chat's message ids.
  for (let attempt = 0; attempt < 3; attempt++) {
    const session = await loadSession(ctx, input);
    let result: StepResult;
    try {
      result = await route(fc, session.flow);
    } catch (error) {
      ctx.logger.error({ err: error, channel: input.channel }, "chat step failed");
      result = { replies: [{ text: errorText(error) }, menuReply()] };
    }
    if (await saveSession(ctx, input, user.id, session, result.next ?? offeredChoices(result))) {
      return { replies: result.replies, deleteInput: result.deleteInput ?? false, duplicate: false };
    }
  }
  return {
    replies: [{ text: "I am still working on your last message. Please send this again in a moment." }],
    deleteInput: false,
    duplicate: false,
  };
}

/**
 * Whether the chat is at a step that takes a PIN, so an adapter can delete the message the moment
 * it arrives (S4), before the engine has finished paying. By convention such steps are named "pin"
 * (or belong to the pin flow).
 */
export async function awaitsPin(deps: EngineDeps, input: ChatInput): Promise<boolean> {
  const { flow } = await loadSession(deps.ctx(), normalizeChatInput(input));
  return flow !== undefined && isPinStep(flow);
}

/**
 * A PIN from the one-time page goes straight to the PIN step it was made for: never to the menu
 * numbers or the grammar. A chat that moved on (cancelled, another purchase) is left as it is.
 */
async function pinFromPage(fc: FlowContext, state: FlowState | undefined): Promise<StepResult> {
  const flow = state ? FLOWS[state.flow] : undefined;
  if (!state || !flow || !isPinStep(state) || state.data.confirmId !== fc.input.pinLinkFor) {
    return {
      replies: [{ text: "This PIN page belongs to a step the chat is no longer at, so nothing was done." }],
      next: state,
    };
  }
  return withChoices(
    (await flow.handle(fc, state, { text: fc.input.text })) ?? { replies: [menuReply()], next: state },
  );
}

async function route(fc: FlowContext, state: FlowState | undefined): Promise<StepResult> {
  if (fc.input.pinFromSecurePage) {
    return pinFromPage(fc, state);
  }
  const text = fc.input.text?.trim();
  const offered =
    (state?.data._choices as { id: string; label: string }[] | undefined) ?? (state ? undefined : MAIN_MENU);
  const choice = fc.input.choice ?? pickChoice(text, offered);

  const inFlow = state !== undefined && state.flow !== OFFERED;
  if (choice === "cancel" || (text && parseIntent(text).kind === "cancel")) {
    return { replies: [menuReply(inFlow ? "Cancelled. Nothing was bought." : "Nothing to cancel.")] };
  }
  if (choice === FORGOT_PIN_CHOICE.id) {
    return withChoices(await requestReset(fc));
  }
  if (choice?.startsWith("nav:")) {
    return withChoices(await startFlow(fc, choice.slice(4)));
  }
  if (fc.input.contactPhone && !choice && !text) {
    // A shared contact answers "your number?" wherever it arrives.
    return withChoices(await savePhone(fc, fc.input.contactPhone));
  }
  if (text && START_COMMAND.test(text)) {
    return withChoices(await onboarding.start(fc));
  }
  if (state && inFlow && text && !isPinStep(state) && !FLOWS[state.flow]?.freeTextSteps?.has(state.step)) {
    // "balance" or "fund 10k" in the middle of a question is a new request, not a wrong answer.
    const switched = parseIntent(text);
    const target = SWITCH_KINDS.has(switched.kind) ? FLOW_FOR_INTENT[switched.kind] : undefined;
    if (target && target !== state.flow) {
      return withChoices(await startFlow(fc, target, switched));
    }
    if (switched.kind === "menu") {
      return { replies: [menuReply()] };
    }
  }
  if (state) {
    const flow = FLOWS[state.flow];
    const handled = flow ? await flow.handle(fc, state, { choice, text }) : undefined;
    if (handled) {
      return withChoices(handled);
    }
  }
  if (!text) {
    return { replies: [menuReply()] };
  }
  let intent = parseIntent(text);
  if (intent.kind === "unknown" && fc.deps.understand) {
    // Cheapest first: only what the grammar could not read goes to the model. Whatever it
    // understood still goes through the flow's confirmation and the PIN.
    intent = (await fc.deps.understand(text).catch(() => undefined)) ?? intent;
  }
  const flowName = FLOW_FOR_INTENT[intent.kind];
  if (flowName) {
    return withChoices(await startFlow(fc, flowName, intent));
  }
  if (fc.firstContact && (intent.kind === "greeting" || intent.kind === "menu")) {
    return withChoices(await onboarding.start(fc));
  }
  if (intent.kind === "greeting" || intent.kind === "menu") {
    return { replies: [menuReply("Hello! What would you like to do?")] };
  }
  return { replies: [menuReply("Sorry, I did not get that. Here is what I can do:")] };
}

/**
 * Requests that leave whatever question is pending. Purchases are not among them: "compact",
 * "prepaid" or "2gb" are answers to a step as often as they are new requests.
 */
const SWITCH_KINDS = new Set<Intent["kind"]>([
  "balance",
  "fund",
  "history",
  "help",
  "receipt",
  "withdraw",
  "change_pin",
  "reset_pin",
  "link_account",
  "gift_room",
]);

/**
 * The pseudo-flow that only remembers the choices a finished flow offered last ("What next?" with
 * a list), so a typed "1" answers that list rather than the main menu.
 */
const OFFERED = "offered";

/** Telegram's Start button sends "/start" (with a deep-link payload after it, sometimes). */
const START_COMMAND = /^\/start(?:@\w+)?(?:\s|$)/i;

async function startFlow(fc: FlowContext, name: string, intent?: Intent): Promise<StepResult> {
  const flow = FLOWS[name];
  return flow ? flow.start(fc, intent) : { replies: [menuReply()] };
}

/** A finished flow that ended with choices: remember them, so "1" means its first one. */
function offeredChoices(result: StepResult): FlowState | undefined {
  const last = [...result.replies].reverse().find((r) => r.choices && r.choices.length > 0);
  return last?.choices ? { flow: OFFERED, step: "choose", data: { _choices: last.choices } } : undefined;
}

/** Remember the choices last offered, so "2" can answer them on channels without buttons. */
function withChoices(result: StepResult): StepResult {
  if (!result.next) {
    return result;
  }
  const last = [...result.replies].reverse().find((r) => r.choices && r.choices.length > 0);
  return {
    ...result,
    next: { ...result.next, data: { ...result.next.data, _choices: last?.choices ?? [] } },
  };
}
