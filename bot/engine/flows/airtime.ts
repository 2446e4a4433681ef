import { NETWORK_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { guessNetwork } from "../../../api/services/phone";
import { NETWORKS, type Network, quoteByAmount } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { knownNetwork } from "./known-network";
import { orderPlacedText, ownPhone, PURCHASE_TEXT, phoneBeneficiary, summary, tryPhone } from "./purchase";
import { pickedSaved, savedChoices } from "./saved";
import { type Answer, amountSlot, chosen, purchaseFlow, type SlotSpec } from "./slots";
import { checkedAmount, explainProblems, notAPhone, typeAnAmount } from "./written";

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

const T = templates("airtime", {
  whichNumberSaved: {
    en: (service: string) => `Which number should get the ${service}? Tap a saved one or type a new number.`,
    pcm: (service: string) =>
      `Which number I go load the ${service} for? Tap one wey you save or type new number.`,
  },
  whichNumber: {
    en: (service: string) => `Which number should get the ${service}? Type it.`,
    pcm: (service: string) => `Which number I go load the ${service} for? Type am.`,
  },
  myNumber: { en: (own: string) => `My number (${own})`, pcm: (own: string) => `My own number (${own})` },
  looksLike: {
    en: (phone: string, network: string) => `${phone} looks like ${network}, but numbers can be ported. `,
    pcm: (phone: string, network: string) => `${phone} resemble ${network}, but people dey port number. `,
  },
  whichNetwork: { en: () => "Which network is it on?", pcm: () => "Which network e dey?" },
  howMuch: {
    en: () => "How much airtime? Tap one or type an amount.",
    pcm: () => "How much airtime you want? Tap one or type amount.",
  },
  howMuchAgain: {
    en: (typeAnAmount: string) => `How much airtime? ${typeAnAmount}`,
    pcm: (typeAnAmount: string) => `How much airtime you want? ${typeAnAmount}`,
  },
  summary: {
    en: (product: string, amount: string, phone: string, price: string) =>
      `${product} ${amount} for ${phone}.\nYou pay ${price} from your wallet. Confirm?`,
    pcm: (product: string, amount: string, phone: string, price: string) =>
      `${product} ${amount} for ${phone}.\nYou go pay ${price} from your wallet. Confirm?`,
  },
  /** What was ordered: an amount, a network's name and a number. */
  placed: {
    en: (amount: string, network: string, phone: string) => `${amount} ${network} airtime for ${phone}`,
    pcm: (amount: string, network: string, phone: string) => `${amount} ${network} airtime for ${phone}`,
  },
});

/** The recipient's number: a saved one, the customer's own, or typed. Shared with data. */
export function phoneSlot<D extends { phone?: string; network?: Network; phoneWrittenWrong?: boolean }>(
  service: "airtime" | "data",
): SlotSpec<D> {
  return {
    step: "phone",
    missing: (data) => !data.phone,
    async ask(fc, data) {
      const own = await ownPhone(fc);
      const saved = await savedChoices(fc, service);
      return {
        text: saved.length > 0 ? T.whichNumberSaved[fc.lang](service) : T.whichNumber[fc.lang](service),
        choices: [
          ...saved,
          ...(own && !data.phoneWrittenWrong ? [{ id: "self", label: T.myNumber[fc.lang](own) }] : []),
        ],
      };
    },
    async read(fc, data, answer) {
      const saved = await pickedSaved(fc, answer.choice);
      const phone =
        saved?.recipient ?? (answer.choice === "self" ? await ownPhone(fc) : tryPhone(answer.text));
      if (!phone) {
        return { again: notAPhone(fc, answer.text) };
      }
      // A saved number keeps the network it was saved with (it was confirmed then).
      return { phone, network: data.network ?? parseNetwork(saved?.provider ?? undefined) } as Partial<D>;
    },
  };
}

/** A network from the list, or typed by name. */
export function readNetwork(answer: Answer): Network | undefined {
  return (chosen(answer, "net:") as Network | undefined) ?? parseNetwork(answer.text);
}

/**
 * number → network → amount → confirm (with the price) → PIN → order. Whatever the first message
 * already said is kept; only what is missing is asked. Nothing is bought without Confirm and the PIN.
 */
export const airtimeFlow = purchaseFlow<AirtimeData>({
  name: "airtime",
  async fromIntent(fc, intent) {
    if (intent.kind !== "airtime") {
      return { data: {} };
    }
    const amount = checkedAmount(fc, "airtime", intent.amountKobo);
    return {
      data: {
        amountKobo: amount.amountKobo,
        phone: intent.phone ?? (intent.forSelf ? await ownPhone(fc) : undefined),
        phoneWrittenWrong: intent.problems?.some((problem) => problem.slot === "phone") || undefined,
        // A network guessed from the prefix is only a suggestion; one the customer said is an answer.
        network: intent.networkSource === "said" ? intent.network : undefined,
      },
      notes: [explainProblems(fc, intent.problems, "airtime"), amount.note],
    };
  },
  slots: [
    phoneSlot<AirtimeData>("airtime"),
    {
      step: "network",
      missing: (data) => !data.network,
      async ask(fc, data) {
        // A number this person saved, or had delivered to before, is on a network they confirmed then.
        const known = data.phone ? await knownNetwork(fc, data.phone) : undefined;
        if (known) {
          return { fill: { network: known } };
        }
        const guess = guessNetwork(data.phone ?? "");
        const order = guess.network
          ? [guess.network, ...NETWORKS.filter((n) => n !== guess.network)]
          : [...NETWORKS];
        const hint = guess.network
          ? T.looksLike[fc.lang](data.phone ?? "", NETWORK_NAMES[guess.network])
          : "";
        return {
          text: `${hint}${T.whichNetwork[fc.lang]()}`,
          choices: order.map((n) => ({ id: `net:${n}`, label: NETWORK_NAMES[n] })),
        };
      },
      async read(fc, _data, answer) {
        const network = readNetwork(answer);
        return network ? { network } : { again: PURCHASE_TEXT.pickNetwork[fc.lang]() };
      },
    },
    amountSlot<AirtimeData>({
      use: "airtime",
      amounts: AMOUNTS,
      ask: (fc) => T.howMuch[fc.lang](),
      again: (fc) => T.howMuchAgain[fc.lang](typeAnAmount(fc)),
    }),
  ],
  async summary(fc, data) {
    const amountKobo = data.amountKobo ?? 0;
    const quote = await quoteByAmount({
      ctx: fc.ctx,
      service: "airtime",
      productId: `airtime:${data.network}`,
      amountKobo,
      userId: fc.userId,
    });
    const text = T.summary[fc.lang](
      quote.productName,
      formatNaira(amountKobo),
      data.phone ?? "",
      formatNaira(quote.priceKobo),
    );
    return summary(
      "airtime",
      { ...data, priceKobo: quote.priceKobo },
      text,
      `${formatNaira(amountKobo)} airtime`,
      fc.lang,
    );
  },
  order: (data, pin) =>
    data.network && data.phone && data.amountKobo
      ? {
          service: "airtime",
          input: { network: data.network, phone: data.phone, amountKobo: data.amountKobo, pin },
        }
      : undefined,
  placed: (data, message, delivered, lang) =>
    delivered
      ? message
      : orderPlacedText(
          lang,
          T.placed[lang](
            formatNaira(data.amountKobo ?? 0),
            NETWORK_NAMES[data.network ?? "mtn"],
            data.phone ?? "",
          ),
          message,
        ),
  beneficiary: (data) => phoneBeneficiary("airtime", data.phone, data.network),
});

export function parseNetwork(text: string | undefined): Network | undefined {
  const word = (text ?? "").trim().toLowerCase().replace("etisalat", "9mobile");
  return NETWORKS.find((n) => n === word || NETWORK_NAMES[n].toLowerCase() === word);
}
