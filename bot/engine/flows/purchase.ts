import { ServiceError } from "../../../api/services/errors";
import { normalizePhone } from "../../../api/services/phone";
import { createOrder, type OrderInput } from "../../../api/services/vtu";
import { CANCEL_CHOICE, errorText, menuReply } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";

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
): Promise<StepResult> {
  if (answer.choice === "confirm") {
    return again(state, "Already confirmed — now send your PIN.");
  }
  const pin = (answer.text ?? "").trim();
  if (!/^\d{4,6}$/.test(pin)) {
    return { ...again(state, "Send your 4–6 digit PIN, or Cancel."), deleteInput: pin.length > 0 };
  }
  const confirmId = state.data.confirmId;
  const input = order(pin);
  if (typeof confirmId !== "string" || !input) {
    return { replies: [menuReply("Let us start again.")], deleteInput: true };
  }
  try {
    const { order: created } = await createOrder({
      ctx: fc.ctx,
      vtu: fc.deps.vtu,
      userId: fc.userId,
      actor: `user:${fc.userId}`,
      channel: fc.input.channel,
      idempotencyKey: `chat:${fc.input.channel}:${confirmId}`,
      order: input,
    });
    return {
      replies: [
        { text: placed(created.message, created.state === "delivered") },
        menuReply("Anything else?"),
      ],
      deleteInput: true,
    };
  } catch (error) {
    // A wrong PIN keeps the conversation at the PIN step; anything else ends it with the reason.
    if (error instanceof ServiceError && error.code === "INCORRECT_PIN") {
      return {
        replies: [{ text: errorText(error), choices: [CANCEL_CHOICE] }],
        next: state,
        deleteInput: true,
      };
    }
    return { replies: [{ text: errorText(error) }, menuReply()], deleteInput: true };
  }
}

/** Confirm pressed: remember its message id and ask for the PIN. */
export function askPin(fc: FlowContext, state: FlowState, priceText: string): StepResult {
  return {
    replies: [
      {
        text: `Send your transaction PIN to pay ${priceText}. I will delete it right away.`,
        choices: [CANCEL_CHOICE],
      },
    ],
    next: { ...state, step: "pin", data: { ...state.data, confirmId: fc.input.messageId } },
  };
}

export function again(state: FlowState, text: string): StepResult {
  return { replies: [{ text, choices: [CANCEL_CHOICE] }], next: state };
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
