import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { NETWORKS, type Network, quoteByAmount } from "../../../api/services/vtu";
import { doneReply, errorText, menuReply } from "../replies";
import type { Choice, FlowContext, StepResult } from "../types";
import type { Flow } from "./flow";
import { knownNetwork } from "./known-network";
import {
  again,
  confirmStep,
  orderPlacedText,
  ownPhone,
  payWithPin,
  phoneBeneficiary,
  question,
  summary,
  tryPhone,
} from "./purchase";
import { pickedSaved, savedChoices } from "./saved";
import {
  checkedAmount,
  explainProblems,
  notAPhone,
  readAmountAnswer,
  typeAnAmount,
  withNotes,
} from "./written";

/** What the airtime conversation has collected so far (never the PIN). */
type AirtimeData = {
  network?: Network;
  amountKobo?: number;
  phone?: string;
  priceKobo?: number;
  /** The message id of the Confirm tap: the purchase's idempotency key comes from it. */
  confirmId?: string;
  /**
   * The first message wrote a number that is not a phone: the question for the number then does not
   * offer the customer's own number, which a careless tap would buy for instead (issue 16).
   */
  phoneWrittenWrong?: boolean;
};

const AMOUNTS = [10_000, 20_000, 50_000, 100_000];

/**
 * network → amount → number → confirm (with the price) → PIN → order. Whatever the first message
 * already said is kept; only what is missing is asked. Nothing is bought without Confirm and the PIN.
 */
export const airtimeFlow: Flow = {
  name: "airtime",
  async start(fc, intent) {
    const data: AirtimeData = {};
    const notes: (string | undefined)[] = [];
    if (intent?.kind === "airtime") {
      const amount = checkedAmount(fc, "airtime", intent.amountKobo);
      notes.push(explainProblems(fc, intent.problems, "airtime"), amount.note);
      data.amountKobo = amount.amountKobo;
      data.phone = intent.phone ?? (intent.forSelf ? await ownPhone(fc) : undefined);
      data.phoneWrittenWrong = intent.problems?.some((problem) => problem.slot === "phone") || undefined;
      // A network guessed from the prefix is only a suggestion; one the customer said is an answer.
      data.network = intent.networkSource === "said" ? intent.network : undefined;
    }
    return withNotes(notes, await ask(fc, data));
  },
  async handle(fc, state, answer) {
    const data = state.data as AirtimeData;
    switch (state.step) {
      case "network": {
        const network = answer.choice?.startsWith("net:")
          ? (answer.choice.slice(4) as Network)
          : parseNetwork(answer.text);
        if (!network) {
          return again(state, "Pick the network from the list.");
        }
        return ask(fc, { ...data, network });
      }
      case "amount": {
        const read = answer.choice?.startsWith("amt:")
          ? { amountKobo: Number(answer.choice.slice(4)) }
          : readAmountAnswer(fc, "airtime", answer.text);
        if (!read || "problem" in read) {
          return again(state, read?.problem ?? `How much airtime? ${typeAnAmount(fc)}`);
        }
        return ask(fc, { ...data, amountKobo: read.amountKobo });
      }
      case "phone": {
        const saved = await pickedSaved(fc, answer.choice);
        const phone =
          saved?.recipient ?? (answer.choice === "self" ? await ownPhone(fc) : tryPhone(answer.text));
        if (!phone) {
          return again(state, notAPhone(fc, answer.text));
        }
        // A saved number keeps the network it was saved with (it was confirmed then).
        return ask(fc, {
          ...data,
          phone,
          network: data.network ?? parseNetwork(saved?.provider ?? undefined),
        });
      }
      case "confirm":
        return confirmStep(fc, state, answer);
      case "pin":
        return payWithPin(
          fc,
          state,
          answer,
          (pin) =>
            data.network && data.phone && data.amountKobo
              ? {
                  service: "airtime",
                  input: { network: data.network, phone: data.phone, amountKobo: data.amountKobo, pin },
                }
              : undefined,
          (message, delivered) =>
            delivered
              ? message
              : orderPlacedText(
                  `${formatNaira(data.amountKobo ?? 0)} ${NETWORK_NAMES[data.network ?? "mtn"]} airtime for ${data.phone}`,
                  message,
                ),
          phoneBeneficiary("airtime", data.phone, data.network),
        );
      default:
        return { replies: [menuReply()] };
    }
  },
};

/** Ask for the first missing piece, or show the summary to confirm. */
async function ask(fc: FlowContext, data: AirtimeData): Promise<StepResult> {
  const next = (step: string, text: string, choices: Choice[]): StepResult =>
    question("airtime", step, data, text, choices);
  if (!data.phone) {
    const own = await ownPhone(fc);
    const saved = await savedChoices(fc, "airtime");
    return next(
      "phone",
      saved.length > 0
        ? "Which number should get the airtime? Tap a saved one or type a new number."
        : "Which number should get the airtime? Type it.",
      [...saved, ...(own && !data.phoneWrittenWrong ? [{ id: "self", label: `My number (${own})` }] : [])],
    );
  }
  if (!data.network) {
    // A number this person saved, or had delivered to before, is on a network they confirmed then.
    const known = await knownNetwork(fc, data.phone);
    if (known) {
      return ask(fc, { ...data, network: known });
    }
    const guess = guessNetwork(data.phone);
    const order = guess.network
      ? [guess.network, ...NETWORKS.filter((n) => n !== guess.network)]
      : [...NETWORKS];
    const hint = guess.network
      ? `${data.phone} looks like ${NETWORK_NAMES[guess.network]}, but numbers can be ported. `
      : "";
    return next(
      "network",
      `${hint}Which network is it on?`,
      order.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
    );
  }
  if (!data.amountKobo) {
    return next(
      "amount",
      "How much airtime? Tap one or type an amount.",
      AMOUNTS.map((a) => ({ id: `amt:${a}`, label: formatNaira(a) })),
    );
  }
  try {
    const quote = await quoteByAmount({
      ctx: fc.ctx,
      service: "airtime",
      productId: `airtime:${data.network}`,
      amountKobo: data.amountKobo,
    });
    const text =
      `${quote.productName} ${formatNaira(data.amountKobo)} for ${data.phone}.\n` +
      `You pay ${formatNaira(quote.priceKobo)} from your wallet. Confirm?`;
    return summary(
      "airtime",
      { ...data, priceKobo: quote.priceKobo },
      text,
      `${formatNaira(data.amountKobo)} airtime`,
    );
  } catch (error) {
    return { replies: [doneReply(errorText(error))] };
  }
}

export function parseNetwork(text: string | undefined): Network | undefined {
  const word = (text ?? "").trim().toLowerCase().replace("etisalat", "9mobile");
  return NETWORKS.find((n) => n === word || NETWORK_NAMES[n].toLowerCase() === word);
}
