import type { SaveBeneficiaryInput } from "../../../api/services/beneficiaries";
import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { ServiceError } from "../../../api/services/errors";
import { formatNaira } from "../../../api/services/money";
import { normalizePhone } from "../../../api/services/phone";
import { createOrder, type OrderInput, waitForOrderOutcome } from "../../../api/services/vtu";
import {
  CANCEL_CHOICE,
  currentSummary,
  doneReply,
  errorText,
  FORGOT_PIN_CHOICE,
  MENU_CHOICE,
  newSummaryId,
  summaryChoices,
  summaryTag,
} from "../replies";
import type { Choice, FlowContext, FlowState, Reply, StepResult } from "../types";
import { refusePinAttempt } from "./pin-guard";
import { afterPurchase } from "./saved";
import { askForPin, readPinAnswer, retryPin } from "./secure-pin";

/**
 * Steps every purchase flow shares. `payWithPin` is the only place a chat moves money: the order
 * is keyed by the Confirm tap's message id (stored as `confirmId`), so a repeat buys once.
 */
export async function payWithPin(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
  order: (pin: string) => OrderInput | undefined,
  placed: (message: string, delivered: boolean) => string,
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
    return { replies: [doneReply("Let us start again.")], deleteInput: true };
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
    const reply: Reply = {
      text:
        created.state === "failed" ? created.message : placed(created.message, created.state === "delivered"),
      outcome,
      token: created.token ?? undefined,
    };
    // Failed at once (refunded): nothing worth saving the recipient for.
    const wentThrough = !["failed", "reversed"].includes(created.state);
    const result =
      save && wentThrough
        ? await afterPurchase(fc, save, reply)
        : { replies: [{ ...reply, choices: [MENU_CHOICE] }] };
    return { ...result, deleteInput: true };
  } catch (error) {
    // A wrong PIN keeps the conversation at the PIN step; anything else ends it with the reason.
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return { replies: await retryPin(fc, state, errorText(error)), next: state, deleteInput: true };
    }
    // A locked PIN: resetting it with a code also lifts the lock.
    const locked = error instanceof ServiceError && error.code === "PIN_LOCKED";
    return {
      replies: [doneReply(errorText(error), locked ? [FORGOT_PIN_CHOICE] : [])],
      deleteInput: true,
    };
  }
}

/**
 * The answer to a purchase still with the network: what was ordered, the order's own message, and
 * the promise of a message when it settles (the notification job keeps it). One wording for every flow.
 */
export function orderPlacedText(
  what: string,
  message: string,
  promise = "I will message you when it is done.",
): string {
  return `Order placed: ${what}. ${message} ${promise}`;
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
 * for the PIN to pay the price shown in the summary; anything else asks again.
 */
export async function confirmStep(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string },
): Promise<StepResult> {
  if (answer.choice !== "confirm") {
    return again(state, "Tap Confirm to continue, or Cancel.");
  }
  const price = formatNaira(Number(state.data.priceKobo ?? 0));
  return askForPin(
    fc,
    { ...state, step: "pin", data: { ...state.data, confirmId: fc.input.messageId } },
    { purpose: "pay", title: `Pay ${price} for ${PRODUCT_NAMES[state.flow] ?? state.flow}` },
    {
      typed: `Send your transaction PIN to pay ${price}. I will delete it right away.`,
      link: `To pay ${price}, open this link to enter your PIN.`,
    },
  );
}

/** How the PIN page names what is being paid for. */
const PRODUCT_NAMES: Record<string, string> = {
  airtime: "airtime",
  data: "data",
  electricity: "electricity",
  cable: "cable TV",
};

/**
 * The summary before paying: what, for whom, the price (`data.priceKobo`), Confirm or Cancel. Each
 * summary has its own id (in its choices and its message tag, see `newSummaryId`): a Confirm tapped
 * on an older summary never pays for this one. `what` names the purchase in a few words
 * ("₦1,000 airtime"), for "Cancelled the ₦1,000 airtime." and for pointing at it.
 */
export function summary(flow: string, data: object, text: string, what: string): StepResult {
  const id = newSummaryId();
  return {
    replies: [{ text, choices: summaryChoices(id), tag: summaryTag(id) }],
    next: { flow, step: "confirm", data: { ...data, summaryId: id, summaryOf: what } },
  };
}

/** Ask for one missing piece, with choices (Cancel is always offered). */
export function question(
  flow: string,
  step: string,
  data: object,
  text: string,
  choices: Choice[] = [],
): StepResult {
  return {
    replies: [{ text, choices: [...choices, CANCEL_CHOICE] }],
    next: { flow, step, data: { ...data } },
  };
}

/**
 * Ask the same question again, with the same choices: a plan list stays a plan list, so "1" still
 * means its first plan after a wrong answer (not Cancel).
 */
export function again(state: FlowState, text: string): StepResult {
  const offered = state.data._choices as Choice[] | undefined;
  // At a summary its buttons are repeated: the message carries the summary's tag, to clear them later.
  const current = currentSummary(state);
  return {
    replies: [
      {
        text,
        choices: offered?.length ? offered : [CANCEL_CHOICE],
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
