import { enqueueChatMessages } from "../../api/services/chat-outbox";
import { claimAndLoad, loadSession, markInputHandled, saveAndQueue } from "../../api/services/chat-sessions";
import { replyDedupeKey } from "../../api/services/notifications";
import { findOrCreateUserByIdentity, markLanguageOffered, setUserLanguage } from "../../api/services/users";
import { airtimeFlow } from "./flows/airtime";
import { autoRenewFlow } from "./flows/auto-renew";
import { balanceFlow } from "./flows/balance";
import { bvnWarning, holdsBvn } from "./flows/bvn-guard";
import { cableFlow } from "./flows/cable";
import { dataFlow } from "./flows/data";
import { electricityFlow } from "./flows/electricity";
import type { Flow } from "./flows/flow";
import { fundFlow } from "./flows/fund";
import { fundTransferFlow, transferOnceFlow } from "./flows/fund-transfer";
import { giftRoomFlow } from "./flows/gift-room";
import { greet } from "./flows/greeting";
import { helpFlow } from "./flows/help";
import { historyFlow } from "./flows/history";
import { linkFlow } from "./flows/link";
import { pinFlow } from "./flows/pin";
import { requestReset } from "./flows/pin-reset";
import { pointsFlow } from "./flows/points";
import { receiptFlow } from "./flows/receipt";
import { recommendFlow } from "./flows/recommend";
import { referralFlow } from "./flows/referral";
import { remindersFlow } from "./flows/reminders";
import { lastShownNotificationChoices, REMINDER_PREFIX, reminderChoice } from "./flows/renewal-reminders";
import { REPEAT_PREFIX, repeatFlow, repeatOrder } from "./flows/repeat";
import { saveOfferFlow } from "./flows/saved";
import { scheduleFlow } from "./flows/schedule";
import { isPinStep, needsPinPage, pinShaped } from "./flows/secure-pin";
import { startFlow as onboarding, savePhone } from "./flows/start";
import { thank } from "./flows/thanks";
import { tierFlow } from "./flows/tier";
import { withdrawFlow } from "./flows/withdraw";
import { DEFAULT_LANG, isLang, type Lang, templates } from "./i18n";
import { looksLikePidgin } from "./i18n/detect-pidgin";
import { normalizeChatInput } from "./input";
import { instructsTheBot, parseIntent } from "./intents/grammar";
import type { Intent } from "./intents/intent";
import {
  CANCEL_CHOICE,
  currentSummary,
  doneReply,
  errorText,
  FORGOT_PIN_CHOICE,
  MENU_CHOICE,
  mainMenu,
  menuReply,
  pickChoice,
  readSummaryChoice,
  summaryChoices,
  summaryTag,
} from "./replies";
import type { ChatInput, ChatOutput, Choice, EngineDeps, FlowContext, FlowState, StepResult } from "./types";

const T = templates("engine", {
  busy: {
    en: () => "I am still working on your last message. Please send this again in a moment.",
    pcm: () => "I still dey work on your last message. Abeg send am again small time.",
  },
  stalePinPage: {
    en: () => "This PIN page belongs to a step the chat is no longer at, so nothing was done.",
    pcm: () => "This PIN page na for step wey the chat don pass, so I no do anything.",
  },
  cancelled: {
    en: () => "Cancelled. Nothing was done and no money moved.",
    pcm: () => "I don cancel am. Nothing happen and no money move.",
  },
  nothingToCancel: { en: () => "Nothing to cancel.", pcm: () => "Nothing dey to cancel." },
  instruction: {
    en: () =>
      "I can't follow instructions like that. Money only moves when you ask for a purchase, a funding " +
      "or a withdrawal, Confirm it and enter your PIN. Here is what I can do:",
    pcm: () =>
      "I no dey follow instruction like that. Money dey move only when you ask for purchase, funding " +
      "or withdrawal, press Confirm and enter your PIN. See wetin I fit do:",
  },
  notUnderstood: {
    en: () => "Sorry, I did not get that. Here is what I can do:",
    pcm: () => "Sorry, I no understand that one. See wetin I fit do:",
  },
  summaryGone: {
    en: () => "That summary has expired: nothing was bought from it.",
    pcm: () => "That summary don expire: you no buy anything from am.",
  },
  summaryWaiting: {
    en: (what: string) => `The one waiting is for ${what}: Confirm or Cancel it here.`,
    pcm: (what: string) => `The one wey dey wait na for ${what}: press Confirm or Cancel for here.`,
  },
  pinWaiting: {
    en: (what: string) => `You are paying for ${what}: finish with your PIN, or Cancel.`,
    pcm: (what: string) => `You dey pay for ${what}: finish am with your PIN, or Cancel.`,
  },
  leftPurchase: {
    en: (what: string) => `Cancelled the ${what}.`,
    pcm: (what: string) => `I don cancel the ${what}.`,
  },
  offer: {
    en: () => "You can also chat with me in Pidgin. Should I reply you in Pidgin?",
    pcm: () => "You fit talk Pidgin with me. Make I dey reply you for Pidgin?",
  },
  offerYes: { en: () => "Yes, Pidgin", pcm: () => "Yes, talk Pidgin" },
  offerNo: { en: () => "No, English", pcm: () => "No, make e be English" },
  /** Said in the language just chosen: each form is that language's own confirmation. */
  switched: {
    en: () => "OK, I will reply in English from now on.",
    pcm: () => "Oya! From now I go dey reply you for Pidgin.",
  },
  hello: { en: () => "Hello!", pcm: () => "How far!" },
  welcome: { en: () => "You're welcome!", pcm: () => "No wahala!" },
  strayPin: {
    en: () => "That looked like a PIN, so I deleted it. Never send your PIN unless I ask for it.",
    pcm: () => "That one resemble PIN, so I don delete am. No ever send your PIN unless I ask you for am.",
  },
  strayPinKept: {
    en: () =>
      "That looked like a PIN. WhatsApp messages cannot be deleted: please delete it yourself, and change your PIN if it was your real one. Never send your PIN in this chat.",
    pcm: () =>
      "That one resemble PIN. WhatsApp message no dey delete: abeg delete am yourself, and change your PIN if na your real PIN. No ever send your PIN for this chat.",
  },
  confirmFirst: {
    en: () => "Tap Confirm first; then I will ask for your PIN.",
    pcm: () => "Tap Confirm first; after that I go ask for your PIN.",
  },
  carryOn: {
    en: () => "Carry on where you stopped: answer the question above.",
    pcm: () => "Continue from where you stop: answer the question wey dey up.",
  },
});

const FLOWS: Record<string, Flow> = {
  airtime: airtimeFlow,
  balance: balanceFlow,
  cable: cableFlow,
  data: dataFlow,
  electricity: electricityFlow,
  fund: fundFlow,
  fund_transfer: fundTransferFlow,
  transfer_once: transferOnceFlow,
  gift: giftRoomFlow,
  history: historyFlow,
  pin: pinFlow,
  help: helpFlow,
  receipt: receiptFlow,
  recommend: recommendFlow,
  repeat: repeatFlow,
  withdraw: withdrawFlow,
  link: linkFlow,
  referral: referralFlow,
  points: pointsFlow,
  tier: tierFlow,
  schedule: scheduleFlow,
  auto_renew: autoRenewFlow,
  reminders: remindersFlow,
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
  account_number: "fund_transfer",
  history: "history",
  change_pin: "pin",
  reset_pin: "pin",
  help: "help",
  receipt: "receipt",
  recommend: "recommend",
  repeat: "repeat",
  withdraw: "withdraw",
  link_account: "link",
  gift_room: "gift",
  referral: "referral",
  points: "points",
  tier: "tier",
  schedule: "schedule",
  reminders: "reminders",
};

/**
 * The channel-neutral chat engine: one input in, replies out. Each input is handled once (its
 * message id is recorded first), the person is created on first contact, and the conversation state
 * lives in PostgreSQL, so a restart mid-flow loses nothing. Every message gets an answer, and the
 * answer is queued in the chat outbox in the same statement that saves the step (DECISIONS §40):
 * the adapter sends those rows (`outboxIds`) at once, and the outbox's sender retries them if that
 * fails. `sendingBy` (the adapter's sender) gets the rows leased to it, to send without a claim.
 */
export async function handleChatInput(
  deps: EngineDeps,
  raw: ChatInput,
  options: { sendingBy?: string } = {},
): Promise<ChatOutput> {
  const input = normalizeChatInput(raw);
  const ctx = deps.ctx();
  const first = await claimAndLoad(ctx, input, deps.vtu.owner);
  if (!first.claimed) {
    return { replies: [], outboxIds: [], leased: false, deleteInput: false, duplicate: true };
  }
  let userId = first.userId;
  let created = false;
  if (!userId) {
    const found = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: input.channel, externalId: input.userRef, displayName: input.displayName },
    });
    userId = found.user.id;
    created = found.created;
  }
  const fc: FlowContext = {
    deps,
    ctx,
    input,
    userId,
    firstContact: created,
    wallet: first.wallet,
    lang: first.language ?? DEFAULT_LANG,
  };
  // Pidgin is offered once, to someone who has not chosen a language and writes Pidgin.
  const mayOffer = !first.language && !first.languageOffered && looksLikePidgin(input.text);
  // Optimistic locking: if another process moved this chat on meanwhile, decide again on its state.
  // Re-running is safe: purchases are keyed by the chat's message ids.
  let session = first.session;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) {
      session = await loadSession(ctx, input);
    }
    let result: StepResult;
    try {
      result = await route(fc, session.flow);
    } catch (error) {
      ctx.logger.error({ err: error, channel: input.channel }, "chat step failed");
      result = { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
    }
    result = bindToSummary(session.flow, result, fc.lang);
    if (mayOffer && !result.languageChosen) {
      result = await withLanguageOffer(fc, result);
    }
    const saved = await saveAndQueue(ctx, {
      input,
      userId,
      session,
      next: result.next ?? offeredChoices(result),
      tookPin: result.deleteInput === true,
      messages: outboxMessages(input, result),
      sendingBy: options.sendingBy,
    });
    if (saved.saved) {
      return {
        replies: result.replies,
        outboxIds: saved.ids,
        leased: saved.leased,
        rows: saved.rows,
        deleteInput: result.deleteInput ?? false,
        deleteSecret: result.deleteSecret ?? false,
        duplicate: false,
      };
    }
  }
  const busy = { text: T.busy[fc.lang]() };
  const ids = await enqueueChatMessages(ctx.db, [
    { channel: input.channel, externalId: input.userRef, userId, kind: "reply", reply: busy },
  ]);
  await markInputHandled(ctx, input);
  return { replies: [busy], outboxIds: ids, leased: false, deleteInput: false, duplicate: false };
}

/** A step's replies (and button clean-ups) as outbox rows. */
function outboxMessages(input: ChatInput, result: StepResult) {
  const clears = (result.clearButtons ?? []).map((tag) => ({
    kind: "clear_buttons",
    op: "clear_buttons" as const,
    target: tag,
  }));
  const sends = result.replies.map((reply) => {
    const { outcome, token: _token, tag, ...shown } = reply;
    return {
      kind: outcome?.kind ?? "reply",
      reply: shown,
      payload: outcome?.payload ?? {},
      tag,
      dedupeKey: outcome
        ? replyDedupeKey(outcome.kind, outcome.payload, { channel: input.channel, externalId: input.userRef })
        : undefined,
    };
  });
  return [...clears, ...sends];
}

/**
 * The summary a step leaves or stays at. Leaving it (paid, cancelled, replaced by a newer summary,
 * another request) removes its buttons from the chat; staying at it, every Cancel offered is that
 * summary's own (`cancel:<id>`) and the messages carry its tag, so they are cleared with it.
 */
function bindToSummary(before: FlowState | undefined, result: StepResult, lang: Lang): StepResult {
  const left = currentSummary(before)?.id;
  const now = currentSummary(result.next)?.id;
  let bound = result;
  if (now && result.next) {
    const own = summaryChoices(now, lang)[1] as Choice;
    const bind = (choices: Choice[]) => choices.map((c) => (c.id === CANCEL_CHOICE.id ? own : c));
    const offered = result.next.data._choices as Choice[] | undefined;
    bound = {
      ...bound,
      replies: bound.replies.map((reply) =>
        reply.choices?.some((c) => c.id === CANCEL_CHOICE.id)
          ? { ...reply, choices: bind(reply.choices), tag: reply.tag ?? summaryTag(now) }
          : reply,
      ),
      next: offered
        ? { ...result.next, data: { ...result.next.data, _choices: bind(offered) } }
        : result.next,
    };
  }
  if (left && left !== now) {
    const clear = [...(bound.clearButtons ?? []), summaryTag(left)];
    bound = { ...bound, clearButtons: [...new Set(clear)] };
  }
  return bound;
}

/**
 * Whether a message should be deleted from the chat the moment it arrives (S4), before the engine
 * has finished paying: the chat is at a step that takes a PIN (at a purchase's PIN step, only text
 * that may hold one: other words leave the purchase and stay), or took one moments ago and this
 * looks like a PIN too (a second PIN typed quickly).
 */
export async function awaitsPin(deps: EngineDeps, input: ChatInput): Promise<boolean> {
  const { flow, pinTakenAt } = await loadSession(deps.ctx(), normalizeChatInput(input));
  if (flow !== undefined && isPinStep(flow)) {
    return flow.step !== "pin" || mayHoldPin(input.text);
  }
  const recently = pinTakenAt !== null && deps.ctx().now().getTime() - pinTakenAt.getTime() < PIN_ECHO_MS;
  return recently && looksLikePin(input.text);
}

/** A PIN-looking message this soon after a PIN was taken is deleted too. */
const PIN_ECHO_MS = 2 * 60_000;

/** 4 to 6 digits and nothing else (the PIN format): what gets deleted, and redacted in the inbox. */
export function looksLikePin(text: string | undefined): boolean {
  return text !== undefined && /^\s*\d{4,6}\s*$/.test(text);
}

/**
 * What the channel inboxes never store as it arrived (S11): a PIN-shaped text, or a message holding a
 * BVN. After a crash such a message cannot be read back, and the person is asked to send it again.
 */
export function holdsSecret(text: string | undefined): boolean {
  return text !== undefined && (looksLikePin(text) || holdsBvn(text, undefined, false));
}

/**
 * Text at a PIN step that may hold a PIN, mistyped or wrapped in words ("2 580", "pin 2580"): it is
 * deleted and the PIN asked again. Anything else ("balance", "hi") is not a PIN: it leaves the step.
 */
function mayHoldPin(text: string | undefined): boolean {
  return text !== undefined && (/^[\d\s-]+$/.test(text) || /(?<!\d)\d{4,6}(?!\d)/.test(text));
}

/**
 * A PIN from the one-time page goes straight to the PIN step it was made for: never to the menu
 * numbers or the grammar. A chat that moved on (cancelled, another purchase) is left as it is.
 */
async function pinFromPage(fc: FlowContext, state: FlowState | undefined): Promise<StepResult> {
  const flow = state ? FLOWS[state.flow] : undefined;
  if (!state || !flow || !isPinStep(state) || state.data.confirmId !== fc.input.pinLinkFor) {
    return { replies: [{ text: T.stalePinPage[fc.lang]() }], next: state };
  }
  return withChoices(
    (await flow.handle(fc, state, { text: fc.input.text })) ?? {
      replies: [menuReply(undefined, fc.lang)],
      next: state,
    },
  );
}

async function route(fc: FlowContext, state: FlowState | undefined): Promise<StepResult> {
  if (fc.input.pinFromSecurePage) {
    return pinFromPage(fc, state);
  }
  const text = fc.input.text?.trim();
  const offered =
    (state?.data._choices as { id: string; label: string }[] | undefined) ??
    (state ? undefined : mainMenu(fc.lang));
  let choice = fc.input.choice ?? pickChoice(text, offered);
  if (!fc.input.choice && text && /^\d{1,2}$/.test(text) && (!state || state.flow === OFFERED)) {
    // A number with no question open answers the last message shown, when that was a notification
    // with choices (a renewal reminder's "1. Renew now"): channels without buttons type it (§66).
    const shown = await lastShownNotificationChoices(fc);
    choice = (shown && pickChoice(text, shown)) || choice;
  }
  // A summary's Confirm or Cancel acts on that summary only; a typed "yes" on the one shown.
  const summary = currentSummary(state);
  const tapped = readSummaryChoice(choice);
  if (tapped && tapped.id !== summary?.id) {
    return staleSummary(fc.lang, state, tapped.id);
  }
  if (tapped) {
    choice = tapped.action;
  } else if (!choice && text && summary && state?.step === "confirm" && YES.test(text)) {
    choice = "confirm";
  }

  const inFlow = state !== undefined && state.flow !== OFFERED;
  const said = text ? parseIntent(text) : undefined;
  if (choice === "cancel" || said?.kind === "cancel") {
    const done = inFlow ? T.cancelled[fc.lang]() : T.nothingToCancel[fc.lang]();
    return { replies: [doneReply(done, [], fc.lang)] };
  }
  const tappedLanguage = choice?.startsWith(LANG_CHOICE) ? choice.slice(LANG_CHOICE.length) : undefined;
  // "speak pidgin" anywhere but where the person's own words are the answer (a quiz question).
  const ownWords = state !== undefined && FLOWS[state.flow]?.freeTextSteps?.has(state.step) === true;
  const saidLanguage = said?.kind === "language" && !ownWords ? said.language : undefined;
  if (isLang(tappedLanguage) || saidLanguage) {
    return chooseLanguage(fc, state, isLang(tappedLanguage) ? tappedLanguage : (saidLanguage as Lang));
  }
  if (choice === FORGOT_PIN_CHOICE.id) {
    return withChoices(await requestReset(fc));
  }
  if (choice === MENU_CHOICE.id) {
    return { replies: [menuReply(undefined, fc.lang)] };
  }
  if (choice?.startsWith("nav:")) {
    return withChoices(await startFlow(fc, choice.slice(4)));
  }
  if (choice?.startsWith(REPEAT_PREFIX)) {
    return withChoices(await repeatOrder(fc, choice.slice(REPEAT_PREFIX.length)));
  }
  if (choice?.startsWith(REMINDER_PREFIX)) {
    // A renewal reminder's or a nudge's choice (a notification's buttons), tapped whenever.
    return withChoices(await reminderChoice(fc, choice.slice(REMINDER_PREFIX.length)));
  }
  if (text && !choice && !(state && isPinStep(state)) && holdsBvn(text, state, ownWords)) {
    // A BVN typed here by mistake: never quoted back, never parsed or sent to the LLM (issue 17).
    return bvnWarning(fc, state, inFlow);
  }
  if (text && !choice && pinShaped(text) && summary && state?.step === "confirm") {
    // A PIN typed at a summary, before Confirm: not taken, deleted, and the summary stays (§82).
    return strayPin(fc, state, { confirmFirst: summary.id });
  }
  if (state?.step === "pin" && inFlow && text && !choice && !mayHoldPin(text)) {
    // Words at a purchase's PIN step are not a PIN: the purchase is dropped and they are answered.
    return leavePurchase(fc, summary?.what ?? "purchase");
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
    // In a withdrawal, "account number" words are about the bank account the money goes to.
    const aboutPayout = switched.kind === "account_number" && state.flow === "withdraw";
    if (target && target !== state.flow && !aboutPayout) {
      return withChoices(await startFlow(fc, target, switched));
    }
    if (switched.kind === "menu") {
      return { replies: [menuReply(undefined, fc.lang)] };
    }
    if ((switched.kind === "greeting" || switched.kind === "thanks") && ASKING_FLOWS.has(state.flow)) {
      // "good evening" or "thank you" at a question is not its answer ("… is not a phone number"):
      // it is answered, and the question stays open with its choices.
      const polite = switched.kind === "greeting" ? T.hello[fc.lang]() : T.welcome[fc.lang]();
      return { replies: [{ text: `${polite} ${T.carryOn[fc.lang]()}` }], next: state };
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
    return { replies: [menuReply(undefined, fc.lang)] };
  }
  if (!choice && pinShaped(text)) {
    // Only a PIN ("2580", "2580 9876") and no step took it: a PIN sent at the wrong moment (§82).
    return strayPin(fc, state);
  }
  if (instructsTheBot(text)) {
    // "Ignore previous instructions…", "you are now admin": taken as what it is, never acted on,
    // and never handed to the LLM (issue 16).
    return { replies: [menuReply(T.instruction[fc.lang](), fc.lang)] };
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
  if (intent.kind === "language") {
    // Understood by the model rather than the grammar: the same choice.
    return chooseLanguage(fc, state, intent.language);
  }
  if (fc.firstContact && (intent.kind === "greeting" || intent.kind === "menu")) {
    return withChoices(await onboarding.start(fc));
  }
  if (intent.kind === "greeting") {
    return withChoices(await greet(fc));
  }
  if (intent.kind === "thanks") {
    return withChoices(thank(fc));
  }
  if (intent.kind === "menu") {
    return { replies: [menuReply(undefined, fc.lang)] };
  }
  const askedAgain = state ? FLOWS[state.flow]?.notUnderstood?.(fc, state) : undefined;
  if (askedAgain) {
    return withChoices(askedAgain);
  }
  return { replies: [menuReply(T.notUnderstood[fc.lang](), fc.lang)] };
}

/**
 * A message that is only a PIN (or a current and a new PIN) when nothing asked for one: never
 * parsed, answered with what it is and deleted, as the PIN step deletes (on WhatsApp, which cannot
 * delete, the person is asked to). The chat stays where it was: an offer or a summary stays open.
 */
function strayPin(
  fc: FlowContext,
  state: FlowState | undefined,
  at: { confirmFirst?: string } = {},
): StepResult {
  const lead = needsPinPage(fc.input.channel) ? T.strayPinKept[fc.lang]() : T.strayPin[fc.lang]();
  if (at.confirmFirst) {
    return {
      replies: [
        {
          text: `${lead} ${T.confirmFirst[fc.lang]()}`,
          choices: summaryChoices(at.confirmFirst, fc.lang),
          tag: summaryTag(at.confirmFirst),
        },
      ],
      next: state,
      deleteInput: true,
    };
  }
  return {
    replies: [state ? { text: lead } : doneReply(lead, [], fc.lang)],
    next: state,
    deleteInput: true,
  };
}

/** The answer to a message that gives the bot instructions instead of asking for something. */
export const INSTRUCTION_REPLY = T.instruction.en();

/** The choices of the language offer: `lang:pcm`, `lang:en` (answered in any state). */
const LANG_CHOICE = "lang:";

/**
 * "speak pidgin", "speak English" or a tap on the offer: the preference is saved (one UPDATE) and
 * answered in the new language. A question in progress stays open, with its choices as they were.
 */
async function chooseLanguage(
  fc: FlowContext,
  state: FlowState | undefined,
  lang: Lang,
): Promise<StepResult> {
  await setUserLanguage({ ctx: fc.ctx, userId: fc.userId, language: lang });
  fc.lang = lang;
  if (state && state.flow !== OFFERED) {
    return {
      replies: [{ text: `${T.switched[lang]()} ${T.carryOn[lang]()}` }],
      next: state,
      languageChosen: true,
    };
  }
  return { replies: [menuReply(T.switched[lang](), lang)], languageChosen: true };
}

/**
 * The offer to reply in Pidgin, after the answer to the first Pidgin-looking message of someone who
 * has not chosen: recorded first (once, durably: `language_offered_at`), then joined to the last
 * reply with its two choices after that reply's own ones (so typed numbers keep their meaning), or
 * sent as its own message after an outcome. Written in Pidgin: the person just wrote it.
 */
async function withLanguageOffer(fc: FlowContext, result: StepResult): Promise<StepResult> {
  if (!(await markLanguageOffered({ ctx: fc.ctx, userId: fc.userId }))) {
    return result;
  }
  const offer: Choice[] = [
    { id: `${LANG_CHOICE}pcm`, label: T.offerYes.pcm() },
    { id: `${LANG_CHOICE}en`, label: T.offerNo.pcm() },
  ];
  const text = T.offer.pcm();
  const last = result.replies.at(-1);
  if (!last || last.outcome) {
    return { ...result, replies: [...result.replies, { text, choices: offer }] };
  }
  const choices = [...(last.choices ?? []), ...offer];
  const next = result.next
    ? {
        ...result.next,
        data: {
          ...result.next.data,
          _choices: [...((result.next.data._choices as Choice[]) ?? []), ...offer],
        },
      }
    : undefined;
  return {
    ...result,
    replies: [...result.replies.slice(0, -1), { ...last, text: `${last.text}\n\n${text}`, choices }],
    next,
  };
}

/** "yes", "ok", "go ahead": Confirm, typed at a summary. */
const YES =
  /^(?:y|yes|yeah|yea|yep|yup|ok|okay|sure|confirm|confirmed|correct|go ahead|proceed|do it|oya|ehen)(?:\s+(?:please|pls|abeg))?[\s.!]*$/i;

/**
 * A Confirm or Cancel from a summary that is not the one waiting (replaced by a newer one, paid,
 * cancelled, expired): nothing is bought or cancelled; the answer points at the summary that is
 * waiting, if any, and the old one's buttons go.
 */
function staleSummary(lang: Lang, state: FlowState | undefined, staleId: string): StepResult {
  const gone = T.summaryGone[lang]();
  const clearButtons = [summaryTag(staleId)];
  const current = currentSummary(state);
  if (state && current) {
    const offered = (state.data._choices as Choice[] | undefined) ?? [];
    const text =
      state.step === "confirm"
        ? `${gone} ${T.summaryWaiting[lang](current.what)}`
        : `${gone} ${T.pinWaiting[lang](current.what)}`;
    const choices = state.step === "confirm" ? summaryChoices(current.id, lang) : offered;
    return { replies: [{ text, choices, tag: summaryTag(current.id) }], next: state, clearButtons };
  }
  if (state && state.flow !== OFFERED) {
    // Another question is open: it stays, with its choices (and their numbers) as they were.
    return { replies: [{ text: gone }], next: state, clearButtons };
  }
  return { replies: [doneReply(gone, [], lang)], clearButtons };
}

/**
 * Text that is not a PIN, at a purchase's PIN step: the purchase is cancelled in a word, and the
 * text is read as a new message ("balance" shows the balance). It stays in the chat (not a PIN).
 */
async function leavePurchase(fc: FlowContext, what: string): Promise<StepResult> {
  const word = T.leftPurchase[fc.lang](what);
  const answer = await route(fc, undefined);
  const [first, ...rest] = answer.replies;
  const replies =
    first && !first.outcome
      ? [{ ...first, text: `${word}\n${first.text}` }, ...rest]
      : [{ text: word }, ...answer.replies];
  return { ...answer, replies, deleteInput: false };
}

/**
 * Requests that leave whatever question is pending. Purchases are not among them: "compact",
 * "prepaid" or "2gb" are answers to a step as often as they are new requests.
 */
/** Flows whose every step is a question that insists on its answer (no "offer" steps). */
const ASKING_FLOWS = new Set(["airtime", "data", "cable", "electricity", "fund", "withdraw", "gift"]);

const SWITCH_KINDS = new Set<Intent["kind"]>([
  "balance",
  "fund",
  "account_number",
  "history",
  "help",
  "receipt",
  "withdraw",
  "change_pin",
  "reset_pin",
  "link_account",
  "gift_room",
  "recommend",
  "referral",
  "points",
  "tier",
  "schedule",
  "reminders",
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
  return flow ? flow.start(fc, intent) : { replies: [menuReply(undefined, fc.lang)] };
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
