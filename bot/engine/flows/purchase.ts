import type { SaveBeneficiaryInput } from "../../../api/services/beneficiaries";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { normalizePhone } from "../../../api/services/phone";
import { hasPin } from "../../../api/services/pins";
import { createOrder, type OrderInput, stateMessage, waitForOrderOutcome } from "../../../api/services/vtu";
import { getWalletBalance } from "../../../api/services/wallet";
import type { OrderState } from "../../../db/database";
import { notificationText } from "../../outbox/notification-text";
import { DEFAULT_LANG, type Lang, type Template, templates } from "../i18n";
import {
  cancelChoice,
  currentSummary,
  doneReply,
  errorText,
  forgotPinChoice,
  fundChoice,
  menuChoice,
  newSummaryId,
  summaryChoices,
  summaryTag,
} from "../replies";
import type { Choice, FlowContext, FlowState, Reply, StepResult } from "../types";
import { askToSetPin } from "./pin";
import { refusePinAttempt } from "./pin-guard";
import { afterPurchase } from "./saved";
import { askForPin, readPinAnswer, retryPin } from "./secure-pin";

/** Texts every purchase flow shares (also used by withdraw and the gift room). */
export const PURCHASE_TEXT = templates("purchase", {
  startAgain: { en: () => "Let us start again.", pcm: () => "Make we start again." },
  tapConfirm: {
    en: () => "Tap Confirm to continue, or Cancel.",
    pcm: () => "Tap Confirm make we continue, or Cancel.",
  },
  pinTitle: {
    en: (price: string, product: string) => `Pay ${price} for ${product}`,
    pcm: (price: string, product: string) => `Pay ${price} for your ${product}`,
  },
  pinTyped: {
    en: (price: string) => `Send your transaction PIN to pay ${price}. I will delete it right away.`,
    pcm: (price: string) => `Oya send your transaction PIN make I pay ${price}. I go delete am sharp sharp.`,
  },
  pinLink: {
    en: (price: string) => `To pay ${price}, open this link to enter your PIN.`,
    pcm: (price: string) => `To pay ${price}, open this link put your PIN.`,
  },
  orderPlaced: {
    en: (what: string, message: string, promise: string) => `Order placed: ${what}. ${message} ${promise}`,
    pcm: (what: string, message: string, promise: string) =>
      `Order don enter: ${what}. ${message} ${promise}`,
  },
  whenDone: {
    en: () => "I will message you when it is done.",
    pcm: () => "I go message you once e finish.",
  },
  whenToken: {
    en: () => "I will send the token when it is ready.",
    pcm: () => "I go send you the token once e ready.",
  },
  short: {
    en: (price: string, available: string, short: string) =>
      `This costs ${price} and your wallet has ${available}: you are ${short} short. Nothing was bought. Fund your wallet, then try again.`,
    pcm: (price: string, available: string, short: string) =>
      `This one cost ${price} but na ${available} dey your wallet: ${short} still remain. You never buy anything. Fund your wallet, then try again.`,
  },
  noPin: {
    en: (what: string) =>
      `You have no transaction PIN yet, and it is needed to pay. Set it now and the ${what} will be waiting.`,
    pcm: (what: string) =>
      `You never set transaction PIN, and na am you go use pay. Set am now, the ${what} go dey wait for you.`,
  },
  pickNetwork: {
    en: () => "Pick the network from the list.",
    pcm: () => "Choose the network from the list.",
  },
  pickPlan: { en: () => "Pick a plan from the list.", pcm: () => "Choose plan from the list." },
  airtime: { en: () => "airtime", pcm: () => "airtime" },
  data: { en: () => "data", pcm: () => "data" },
  electricity: { en: () => "electricity", pcm: () => "light (electricity)" },
  cable: { en: () => "cable TV", pcm: () => "cable TV" },
});
const T = PURCHASE_TEXT;

/**
 * An order's state in words, for a person who reads Pidgin (English keeps the order's own message,
 * which may be the network's). Whether money moved is said as plainly as the English does.
 */
const STATE_TEXT = templates("order-state", {
  held: {
    en: () => stateMessage("held"),
    pcm: () => "We don collect your order, we dey send am to the network.",
  },
  submitting: { en: () => stateMessage("submitting"), pcm: () => "We dey send am to the network…" },
  pending: {
    en: () => stateMessage("pending"),
    pcm: () => "Network still dey work on am. We go confirm soon; your money dey safe.",
  },
  unknown: {
    en: () => stateMessage("unknown"),
    pcm: () => "Network never confirm am. We dey check; your money dey hold, e no loss.",
  },
  delivered: { en: () => stateMessage("delivered"), pcm: () => "E don land." },
  failed: {
    en: () => stateMessage("failed"),
    pcm: () => "E no go through. We don return your money to your wallet.",
  },
  manual_review: {
    en: () => stateMessage("manual_review"),
    pcm: () =>
      "Network never confirm after we check am many times. Our team dey on top am; your money go stay hold until e settle.",
  },
  reversed: {
    en: () => stateMessage("reversed"),
    pcm: () => "Network reverse am after e land. We don return your money to your wallet.",
  },
} satisfies Record<OrderState, Template>);

/**
 * The order's message in the person's language: English keeps the order's own words; Pidgin says
 * the same from the order's state (a delivery names what landed, like its notification).
 */
function orderMessage(
  created: {
    state: OrderState;
    message: string;
    service: string;
    recipient: string;
    faceAmountKobo: number;
    token?: string | null;
  },
  lang: Lang,
): string {
  if (lang === "en") {
    return created.message;
  }
  const delivered =
    created.state === "delivered"
      ? notificationText(
          "order.delivered",
          {
            hasToken: Boolean(created.token),
            notice: {
              service: created.service,
              recipient: created.recipient,
              faceAmountKobo: created.faceAmountKobo,
            },
          },
          lang,
        )
      : undefined;
  return delivered ?? STATE_TEXT[created.state][lang]();
}

/**
 * Steps every purchase flow shares. `payWithPin` is the only place a chat moves money: the order
 * is keyed by the Confirm tap's message id (stored as `confirmId`), so a repeat buys once.
 */
export async function payWithPin(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
  order: (pin: string) => OrderInput | undefined,
  placed: (message: string, delivered: boolean, lang: Lang) => string,
  /** The recipient, to offer saving it (or move it up the saved list) once the order is placed. */
  save?: SaveBeneficiaryInput,
): Promise<StepResult> {
  const read = await readPinAnswer(fc, state, answer);
  if ("reply" in read) {
    return read.reply;
  }
  const { pin } = read;
  const confirmId = state.data.confirmId;
  const input = order(pin);
  if (typeof confirmId !== "string" || !input) {
    return { replies: [doneReply(T.startAgain[fc.lang](), [], fc.lang)], deleteInput: true };
  }
  const refused = await refusePinAttempt(fc, state);
  if (refused) {
    return refused;
  }
  try {
    const { order: placedOrder } = await createOrder({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      actor: `user:${fc.userId}`,
      channel: fc.input.channel,
      idempotencyKey: `chat:${fc.input.channel}:${confirmId}`,
      order: input,
    });
    // Like the API, give the provider a few seconds so most answers can say "delivered" at once.
    const created = await waitForOrderOutcome({
      ctx: fc.ctx,
      userId: fc.userId,
      orderId: placedOrder.id,
      timeoutMs: fc.ctx.config.VTU_RESPONSE_WAIT_MS,
      outcomes: fc.deps.vtu.outcomes,
      placed: placedOrder,
    });
    // The outcome's notification and this reply share one outbox key: the chat reads it once.
    const outcome =
      created.state === "delivered" || created.state === "failed"
        ? {
            kind: created.state === "delivered" ? "order.delivered" : "order.failed",
            payload: { orderId: created.id, ...(created.token ? { hasToken: true } : {}) },
          }
        : undefined;
    // A definite failure is already refunded; its message says so. The electricity token is shown
    // where the reply is shown at once, and read from the order when the message is sent (P11).
    const message = orderMessage(created, fc.lang);
    const reply: Reply = {
      text: created.state === "failed" ? message : placed(message, created.state === "delivered", fc.lang),
      outcome,
      token: created.token ?? undefined,
    };
    // Failed at once (refunded): nothing worth saving the recipient for.
    const wentThrough = !["failed", "reversed"].includes(created.state);
    const result =
      save && wentThrough
        ? await afterPurchase(fc, save, reply)
        : { replies: [{ ...reply, choices: [menuChoice(fc.lang)] }] };
    return { ...result, deleteInput: true };
  } catch (error) {
    // A wrong PIN keeps the conversation at the PIN step; anything else ends it with the reason.
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return {
        replies: await retryPin(fc, state, errorText(error, fc.lang)),
        next: state,
        deleteInput: true,
      };
    }
    // The wallet fell short after Confirm (another payment came first): the shortfall, and funding.
    const short = shortfallReply(fc, error);
    if (short) {
      return { ...short, deleteInput: true };
    }
    // A locked PIN: resetting it with a code also lifts the lock.
    const locked = error instanceof ServiceError && error.code === "PIN_LOCKED";
    return {
      replies: [doneReply(errorText(error, fc.lang), locked ? [forgotPinChoice(fc.lang)] : [], fc.lang)],
      deleteInput: true,
    };
  }
}

/**
 * The answer to a purchase still with the network: what was ordered, the order's own message, and
 * the promise of a message when it settles (the notification job keeps it). One wording for every flow.
 */
export function orderPlacedText(
  lang: Lang,
  what: string,
  message: string,
  promise: "done" | "token" = "done",
): string {
  return T.orderPlaced[lang](what, message, promise === "token" ? T.whenToken[lang]() : T.whenDone[lang]());
}

/** A phone recipient (airtime, data) to offer saving, labelled with its confirmed network. */
export function phoneBeneficiary(
  service: "airtime" | "data",
  phone: string | undefined,
  network: keyof typeof NETWORK_NAMES | undefined,
): SaveBeneficiaryInput | undefined {
  return phone && network
    ? { service, recipient: phone, provider: network, label: `${NETWORK_NAMES[network]} ${phone}` }
    : undefined;
}

/**
 * The confirm step: Confirm remembers the tap's message id (the purchase's idempotency key) and asks
 * for the PIN to pay the price shown in the summary; anything else asks again. The PIN is asked only
 * when it can pay: a wallet short of the price gets the shortfall and "Fund my wallet", and someone
 * with no PIN sets one first (the purchase waits at its summary). These reads only choose the
 * question: the order still checks the PIN and the money itself.
 */
export async function confirmStep(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string },
): Promise<StepResult> {
  if (answer.choice !== "confirm") {
    return again(state, T.tapConfirm[fc.lang]());
  }
  const priceKobo = Number(state.data.priceKobo ?? 0);
  // The wallet as read with this message's claim (no read of its own), else read now.
  const availableKobo = fc.wallet
    ? fc.wallet.balanceKobo - fc.wallet.heldKobo
    : (await getWalletBalance({ ctx: fc.ctx, userId: fc.userId })).availableKobo;
  if (availableKobo < priceKobo) {
    return { replies: [shortReply(fc, priceKobo, availableKobo)] };
  }
  if (!(await hasPin({ ctx: fc.ctx, userId: fc.userId }))) {
    const what = typeof state.data.summaryOf === "string" ? state.data.summaryOf : "purchase";
    const { _choices: _shown, ...kept } = state.data;
    return askToSetPin(fc, { lead: T.noPin[fc.lang](what), resume: { ...state, data: kept } });
  }
  const price = formatNaira(priceKobo);
  const product = isProduct(state.flow) ? T[state.flow][fc.lang]() : state.flow;
  return askForPin(
    fc,
    { ...state, step: "pin", data: { ...state.data, confirmId: fc.input.messageId } },
    { purpose: "pay", title: T.pinTitle[fc.lang](price, product) },
    { typed: T.pinTyped[fc.lang](price), link: T.pinLink[fc.lang](price) },
  );
}

/** "This costs ₦5,075 and your wallet has ₦999.15: you are ₦4,075.85 short", with Fund my wallet. */
function shortReply(fc: FlowContext, priceKobo: number, availableKobo: number): Reply {
  const text = T.short[fc.lang](
    formatNaira(priceKobo),
    formatNaira(Math.max(0, availableKobo)),
    formatNaira(priceKobo - Math.max(0, availableKobo)),
  );
  return doneReply(text, [fundChoice(fc.lang)], fc.lang);
}

/** The order refused for want of money (INSUFFICIENT_FUNDS with its amounts): the shortfall reply. */
function shortfallReply(fc: FlowContext, error: unknown): StepResult | undefined {
  if (!(error instanceof ServiceError) || error.code !== "INSUFFICIENT_FUNDS") {
    return undefined;
  }
  const available = Number(error.details?.availableKobo);
  const required = Number(error.details?.requiredKobo);
  if (!Number.isFinite(available) || !Number.isFinite(required) || required <= available) {
    return { replies: [doneReply(errorText(error, fc.lang), [fundChoice(fc.lang)], fc.lang)] };
  }
  return { replies: [shortReply(fc, required, available)] };
}

/** The flows whose PIN page names what is being paid for. */
function isProduct(flow: string): flow is "airtime" | "data" | "electricity" | "cable" {
  return ["airtime", "data", "electricity", "cable"].includes(flow);
}

/**
 * The summary before paying: what, for whom, the price (`data.priceKobo`), Confirm or Cancel. Each
 * summary has its own id (in its choices and its message tag, see `newSummaryId`): a Confirm tapped
 * on an older summary never pays for this one. `what` names the purchase in a few words
 * ("₦1,000 airtime"), for "Cancelled the ₦1,000 airtime." and for pointing at it.
 */
export function summary(flow: string, data: object, text: string, what: string, lang: Lang): StepResult {
  const id = newSummaryId();
  return {
    replies: [{ text, choices: summaryChoices(id, lang), tag: summaryTag(id) }],
    next: { flow, step: "confirm", data: { ...data, summaryId: id, summaryOf: what } },
  };
}

/** Ask for one missing piece, with choices (Cancel is always offered). */
export function question(
  flow: string,
  step: string,
  data: object,
  text: string,
  choices: Choice[],
  lang: Lang,
): StepResult {
  return {
    replies: [{ text, choices: [...choices, cancelChoice(lang)] }],
    next: { flow, step, data: { ...data } },
  };
}

/**
 * Ask the same question again, with the same choices: a plan list stays a plan list, so "1" still
 * means its first plan after a wrong answer (not Cancel).
 */
export function again(state: FlowState, text: string, lang?: Lang): StepResult {
  const offered = state.data._choices as Choice[] | undefined;
  // At a summary its buttons are repeated: the message carries the summary's tag, to clear them later.
  const current = currentSummary(state);
  return {
    replies: [
      {
        text,
        choices: offered?.length ? offered : [cancelChoice(lang ?? DEFAULT_LANG)],
        ...(current ? { tag: summaryTag(current.id) } : {}),
      },
    ],
    next: state,
  };
}

export async function ownPhone(fc: FlowContext): Promise<string | undefined> {
  const user = await fc.ctx.db
    .selectFrom("users")
    .select("phone")
    .where("id", "=", fc.userId)
    .executeTakeFirst();
  return user?.phone ?? undefined;
}

export function tryPhone(text: string | undefined): string | undefined {
  try {
    return text ? normalizePhone(text) : undefined;
  } catch {
    return undefined;
  }
}
