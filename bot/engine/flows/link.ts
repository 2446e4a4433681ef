import { createLinkCode, linkIdentity } from "../../../api/services/users";
import { templates } from "../i18n";
import { doneReply, errorText } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";

const T = templates("link", {
  code: {
    en: (code: string, minutes: number) =>
      `Your link code is ${code}. On your other chat (Telegram or WhatsApp), send:\n/link ${code}\n` +
      `It works once, for the next ${minutes} minutes. Both chats will then share this wallet. Never give this code to anyone.`,
    pcm: (code: string, minutes: number) =>
      `Your link code na ${code}. For your other chat (Telegram or WhatsApp), send:\n/link ${code}\n` +
      `E go work only once, for the next ${minutes} minutes. After that, the two chats go share this wallet. No give anybody this code o.`,
  },
  already: {
    en: () => "This chat is already linked to that account.",
    pcm: () => "This chat don already join that account.",
  },
  linked: {
    en: () => "Linked! This chat now uses the same TADA wallet, PIN and orders as your other chat.",
    pcm: () => "E don join! This chat now dey use the same TADA wallet, PIN and orders as your other chat.",
  },
});

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
    replies: [doneReply(T.code[fc.lang](linkCode, minutes), [], fc.lang)],
  };
}

async function useCode(fc: FlowContext, code: string): Promise<StepResult> {
  try {
    const linked = await linkIdentity({
      ctx: fc.ctx,
      input: { linkCode: code, channel: fc.input.channel, externalId: fc.input.userRef },
    });
    const text = linked.alreadyLinked ? T.already[fc.lang]() : T.linked[fc.lang]();
    return { replies: [doneReply(text, [], fc.lang)] };
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}
