import { requestPinReset, resetPin } from "../../../api/services/pins";
import { templates } from "../i18n";
import { cancelChoice, doneReply, errorText } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import { needsPinPage } from "./secure-pin";

const T = templates("pin-reset", {
  notInWhatsapp: {
    en: () =>
      "For your safety a forgotten PIN cannot be reset in WhatsApp, where messages cannot be deleted. Reset it in our Telegram bot, or through the API (POST /api/auth/forgot-pin, then /api/auth/reset-pin), then come back here.",
    pcm: () =>
      "Because of your safety, you no fit reset forgotten PIN for WhatsApp, because message no dey delete there. Reset am for our Telegram bot, or through the API (POST /api/auth/forgot-pin, then /api/auth/reset-pin), then come back here.",
  },
  codeSent: {
    en: (minutes: number) =>
      `I am sending you a 6-digit reset code in a separate message; it works for ${minutes} minutes. ` +
      "Then send the code and your new PIN in one message, e.g. 123456 7391. I will delete it right away.",
    pcm: (minutes: number) =>
      `I dey send you 6-digit reset code for another message; e go work for ${minutes} minutes. ` +
      "Then send the code and your new PIN for one message, like 123456 7391. I go delete am sharp sharp.",
  },
  sendTogether: {
    en: () => "Send the 6-digit code and your new PIN together, e.g. 123456 7391.",
    pcm: () => "Send the 6-digit code and your new PIN together, like 123456 7391.",
  },
  done: {
    en: () => "Your new PIN is set. Keep it to yourself: we will never ask for it except to pay.",
    pcm: () =>
      "Your new PIN don set. Keep am for yourself: we no go ever ask you for am, except when you wan pay.",
  },
});

/**
 * Forgot PIN, in the chat: the service sends a 6-digit one-time code as a separate chat message
 * (the notifications outbox), and the person answers with the code and a new PIN in one message,
 * which is deleted like any PIN message. The code allows 5 wrong tries and 5 requests an hour.
 */
export async function requestReset(fc: FlowContext): Promise<StepResult> {
  if (needsPinPage(fc.input.channel)) {
    // The new PIN would have to be typed into WhatsApp, where it cannot be deleted (S4).
    return {
      replies: [doneReply(T.notInWhatsapp[fc.lang](), [], fc.lang)],
    };
  }
  try {
    await requestPinReset({ ctx: fc.ctx, userId: fc.userId });
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
  const minutes = fc.ctx.config.PIN_RESET_CODE_TTL_MINUTES;
  return {
    replies: [
      {
        text: T.codeSent[fc.lang](minutes),
        choices: [cancelChoice(fc.lang)],
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
          text: T.sendTogether[fc.lang](),
          choices: [cancelChoice(fc.lang)],
        },
      ],
      next: state,
      deleteInput: parts.some((p) => /\d{4,}/.test(p)),
    };
  }
  try {
    await resetPin({ ctx: fc.ctx, userId: fc.userId, input: { resetCode, newPin } });
    return {
      replies: [doneReply(T.done[fc.lang](), [], fc.lang)],
      deleteInput: true,
    };
  } catch (error) {
    return {
      replies: [{ text: errorText(error, fc.lang), choices: [cancelChoice(fc.lang)] }],
      next: state,
      deleteInput: true,
    };
  }
}
