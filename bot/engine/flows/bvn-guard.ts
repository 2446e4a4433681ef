import { templates } from "../i18n";
import { menuChoice } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";

/**
 * A BVN typed into the chat by mistake (issue 17). The BVN is only ever given on the one-time KYC
 * page: in a chat it would stay in the history, and any answer that quotes what was written ("…
 * is not a phone number", "₦222,123,456.78 is more than…") would repeat it. So it is answered
 * before any flow, the grammar or the LLM sees it, with words that never include it.
 */
const T = templates("bvn-guard", {
  dontShare: {
    en: () =>
      "That looks like a BVN. Please don't send your BVN in a chat (delete that message if it is still there). " +
      "I never need it here. For a permanent account number you give it once, on a secure page: " +
      'ask me for "my account number".',
    pcm: () =>
      "That one be like BVN. Abeg no send your BVN for chat (delete that message if e still dey). " +
      "I no need am for here. For permanent account number, you go give am one time for one secure page: " +
      'ask me "my account number".',
  },
  carryOn: {
    en: () => "Carry on where you stopped: answer the question above.",
    pcm: () => "Continue from where you stop: answer the question wey dey up.",
  },
  accountChoice: { en: () => "My account number", pcm: () => "Show me my account number" },
});

/** 11 digits, as a BVN is written ("222 1234 5678"); every BVN starts with 22. */
const BVN_ALONE = /^22\d{9}$/;
/** With the word "bvn": any 11 digits but a phone number's (those start with 0). */
const ELEVEN_DIGITS = /(?<!\d)[1-9]\d{10}(?!\d)/;

/**
 * Whether `text` holds a BVN: a message that is only a BVN-shaped number, or that names the BVN
 * and carries 11 digits ("my bvn is 22212345678"). Steps that take 11-digit numbers of their own
 * (a meter, a smartcard) and the person's own words (`ownWords`) are left alone.
 */
export function holdsBvn(text: string, state: FlowState | undefined, ownWords: boolean): boolean {
  const joined = text.replace(/[\s.-]/g, "");
  const named = /\bbvn\b/i.test(text) && ELEVEN_DIGITS.test(text.replace(/(?<=\d)[\s.-](?=\d)/g, ""));
  if (named) {
    return true;
  }
  if (ownWords || !BVN_ALONE.test(joined)) {
    return false;
  }
  return !(
    (state?.flow === "electricity" && state.step === "meter") ||
    (state?.flow === "cable" && state.step === "smartcard")
  );
}

/** The warning; a question in progress stays open (with its choices), nothing else changes. */
export function bvnWarning(fc: FlowContext, state: FlowState | undefined, inFlow: boolean): StepResult {
  if (state && inFlow) {
    return {
      replies: [{ text: `${T.dontShare[fc.lang]()}\n\n${T.carryOn[fc.lang]()}` }],
      next: state,
      deleteSecret: true,
    };
  }
  return {
    replies: [
      {
        text: T.dontShare[fc.lang](),
        choices: [{ id: "nav:fund_transfer", label: T.accountChoice[fc.lang]() }, menuChoice(fc.lang)],
      },
    ],
    deleteSecret: true,
  };
}
