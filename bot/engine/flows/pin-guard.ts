import { RateLimitedError } from "../../../api/services/errors";
import { takePinAttemptSlot } from "../../../api/services/rate-limits";
import { templates } from "../i18n";
import { cancelChoice } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";

const T = templates("pin-guard", {
  tooMany: {
    en: (seconds: number) =>
      `Too many PIN attempts. For your safety I did not check this one. Try again in ${seconds} seconds.`,
    pcm: (seconds: number) =>
      `You don try PIN too many times. Because of your safety, I no check this one. Try again after ${seconds} seconds.`,
  },
  cannotCheck: {
    en: () => "I cannot check PINs right now. Nothing was charged; please try again in a minute.",
    pcm: () => "I no fit check PIN now now. Dem no charge you anything; abeg try again after one minute.",
  },
});

/**
 * S5 for chats: every PIN check first takes a slot from the per-user limiter. Over the limit, or the
 * limiter failing (fail closed), the PIN is not checked at all and the person is told when to retry.
 * Returns the refusal to send, or undefined when the PIN may be checked. The conversation stays at
 * its PIN step so the person can simply try again later.
 */
export async function refusePinAttempt(fc: FlowContext, state: FlowState): Promise<StepResult | undefined> {
  try {
    await takePinAttemptSlot(fc.ctx, fc.userId);
    return undefined;
  } catch (error) {
    const wait = error instanceof RateLimitedError ? Number(error.details?.retryAfterSeconds ?? 60) : 60;
    if (!(error instanceof RateLimitedError)) {
      fc.ctx.logger.error({ err: error }, "PIN attempt limiter failed; refusing the PIN check");
    }
    const text = error instanceof RateLimitedError ? T.tooMany[fc.lang](wait) : T.cannotCheck[fc.lang]();
    return { replies: [{ text, choices: [cancelChoice(fc.lang)] }], next: state, deleteInput: true };
  }
}
