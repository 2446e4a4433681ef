import { listCableBouquets } from "../../../api/services/catalogue/listings";
import { bouquetSlug, CABLE_NAMES } from "../../../api/services/catalogue/normalize";
import { formatNaira } from "../../../api/services/money";
import { CABLE_PROVIDERS, type CableProvider, verifyAccount } from "../../../api/services/vtu";
import { templates } from "../i18n";
import { SMARTCARD_DIGITS } from "../intents/intent";
import type { Choice } from "../types";
import { orderPlacedText, summary } from "./purchase";
import { pickedSaved, savedChoices, savedLabel } from "./saved";
import { accountNumberSlot, chosen, purchaseFlow, verifySlot } from "./slots";
import { explainProblems } from "./written";

type CableData = {
  provider?: CableProvider;
  smartcard?: string;
  customerName?: string;
  currentBouquet?: string;
  /** renew = the current bouquet; change = the chosen one. */
  subscription?: "renew" | "change";
  bouquetId?: string;
  bouquetName?: string;
  priceKobo?: number;
  confirmId?: string;
};

const T = templates("cable", {
  savedOrTv: {
    en: () => "Tap a saved smartcard, or pick the TV for a new one.",
    pcm: () => "Tap smartcard wey you save, or choose the TV for new one.",
  },
  whichTv: { en: () => "Which TV?", pcm: () => "Which TV e be?" },
  pickTv: { en: () => "Pick DStv, GOtv or StarTimes.", pcm: () => "Choose DStv, GOtv or StarTimes." },
  typeCard: {
    en: (tv: string) => `Type the ${tv} smartcard / IUC number.`,
    pcm: (tv: string) => `Type the ${tv} smartcard / IUC number for here.`,
  },
  notACard: {
    en: (shown: string, min: number, max: number) =>
      `${shown} is not a smartcard number. Type the smartcard / IUC number (${min}–${max} digits).`,
    pcm: (shown: string, min: number, max: number) =>
      `${shown} no be smartcard number. Type the smartcard / IUC number (${min}–${max} digits).`,
  },
  cardAgain: {
    en: (reason: string) => `${reason} Type the card number again, or Cancel.`,
    pcm: (reason: string) => `${reason} Type the card number again abeg, or Cancel.`,
  },
  typeCardAgain: {
    en: () => "Type the card number again, or Cancel.",
    pcm: () => "Type the card number again abeg, or Cancel.",
  },
  renew: {
    en: (bouquet: string, price: string) => `Renew ${bouquet} — ${price}`,
    pcm: (bouquet: string, price: string) => `Renew ${bouquet} — ${price}`,
  },
  renewOrChange: {
    en: (card: string, name: string, current: string) => `Card ${card}: ${name}${current}. Renew or change?`,
    pcm: (card: string, name: string, current: string) =>
      `Card ${card}: ${name}${current}. You wan renew or change am?`,
  },
  onBouquet: {
    en: (bouquet: string) => `, on ${bouquet}`,
    pcm: (bouquet: string) => `, e dey on ${bouquet}`,
  },
  pickRenew: { en: () => "Pick renew or a bouquet.", pcm: () => "Choose renew or one bouquet." },
  summary: {
    en: (bouquet: string, subscription: string, card: string, name: string, price: string) =>
      `${bouquet} (${subscription}) for card ${card} (${name}).\nYou pay ${price} from your wallet. Confirm?`,
    pcm: (bouquet: string, subscription: string, card: string, name: string, price: string) =>
      `${bouquet} (${subscription}) for card ${card} (${name}).\nYou go pay ${price} from your wallet. Confirm?`,
  },
  renewal: { en: (bouquet: string) => `${bouquet} renewal`, pcm: (bouquet: string) => `${bouquet} renewal` },
  subscription: {
    en: (bouquet: string) => `${bouquet} subscription`,
    pcm: (bouquet: string) => `${bouquet} subscription`,
  },
  placed: {
    en: (bouquet: string, card: string) => `${bouquet} for card ${card}`,
    pcm: (bouquet: string, card: string) => `${bouquet} for card ${card}`,
  },
});

/** provider → smartcard → verified name and bouquet → renew or change → confirm → PIN. */
export const cableFlow = purchaseFlow<CableData>({
  name: "cable",
  async fromIntent(fc, intent) {
    if (intent.kind !== "cable") {
      return { data: {} };
    }
    const data: CableData = {
      provider: intent.provider,
      smartcard: intent.smartcard,
      subscription: intent.subscription,
    };
    if (intent.provider && intent.bouquet) {
      data.subscription = "change";
      data.bouquetId = `cable:${intent.provider}:${intent.bouquet}`;
    }
    return { data, notes: [explainProblems(fc, intent.problems)] };
  },
  slots: [
    {
      step: "provider",
      missing: (data) => !data.provider,
      async ask(fc) {
        const saved = await savedChoices(fc, "cable");
        return {
          text: saved.length > 0 ? T.savedOrTv[fc.lang]() : T.whichTv[fc.lang](),
          choices: [...saved, ...CABLE_PROVIDERS.map((p) => ({ id: `tv:${p}`, label: CABLE_NAMES[p] }))],
        };
      },
      async read(fc, _data, answer) {
        const saved = await pickedSaved(fc, answer.choice);
        if (saved && CABLE_PROVIDERS.includes(saved.provider as CableProvider)) {
          return { provider: saved.provider as CableProvider, smartcard: saved.recipient };
        }
        const provider = chosen(answer, "tv:") as CableProvider | undefined;
        return provider ? { provider } : { again: T.pickTv[fc.lang]() };
      },
    },
    accountNumberSlot<CableData>({
      step: "smartcard",
      key: "smartcard",
      range: SMARTCARD_DIGITS,
      ask: (fc, data) => T.typeCard[fc.lang](CABLE_NAMES[data.provider as CableProvider]),
      notIt: (fc, shown, min, max) => T.notACard[fc.lang](shown, min, max),
    }),
    // Verified before any money moves: the customer sees whose card it is.
    verifySlot<CableData>({
      numberStep: "smartcard",
      numberKey: "smartcard",
      async verify(fc, data) {
        const account = await verifyAccount({
          ctx: fc.ctx,
          vtu: fc.deps.vtu,
          userId: fc.userId,
          input: {
            kind: "smartcard",
            provider: data.provider as CableProvider,
            number: data.smartcard ?? "",
          },
        });
        return { customerName: account.customerName, currentBouquet: account.currentBouquet ?? undefined };
      },
      failed: (fc, reason) => T.cardAgain[fc.lang](reason),
      typeAgain: (fc) => T.typeCardAgain[fc.lang](),
    }),
    {
      step: "subscription",
      missing: (data) => !data.bouquetName,
      async ask(fc, data) {
        const provider = data.provider as CableProvider;
        const bouquets = await listCableBouquets({ ctx: fc.ctx, provider, userId: fc.userId });
        const currentId = data.currentBouquet
          ? `cable:${provider}:${bouquetSlug(provider, data.currentBouquet)}`
          : undefined;
        const wanted = data.subscription === "renew" ? currentId : data.bouquetId;
        const bouquet = bouquets.find((b) => b.id === wanted);
        if (data.subscription && bouquet) {
          return { fill: { bouquetName: bouquet.name, priceKobo: bouquet.priceKobo } };
        }
        const current = bouquets.find((b) => b.id === currentId);
        const choices: Choice[] = [
          ...(current
            ? [{ id: "sub:renew", label: T.renew[fc.lang](current.name, formatNaira(current.priceKobo)) }]
            : []),
          ...bouquets
            .filter((b) => b.id !== currentId)
            .map((b) => ({ id: `bq:${b.id}`, label: `${b.name} — ${formatNaira(b.priceKobo)}` })),
        ];
        return {
          text: T.renewOrChange[fc.lang](
            data.smartcard ?? "",
            data.customerName ?? "",
            data.currentBouquet ? T.onBouquet[fc.lang](data.currentBouquet) : "",
          ),
          choices,
          data: { ...data, subscription: undefined },
        };
      },
      async read(fc, _data, answer) {
        if (answer.choice === "sub:renew") {
          return { subscription: "renew", bouquetName: undefined };
        }
        const bouquetId = chosen(answer, "bq:");
        return bouquetId
          ? { subscription: "change", bouquetId, bouquetName: undefined }
          : { again: T.pickRenew[fc.lang]() };
      },
    },
  ],
  async summary(fc, data) {
    const bouquet = data.bouquetName ?? "";
    return summary(
      "cable",
      data,
      T.summary[fc.lang](
        bouquet,
        data.subscription ?? "",
        data.smartcard ?? "",
        data.customerName ?? "",
        formatNaira(data.priceKobo ?? 0),
      ),
      data.subscription === "renew" ? T.renewal[fc.lang](bouquet) : T.subscription[fc.lang](bouquet),
      fc.lang,
    );
  },
  order: (data, pin) =>
    data.provider && data.smartcard && data.subscription
      ? {
          service: "cable",
          input: {
            provider: data.provider,
            smartcard: data.smartcard,
            subscription: data.subscription,
            bouquetId: data.subscription === "change" ? data.bouquetId : undefined,
            pin,
          },
        }
      : undefined,
  placed: (data, message, delivered, lang) =>
    delivered
      ? message
      : orderPlacedText(lang, T.placed[lang](data.bouquetName ?? "", data.smartcard ?? ""), message),
  beneficiary: (data) =>
    data.smartcard && data.provider
      ? {
          service: "cable",
          recipient: data.smartcard,
          provider: data.provider,
          label: savedLabel(data.customerName, `${CABLE_NAMES[data.provider]} ${data.smartcard}`),
        }
      : undefined,
});
