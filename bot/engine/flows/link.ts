import { createLinkCode, linkIdentity } from "../../../api/services/users";
import { doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";

/**
 * One wallet across chats (DESIGN §1): "Link another channel" gives a one-time code here; sending
 * "/link CODE" on the other chat joins that chat to this account. A code works once, briefly.
 */
export const linkFlow: Flow = {
  name: "link",
  async start(fc, intent) {
    if (intent?.kind === "link_account" && intent.code) {
      return useCode(fc, intent.code);
    }
    return issueCode(fc);
  },
  async handle(fc) {
    return issueCode(fc);
  },
};

async function issueCode(fc: FlowContext): Promise<StepResult> {
  const { linkCode } = await createLinkCode({ ctx: fc.ctx, userId: fc.userId });
  const minutes = fc.ctx.config.LINK_CODE_TTL_MINUTES;
  return {
    replies: [
      doneReply(
        `Your link code is ${linkCode}. On your other chat (Telegram or WhatsApp), send:\n/link ${linkCode}\n` +
          `It works once, for the next ${minutes} minutes. Both chats will then share this wallet. Never give this code to anyone.`,
      ),
    ],
  };
}

async function useCode(fc: FlowContext, code: string): Promise<StepResult> {
  try {
    const linked = await linkIdentity({
      ctx: fc.ctx,
      input: { linkCode: code, channel: fc.input.channel, externalId: fc.input.userRef },
    });
    const text = linked.alreadyLinked
      ? "This chat is already linked to that account."
      : "Linked! This chat now uses the same TADA wallet, PIN and orders as your other chat.";
    return { replies: [doneReply(text)] };
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}
