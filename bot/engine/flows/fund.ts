import { createFundingIntent } from "../../../api/services/funding";
import { formatNaira } from "../../../api/services/money";
import { CANCEL_CHOICE, doneReply, errorText, MENU_CHOICE } from "../replies";
import type { FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { checkedAmount, explainProblems, readAmountAnswer, typeAnAmount, withNotes } from "./written";

const AMOUNTS = [100_000, 200_000, 500_000, 1_000_000];

/** Fund the wallet: amount → a checkout link (Flutterwave, or the sandbox page). We message on credit. */
export const fundFlow: Flow = {
  name: "fund",
  async start(fc, intent) {
    if (intent?.kind !== "fund") {
      return askAmount();
    }
    const amount = checkedAmount(fc, "fund", intent.amountKobo);
    const notes = [explainProblems(fc, intent.problems, "fund"), amount.note];
    return withNotes(notes, amount.amountKobo ? await checkout(fc, amount.amountKobo) : askAmount());
  },
  async handle(fc, state, answer) {
    const read = answer.choice?.startsWith("amt:")
      ? { amountKobo: Number(answer.choice.slice(4)) }
      : readAmountAnswer(fc, "fund", answer.text);
    if (!read || "problem" in read) {
      return {
        replies: [{ text: read?.problem ?? `How much? ${typeAnAmount(fc)}`, choices: [CANCEL_CHOICE] }],
        next: state,
      };
    }
    return checkout(fc, read.amountKobo);
  },
};

function askAmount(): StepResult {
  return {
    replies: [
      {
        text: "How much do you want to add to your wallet? Tap one or type an amount.",
        choices: [...AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })), CANCEL_CHOICE],
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
    const fee = intent.feeKobo > 0 ? ` (${formatNaira(intent.feeKobo)} fee included)` : "";
    return {
      replies: [
        {
          text: `Pay ${formatNaira(intent.totalKobo)}${fee} on this page. ${formatNaira(intent.amountKobo)} reaches your wallet as soon as the payment is confirmed, and I will tell you here.`,
          link: { label: `Pay ${formatNaira(intent.totalKobo)}`, url: intent.checkoutUrl ?? "" },
          choices: [MENU_CHOICE],
        },
      ],
    };
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}
