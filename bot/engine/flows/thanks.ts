import { templates } from "../i18n";
import { doneReply } from "../replies";
import type { FlowContext, StepResult } from "../types";

const T = templates("thanks", {
  welcome: {
    en: () => "You're welcome! I'm here whenever you need airtime, data, TV or light.",
    pcm: () => "No wahala! I dey here anytime you need airtime, data, TV or light.",
  },
});

/**
 * "thank you", "thanks boss", "God bless you": a short kind answer and the one Menu choice, never
 * "Sorry, I did not get that" and the whole menu (issue 16).
 */
export function thank(fc: FlowContext): StepResult {
  return { replies: [doneReply(T.welcome[fc.lang]())] };
}
