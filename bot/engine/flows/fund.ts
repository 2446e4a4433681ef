import { createFundingIntent } from "../../../api/services/funding";
import { formatNaira } from "../../../api/services/money";
import { type Lang, templates } from "../i18n";
import { cancelChoice, doneReply, errorText, menuChoice } from "../replies";
import type { FlowContext, FlowState, StepResult } from "../types";
import type { Flow } from "./flow";
import { checkedAmount, explainProblems, readAmountAnswer, typeAnAmount, withNotes } from "./written";

const AMOUNTS = [100_000, 200_000, 500_000, 1_000_000];

const T = templates("fund", {
  howMuch: {
    en: () => "How much do you want to add to your wallet? Tap one or type an amount.",
    pcm: () => "How much you wan put for your wallet? Tap one or type amount.",
  },
  howMuchAgain: {
    en: (typeAnAmount: string) => `How much? ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `How much you wan put? ${typeAnAmount}`,
  },
  feeIncluded: {
    en: (fee: string) => ` (${fee} fee included)`,
    pcm: (fee: string) => ` (${fee} fee dey inside)`,
  },
  payOnPage: {
    en: (total: string, fee: string, amount: string) =>
      `Pay ${total}${fee} on this page. ${amount} reaches your wallet as soon as the payment is confirmed, and I will tell you here.`,
    pcm: (total: string, fee: string, amount: string) =>
      `Pay ${total}${fee} for this page. ${amount} go enter your wallet as soon as the payment confirm, and I go tell you for here.`,
  },
  payLink: { en: (total: string) => `Pay ${total}`, pcm: (total: string) => `Pay ${total} now` },
  byTransfer: { en: () => "Bank transfer", pcm: () => "Pay with bank transfer" },
});

/** Fund the wallet: amount → a checkout link (Flutterwave, or the sandbox page). We message on credit. */
export const fundFlow: Flow = {
  name: "fund",
  async start(fc, intent) {
    if (intent?.kind !== "fund") {
      return askAmount(fc.lang);
    }
    const amount = checkedAmount(fc, "fund", intent.amountKobo);
    const notes = [explainProblems(fc, intent.problems, "fund"), amount.note];
    return withNotes(notes, amount.amountKobo ? await checkout(fc, amount.amountKobo) : askAmount(fc.lang));
  },
  async handle(fc, state, answer) {
    const read = readFundingAmount(fc, state, answer);
    return "retry" in read ? read.retry : checkout(fc, read.amountKobo);
  },
};

/**
 * An answer to "how much do you want to add?" (a tapped amount or typed words), for the card and
 * the transfer flows alike: the amount, or the question again with what was wrong.
 */
export function readFundingAmount(
  fc: FlowContext,
  state: FlowState,
  answer: { choice?: string; text?: string },
): { amountKobo: number } | { retry: StepResult } {
  const read = answer.choice?.startsWith("amt:")
    ? { amountKobo: Number(answer.choice.slice(4)) }
    : readAmountAnswer(fc, "fund", answer.text);
  if (read && !("problem" in read)) {
    return read;
  }
  return {
    retry: {
      replies: [
        {
          text: read?.problem ?? T.howMuchAgain[fc.lang](typeAnAmount(fc)),
          choices: [cancelChoice(fc.lang)],
        },
      ],
      next: state,
    },
  };
}

function askAmount(lang: Lang): StepResult {
  return {
    replies: [
      {
        text: T.howMuch[lang](),
        // Or by bank transfer: the account number flow (fund-transfer.ts).
        choices: [
          ...AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })),
          { id: "nav:fund_transfer", label: T.byTransfer[lang]() },
          cancelChoice(lang),
        ],
      },
    ],
    next: { flow: "fund", step: "amount", data: {} },
  };
}

async function checkout(fc: FlowContext, amountKobo: number): Promise<StepResult> {
  try {
    const intent = await createFundingIntent({
      ctx: fc.ctx,
      payments: fc.deps.payments,
      userId: fc.userId,
      channel: fc.input.channel,
      input: { amountKobo },
    });
    const total = formatNaira(intent.totalKobo);
    const fee = intent.feeKobo > 0 ? T.feeIncluded[fc.lang](formatNaira(intent.feeKobo)) : "";
    return {
      replies: [
        {
          text: T.payOnPage[fc.lang](total, fee, formatNaira(intent.amountKobo)),
          link: { label: T.payLink[fc.lang](total), url: intent.checkoutUrl ?? "" },
          choices: [menuChoice(fc.lang)],
        },
      ],
    };
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}
