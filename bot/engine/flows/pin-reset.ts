import { requestPinReset, resetPin } from "../../../api/services/pins";
import { CANCEL_CHOICE, doneReply, errorText } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import { needsPinPage } from "./secure-pin";

/**
 * Forgot PIN, in the chat: the service sends a 6-digit one-time code as a separate chat message
 * (the notifications outbox), and the person answers with the code and a new PIN in one message,
 * which is deleted like any PIN message. The code allows 5 wrong tries and 5 requests an hour.
 */
export async function requestReset(fc: FlowContext): Promise<StepResult> {
  if (needsPinPage(fc.input.channel)) {
    // The new PIN would have to be typed into WhatsApp, where it cannot be deleted (S4).
    return {
      replies: [
        doneReply(
          "For your safety a forgotten PIN cannot be reset in WhatsApp, where messages cannot be deleted. Reset it in our Telegram bot, or through the API (POST /api/auth/forgot-pin, then /api/auth/reset-pin), then come back here.",
        ),
      ],
    };
  }
  try {
    await requestPinReset({ ctx: fc.ctx, userId: fc.userId });
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
  const minutes = fc.ctx.config.PIN_RESET_CODE_TTL_MINUTES;
  return {
    replies: [
      {
        text:
          `I am sending you a 6-digit reset code in a separate message; it works for ${minutes} minutes. ` +
          "Then send the code and your new PIN in one message, e.g. 123456 7391. I will delete it right away.",
        choices: [CANCEL_CHOICE],
      },
    ],
    next: { flow: "pin", step: "reset", data: {} },
  };
}

export async function completeReset(fc: FlowContext, state: FlowState, text: string): Promise<StepResult> {
  const parts = text.trim().split(/\s+/);
  const resetCode = parts.find((p) => /^\d{6}$/.test(p));
  const newPin = parts.find((p) => p !== resetCode && /^\d{4,6}$/.test(p));
  if (!resetCode || !newPin) {
    return {
      replies: [
        {
          text: "Send the 6-digit code and your new PIN together, e.g. 123456 7391.",
          choices: [CANCEL_CHOICE],
        },
      ],
      next: state,
      deleteInput: parts.some((p) => /\d{4,}/.test(p)),
    };
  }
  try {
    await resetPin({ ctx: fc.ctx, userId: fc.userId, input: { resetCode, newPin } });
    return {
      replies: [
        doneReply("Your new PIN is set. Keep it to yourself: we will never ask for it except to pay."),
      ],
      deleteInput: true,
    };
  } catch (error) {
    return {
      replies: [{ text: errorText(error), choices: [CANCEL_CHOICE] }],
      next: state,
      deleteInput: true,
    };
  }
}
